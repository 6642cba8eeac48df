"""The key store: the RTDS keystore/ layout, and generated test PKIs."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography import x509

from commshub.codecs.gbcs import KeyStore, KeyStoreError, KeyUsage
from commshub.codecs.gbcs.keystore import HARDWARE_MODULE_NAME_OID

CHF = "00DB1234567890A2"
ACB = "90B3D51F30000002"


def test_rtds_keystore_loads(rtds_keys: KeyStore) -> None:
    assert len(rtds_keys.certificates) == 416
    assert len(rtds_keys.private_keys) == 18
    assert rtds_keys.private_key(ACB, KeyUsage.KEY_AGREEMENT) is not None
    assert rtds_keys.public_key(CHF, "ka") is not None
    assert rtds_keys.private_key(CHF, "ka") is None
    assert rtds_keys.public_key("90B3D51F30010000", KeyUsage.PREPAYMENT_KEY_AGREEMENT) is not None
    # A bare public key file (no certificate) still gives a public key.
    assert rtds_keys.public_key("FFFFFFFFFFFFFFFE", "ka") is not None


def test_generated_pki_signs_device_certificates() -> None:
    store = KeyStore.generate([CHF], [ACB])
    assert store.ca_certificate is not None
    device = store.certificate(CHF, KeyUsage.KEY_AGREEMENT)
    assert device is not None
    assert device.issuer == store.ca_certificate.subject
    device.verify_directly_issued_by(store.ca_certificate)
    names = device.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    other_names = [name for name in names if isinstance(name, x509.OtherName)]
    assert other_names[0].type_id == HARDWARE_MODULE_NAME_OID
    assert other_names[0].value.endswith(bytes.fromhex(CHF))
    usage = device.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_agreement and not usage.digital_signature


def test_generated_signing_certificate_usage() -> None:
    store = KeyStore.generate([], [ACB], usages=[KeyUsage.DIGITAL_SIGNATURE])
    certificate = store.certificate(ACB, "ds")
    assert certificate is not None
    assert certificate.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature
    assert store.certificate(ACB, "ka") is None


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    store = KeyStore.generate([CHF], [ACB])
    store.save(tmp_path)
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == [
        "00db1234567890a2-ds.key", "00db1234567890a2-ds.pem", "00db1234567890a2-ka.key",
        "00db1234567890a2-ka.pem", "90b3d51f30000002-ds.key", "90b3d51f30000002-ds.pem",
        "90b3d51f30000002-ka.key", "90b3d51f30000002-ka.pem",
    ]
    assert stat.S_IMODE((tmp_path / "90b3d51f30000002-ka.key").stat().st_mode) == 0o600
    loaded = KeyStore.load(tmp_path)
    assert loaded.certificates == store.certificates
    assert loaded.entities() == store.entities()
    original = store.private_key(ACB, "ka")
    again = loaded.private_key(ACB, "ka")
    assert original is not None and again is not None
    assert again.private_numbers() == original.private_numbers()


def test_missing_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(KeyStoreError, match="not found"):
        KeyStore.load(tmp_path / "absent")


def test_bad_pem_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "00db1234567890a2-ka.pem").write_text("not a certificate\n")
    with pytest.raises(KeyStoreError, match="00db1234567890a2-ka.pem"):
        KeyStore.load(tmp_path)


def test_bad_file_is_skipped_into_list(tmp_path: Path) -> None:
    KeyStore.generate([CHF], []).save(tmp_path)
    (tmp_path / "00db1234567890a9-ka.pem").write_text("not a certificate\n")
    skipped: list[KeyStoreError] = []
    loaded = KeyStore.load(tmp_path, skipped=skipped)
    assert len(skipped) == 1
    assert "00db1234567890a9-ka.pem" in str(skipped[0])
    assert "invalid PEM content" in str(skipped[0])
    assert loaded.entities() == [bytes.fromhex(CHF)]
    assert loaded.certificate(CHF, "ka") is not None
    assert loaded.private_key(CHF, "ds") is not None


def test_unrelated_files_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("notes\n")
    assert KeyStore.load(tmp_path).entities() == []


def test_merged_store_holds_both() -> None:
    first = KeyStore.generate([CHF], [])
    second = KeyStore.generate([], [ACB])
    merged = first.merged(second)
    assert merged.entities() == sorted([bytes.fromhex(CHF), bytes.fromhex(ACB)])
