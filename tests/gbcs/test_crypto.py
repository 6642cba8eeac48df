"""GBCS crypto: the GBCS 18.4 vector, MAC and signature round trips, tampering, encryption."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from commshub.codecs.gbcs import (
    Cra,
    GbcsFrame,
    KeyStore,
    KeyUsage,
    MissingKeyError,
    TransactionType,
    Verdict,
    check_mac,
    compute_mac,
    decrypt_part,
    derive_key,
    encode_general_signing,
    encrypt_part,
    encryption_key,
    mac_frame,
    mac_key,
    parse_frame,
    sign,
    signed_data,
    verify_signature,
)
from commshub.errors import CodecError, SecurityError

ACB = "90B3D51F30000002"
SUPPLIER = "90B3D51F30010000"
CHF = "00DB1234567890A2"
PPMID = "00DB1234567890A4"
GSME = "00DB1234567890A1"


@pytest.fixture(scope="module")
def keys() -> KeyStore:
    """A generated PKI: the devices' keys and the remote parties' keys."""
    return KeyStore.generate([CHF, PPMID, GSME], [ACB, SUPPLIER])


def _remote_party_view(keys: KeyStore, devices: list[str]) -> KeyStore:
    """The store a remote party holds: its own private keys, the devices' public keys only."""
    view = KeyStore()
    for (eui, usage), public in keys.public_keys.items():
        view.add(eui, usage, public_key=public)
        if eui.hex().upper() not in devices and (eui, usage) in keys.private_keys:
            view.add(eui, usage, private_key=keys.private_keys[(eui, usage)])
    return view


def test_vector_mac_is_valid(vector: SimpleNamespace) -> None:
    frame = parse_frame(vector.frame)
    assert check_mac(frame, vector.keys, acb=vector.acb) is Verdict.VALID


def test_vector_mac_recomputes(vector: SimpleNamespace) -> None:
    frame = parse_frame(vector.frame)
    key = mac_key(frame, vector.keys, acb=vector.acb)
    assert key is not None
    assert compute_mac(key, frame.originator, encode_general_signing(frame)) == vector.frame[-12:]


def test_vector_signature_is_valid(vector: SimpleNamespace) -> None:
    frame = parse_frame(vector.frame)
    assert verify_signature(frame, vector.keys) is Verdict.VALID


def test_vector_signed_range(vector: SimpleNamespace) -> None:
    frame = parse_frame(vector.frame)
    # After DD header (14 octets) and DF; up to the signature length octet 40.
    assert signed_data(frame) == vector.frame[15 : -12 - 65]


def test_vector_resigned_signature_verifies(vector: SimpleNamespace) -> None:
    frame = parse_frame(vector.frame)
    resigned = sign(frame.replace(signature=b""), vector.keys)
    assert resigned.signature != frame.signature  # ECDSA signatures are randomised
    assert verify_signature(resigned, vector.keys) is Verdict.VALID


def test_kdf_is_symmetric(keys: KeyStore) -> None:
    acb_private = keys.private_key(ACB, KeyUsage.KEY_AGREEMENT)
    chf_private = keys.private_key(CHF, KeyUsage.KEY_AGREEMENT)
    assert acb_private is not None and chf_private is not None
    parties = {"originator": bytes.fromhex(SUPPLIER), "transaction_type": TransactionType.COMMAND,
               "counter": 42, "recipient": bytes.fromhex(CHF)}
    from_acb = derive_key(acb_private, chf_private.public_key(), **parties)  # type: ignore[arg-type]
    from_chf = derive_key(chf_private, acb_private.public_key(), **parties)  # type: ignore[arg-type]
    assert from_acb == from_chf
    assert len(from_acb) == 16


def test_kdf_depends_on_every_input(keys: KeyStore) -> None:
    private = keys.private_key(ACB, KeyUsage.KEY_AGREEMENT)
    public = keys.public_key(CHF, KeyUsage.KEY_AGREEMENT)
    assert private is not None and public is not None
    base = {"originator": bytes.fromhex(SUPPLIER), "transaction_type": 1, "counter": 42,
            "recipient": bytes.fromhex(CHF)}
    reference = derive_key(private, public, **base)
    for name, value in (("originator", bytes.fromhex(ACB)), ("transaction_type", 2), ("counter", 43),
                        ("recipient", bytes.fromhex(GSME))):
        assert derive_key(private, public, **{**base, name: value}) != reference, name


def test_command_mac_from_both_sides(keys: KeyStore) -> None:
    frame = GbcsFrame.command(originator=SUPPLIER, recipient=CHF, originator_counter=5,
                              message_code=0x0001, content=b"\xd9\x01")
    macked = mac_frame(frame, _remote_party_view(keys, [CHF, PPMID, GSME]))
    device_side = KeyStore()
    device_side.add(CHF, KeyUsage.KEY_AGREEMENT, private_key=keys.private_key(CHF, KeyUsage.KEY_AGREEMENT))
    device_side.add(ACB, KeyUsage.KEY_AGREEMENT, public_key=keys.public_key(ACB, KeyUsage.KEY_AGREEMENT))
    assert check_mac(parse_frame(macked.to_bytes()), device_side) is Verdict.VALID


def test_response_mac_uses_recipient_party(keys: KeyStore) -> None:
    frame = GbcsFrame.response(originator=CHF, recipient=SUPPLIER, originator_counter=5,
                               message_code=0x0001, content=b"\xda\x01")
    macked = mac_frame(frame, keys)
    assert check_mac(macked, keys) is Verdict.VALID
    assert check_mac(macked, keys, acb=SUPPLIER) is Verdict.VALID  # the ACB plays no part


