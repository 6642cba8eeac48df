"""Keys and certificates of GBCS devices and remote parties, by EUI-64 and key usage.

A folder in the DCC RTDS ``keystore/`` layout holds, per entity, PEM files named
``<eui>-<usage>.pem`` (X.509 certificate, or a bare public key) and ``<eui>-<usage>.key`` (PKCS#8 private key), with
the EUI-64 in lower-case hex and the usage ``ka`` (key agreement), ``ds`` (digital signature)
or ``pp-ka`` (prepayment key agreement). :meth:`KeyStore.load` reads such a folder and
:meth:`KeyStore.save` writes one. :meth:`KeyStore.generate` makes a fresh test PKI (P-256 keys,
a self-signed root and CA-signed entity certificates) for the emulator's own devices.

Private keys never appear in ``repr`` or in any message.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID, ObjectIdentifier

from commshub.codecs.gbcs.frame import eui64, eui_hex
from commshub.errors import CommshubError

__all__ = ["HARDWARE_MODULE_NAME_OID", "KeyStore", "KeyStoreError", "KeyUsage"]

# RFC 4108 hardwareModuleName: the SubjectAltName form that carries a device's EUI-64 in SMKI
# device certificates (seen in the RTDS device certificates).
HARDWARE_MODULE_NAME_OID = ObjectIdentifier("1.3.6.1.5.5.7.8.4")
# hwType of the RTDS device certificates' hardwareModuleName, reused for generated devices.
_DEVICE_HW_TYPE = bytes.fromhex("060d2a863a0001848fb90f010202")

_FILE_NAME = re.compile(r"^(?P<eui>[0-9a-fA-F]{16})-(?P<usage>ka|ds|pp-ka)\.(?P<kind>pem|key)$")
# Generated certificates never expire in practice, like the SMKI test certificates (RFC 5280
# 4.1.2.5: 99991231235959Z means "no well-defined expiration date").
_NOT_AFTER = datetime.datetime(9999, 12, 31, 23, 59, 59, tzinfo=datetime.UTC)


class KeyUsage(str, Enum):
    """Which of an entity's key pairs: SMKI certificates are single-purpose."""

    KEY_AGREEMENT = "ka"
    DIGITAL_SIGNATURE = "ds"
    PREPAYMENT_KEY_AGREEMENT = "pp-ka"


class KeyStoreError(CommshubError):
    """A key store folder or file that cannot be read."""


_Key = tuple[bytes, KeyUsage]