def test_han_only_command_mac_between_devices(keys: KeyStore) -> None:
    frame = GbcsFrame.command(originator=PPMID, recipient=GSME, originator_counter=1,
                              message_code=0x009B, content=b"\x01\x09\x00")
    macked = mac_frame(frame, keys)
    assert check_mac(macked, keys) is Verdict.VALID
    assert check_mac(macked, _remote_party_view(keys, [PPMID, GSME, CHF])) is Verdict.UNKNOWN


def test_mac_without_header_is_none(keys: KeyStore) -> None:
    frame = GbcsFrame.alert(originator=CHF, recipient=ACB, originator_counter=1,
                            message_code=0x0018, content=b"\x0f", mac_header=False)
    assert check_mac(frame, keys) is None
    with pytest.raises(CodecError):
        mac_frame(frame, keys)


def test_missing_keys_raise_and_say_unknown() -> None:
    frame = GbcsFrame.command(originator=SUPPLIER, recipient=CHF, originator_counter=1,
                              message_code=1, content=b"")
    empty = KeyStore()
    with pytest.raises(MissingKeyError):
        mac_frame(frame, empty)
    with pytest.raises(MissingKeyError):
        sign(frame, empty)
    assert check_mac(frame, empty) is Verdict.UNKNOWN
    signed_shape = frame.replace(signature=bytes(64))
    assert verify_signature(signed_shape, empty) is Verdict.UNKNOWN


def test_signature_states(keys: KeyStore) -> None:
    frame = GbcsFrame.command(originator=SUPPLIER, recipient=CHF, originator_counter=1,
                              message_code=0x0012, content=b"\x05\x00")
    assert verify_signature(frame, keys) is None  # 00: not signed
    assert verify_signature(frame.replace(signature=None), keys) is Verdict.UNKNOWN  # pre-command
    assert verify_signature(frame.replace(signature=bytes(64)), keys) is Verdict.INVALID
    assert verify_signature(frame.replace(signature=bytes(10)), keys) is Verdict.INVALID


@settings(max_examples=50)
@given(st.binary(max_size=64), st.integers(0, (1 << 64) - 1), st.sampled_from([Cra.COMMAND, Cra.RESPONSE, Cra.ALERT]))
def test_signed_and_maced_frames_verify(keys: KeyStore, content: bytes, counter: int, cra: Cra) -> None:
    originator, recipient = (SUPPLIER, CHF) if cra is Cra.COMMAND else (CHF, SUPPLIER)
    frame = GbcsFrame(cra=cra, originator_counter=counter, originator=bytes.fromhex(originator),
                      recipient=bytes.fromhex(recipient), message_code=0x0012, content=content)
    wire = mac_frame(sign(frame, keys), keys).to_bytes()
    parsed = parse_frame(wire)
    assert check_mac(parsed, keys) is Verdict.VALID
    assert verify_signature(parsed, keys) is Verdict.VALID


@settings(max_examples=100)
@given(st.data())
def test_any_flipped_byte_breaks_mac_or_signature(keys: KeyStore, data: st.DataObject) -> None:
    frame = GbcsFrame.command(originator=SUPPLIER, recipient=CHF, originator_counter=9,
                              message_code=0x0012, content=b"\x30\x03\x02\x01\x00")
    wire = bytearray(mac_frame(sign(frame, keys), keys).to_bytes())
    index = data.draw(st.integers(0, len(wire) - 1))
    wire[index] ^= data.draw(st.integers(1, 0xFF))
    try:
        parsed = parse_frame(bytes(wire))
    except CodecError:
        return
    assert check_mac(parsed, keys) is not Verdict.VALID


@given(st.binary(max_size=200))
def test_encryption_round_trip(plaintext: bytes) -> None:
    key = bytes(range(16))
    originator = bytes.fromhex(CHF)
    sealed = encrypt_part(key, originator, plaintext)
    assert len(sealed) == len(plaintext) + 12
    assert decrypt_part(key, originator, sealed) == plaintext


def test_tampered_ciphertext_raises() -> None:
    key = bytes(range(16))
    sealed = bytearray(encrypt_part(key, bytes.fromhex(CHF), b"secret reading"))
    sealed[0] ^= 1
    with pytest.raises(SecurityError):
        decrypt_part(key, bytes.fromhex(CHF), bytes(sealed))
    with pytest.raises(SecurityError):
        decrypt_part(key, bytes.fromhex(CHF), b"short")


def test_encryption_key_follows_supplementary_fields(keys: KeyStore) -> None:
    plain = GbcsFrame.response(originator=CHF, recipient=ACB, originator_counter=7, message_code=0x34,
                               content=b"\xda")
    supplementary = plain.replace(supplementary_remote_party_id=bytes.fromhex(SUPPLIER),
                                  supplementary_remote_party_counter=1,
                                  supplementary_originator_counter=99)
    key = encryption_key(supplementary, keys)
    chf_private = keys.private_key(CHF, KeyUsage.KEY_AGREEMENT)
    supplier_public = keys.public_key(SUPPLIER, KeyUsage.KEY_AGREEMENT)
    assert chf_private is not None and supplier_public is not None
    assert key == derive_key(chf_private, supplier_public, originator=bytes.fromhex(CHF),
                             transaction_type=4, counter=99, recipient=bytes.fromhex(SUPPLIER))
    assert encryption_key(plain, keys) != key


def test_private_key_not_in_repr(keys: KeyStore) -> None:
    private = keys.private_key(ACB, KeyUsage.KEY_AGREEMENT)
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    secret = f"{private.private_numbers().private_value:x}"
    assert secret not in repr(keys)