@dataclass
class KeyStore:
    """Certificates and private keys indexed by (EUI-64, usage)."""

    certificates: dict[_Key, x509.Certificate] = field(default_factory=dict, repr=False)
    private_keys: dict[_Key, ec.EllipticCurvePrivateKey] = field(default_factory=dict, repr=False)
    public_keys: dict[_Key, ec.EllipticCurvePublicKey] = field(default_factory=dict, repr=False)
    # The root of a generated test PKI; None for a loaded store.
    ca_certificate: x509.Certificate | None = field(default=None, repr=False)
    ca_key: ec.EllipticCurvePrivateKey | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return (f"KeyStore({len(self.certificates)} certificates, "
                f"{len(self.private_keys)} private keys)")

    # --- loading and saving --------------------------------------------------------------

    @classmethod
    def load(cls, folder: str | Path, *, skipped: list[KeyStoreError] | None = None) -> KeyStore:
        """Read every ``<eui>-<usage>.pem|.key`` file of ``folder``; other files are ignored.

        A file that cannot be read or contains no usable key raises :class:`KeyStoreError`. When
        ``skipped`` is a list, the error is appended to it instead and the file is left out.
        """
        folder = Path(folder)
        if not folder.is_dir():
            raise KeyStoreError(f"key store folder not found: {folder}")
        store = cls()
        for path in sorted(folder.iterdir()):
            match = _FILE_NAME.match(path.name)
            if match is None:
                continue
            try:
                store._load_file(path, bytes.fromhex(match["eui"]), KeyUsage(match["usage"]), match["kind"])
            except KeyStoreError as exc:
                if skipped is None:
                    raise
                skipped.append(exc)
        return store

    def _load_file(self, path: Path, eui: bytes, usage: KeyUsage, kind: str) -> None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise KeyStoreError(f"{path}: cannot be read ({exc.strerror or exc})") from None
        try:
            if kind == "pem" and b"BEGIN PUBLIC KEY" in data:
                public = serialization.load_pem_public_key(data)
                if not isinstance(public, ec.EllipticCurvePublicKey):
                    raise KeyStoreError(f"{path}: not an elliptic-curve public key")
                self.add(eui, usage, public_key=public)
            elif kind == "pem":
                self.add(eui, usage, certificate=x509.load_pem_x509_certificate(data))
            else:
                key = serialization.load_pem_private_key(data, password=None)
                if not isinstance(key, ec.EllipticCurvePrivateKey):
                    raise KeyStoreError(f"{path}: not an elliptic-curve private key")
                self.add(eui, usage, private_key=key)
        except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
            raise KeyStoreError(f"{path}: invalid PEM content ({exc})") from None

    def save(self, folder: str | Path) -> None:
        """Write the store in the RTDS ``keystore/`` layout (private keys unencrypted PKCS#8)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for (eui, usage), certificate in self.certificates.items():
            path = folder / f"{eui.hex()}-{usage.value}.pem"
            path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        for (eui, usage), public in self.public_keys.items():
            if (eui, usage) not in self.certificates and (eui, usage) not in self.private_keys:
                path = folder / f"{eui.hex()}-{usage.value}.pem"
                path.write_bytes(public.public_bytes(
                    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo,
                ))
        for (eui, usage), key in self.private_keys.items():
            path = folder / f"{eui.hex()}-{usage.value}.key"
            path.write_bytes(key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ))
            path.chmod(0o600)

    # --- access ---------------------------------------------------------------------------

    def add(
        self, eui: bytes | str | int, usage: KeyUsage | str, *,
        certificate: x509.Certificate | None = None,
        private_key: ec.EllipticCurvePrivateKey | None = None,
        public_key: ec.EllipticCurvePublicKey | None = None,
    ) -> None:
        """Add a certificate, a bare public key, a private key, or several, for one entity and usage."""
        key = (eui64(eui), KeyUsage(usage))
        if public_key is not None:
            self.public_keys[key] = public_key
        if certificate is not None:
            public = certificate.public_key()
            if not isinstance(public, ec.EllipticCurvePublicKey):
                raise KeyStoreError(f"{eui_hex(key[0])}-{key[1].value}: not an elliptic-curve certificate")
            self.certificates[key] = certificate
            self.public_keys[key] = public
        if private_key is not None:
            self.private_keys[key] = private_key
            self.public_keys.setdefault(key, private_key.public_key())

    def certificate(self, eui: bytes | str | int, usage: KeyUsage | str) -> x509.Certificate | None:
        return self.certificates.get((eui64(eui), KeyUsage(usage)))

    def public_key(self, eui: bytes | str | int, usage: KeyUsage | str) -> ec.EllipticCurvePublicKey | None:
        return self.public_keys.get((eui64(eui), KeyUsage(usage)))

    def private_key(self, eui: bytes | str | int, usage: KeyUsage | str) -> ec.EllipticCurvePrivateKey | None:
        return self.private_keys.get((eui64(eui), KeyUsage(usage)))

    def entities(self) -> list[bytes]:
        """Return every EUI-64 with at least one key, sorted."""
        return sorted({eui for eui, _ in self.public_keys})

    def merged(self, other: KeyStore) -> KeyStore:
        """Return a new store holding both stores' entries (``other`` wins on conflicts)."""
        return KeyStore(
            certificates={**self.certificates, **other.certificates},
            private_keys={**self.private_keys, **other.private_keys},
            public_keys={**self.public_keys, **other.public_keys},
            ca_certificate=other.ca_certificate or self.ca_certificate,
            ca_key=other.ca_key or self.ca_key,
        )

    # --- test PKI -------------------------------------------------------------------------

    @classmethod
    def generate(
        cls, devices: Iterable[bytes | str | int] = (), remote_parties: Iterable[bytes | str | int] = (),
        *, usages: Iterable[KeyUsage | str] = (KeyUsage.KEY_AGREEMENT, KeyUsage.DIGITAL_SIGNATURE),
        ca_name: str = "commshub test CA",
    ) -> KeyStore:
        """Make fresh P-256 key pairs and CA-signed certificates for each entity and usage.

        Device certificates carry the EUI-64 in a hardwareModuleName SubjectAltName, as SMKI
        device certificates do; remote-party certificates carry it as the subject's common
        name (SMKI puts it in uniqueIdentifier, which ``cryptography`` cannot write). The
        self-signed root is kept as ``ca_certificate`` and its key as ``ca_key``.
        """
        usages = [KeyUsage(usage) for usage in usages]
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ca_name)])
        now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
        ca_certificate = (
            x509.CertificateBuilder()
            .subject_name(ca_subject).issuer_name(ca_subject)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(_NOT_AFTER)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(_key_usage(cert_sign=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        store = cls(ca_certificate=ca_certificate, ca_key=ca_key)
        entities = [(eui64(eui), True) for eui in devices] + [(eui64(eui), False) for eui in remote_parties]
        for eui, is_device in entities:
            for usage in usages:
                key = ec.generate_private_key(ec.SECP256R1())
                builder = (
                    x509.CertificateBuilder()
                    .issuer_name(ca_subject)
                    .public_key(key.public_key())
                    .serial_number(x509.random_serial_number())
                    .not_valid_before(now).not_valid_after(_NOT_AFTER)
                    .add_extension(_key_usage(agreement=usage is not KeyUsage.DIGITAL_SIGNATURE,
                                              signature=usage is KeyUsage.DIGITAL_SIGNATURE), critical=True)
                    .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                    .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                                   critical=False)
                )
                if is_device:
                    hardware_module_name = _der_sequence(_DEVICE_HW_TYPE + b"\x04\x08" + eui)
                    builder = builder.subject_name(x509.Name([])).add_extension(
                        x509.SubjectAlternativeName([x509.OtherName(HARDWARE_MODULE_NAME_OID, hardware_module_name)]),
                        critical=True,
                    )
                else:
                    builder = builder.subject_name(x509.Name([
                        x509.NameAttribute(NameOID.COMMON_NAME, eui_hex(eui)),
                    ]))
                store.add(eui, usage, certificate=builder.sign(ca_key, hashes.SHA256()), private_key=key)
        return store


def _key_usage(*, agreement: bool = False, signature: bool = False, cert_sign: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signature, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=agreement, key_cert_sign=cert_sign,
        crl_sign=cert_sign, encipher_only=False, decipher_only=False,
    )


def _der_sequence(body: bytes) -> bytes:
    if len(body) >= 0x80:
        raise ValueError("only short DER sequences are built here")
    return b"\x30" + bytes([len(body)]) + body
