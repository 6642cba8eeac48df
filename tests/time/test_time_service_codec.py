"""The CSP time service's request and signed time message."""

from __future__ import annotations

from dataclasses import replace

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from commshub.codecs.ntp import LeapIndicator, ntp_timestamp_from_unix
from commshub.codecs.strategies import signed_times, time_requests
from commshub.codecs.time_service import (
    SIGNATURE_LENGTH,
    SignedTime,
    TimeRequest,
    build_signed_time,
    build_time_request,
    parse_signed_time,
    parse_time_request,
    sign_time,
    verify_signed_time,
)
from commshub.errors import CodecError, CommshubError, SecurityError

MESSAGE = SignedTime(
    service=bytes.fromhex("00DB0000000000C5"),
    recipient=bytes.fromhex("00DB123456789ABC"),
    sequence=42,
    utc=ntp_timestamp_from_unix(1_750_000_000.25),
    nonce=bytes(range(16)),
    leap=LeapIndicator.NO_WARNING,
    precision=-20,
    max_error=0x0000_0042,
)
# The documented layout (docs/time-service.md) of MESSAGE before its signature.
MESSAGE_BODY_HEX = (
    "01" "02"  # version, message type
    "00DB0000000000C5"  # service
    "00DB123456789ABC"  # recipient
    "000000000000002A"  # sequence
    "EBF9600040000000"  # utc: NTP second 3958988800 (0xEBF96000), fraction 0.25
    "00"  # flags: leap indicator 0
    "EC"  # precision -20
    "00000042"  # max error
    "000102030405060708090A0B0C0D0E0F"  # nonce
)


@pytest.fixture(scope="module")
def key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def test_signed_time_layout(key: ec.EllipticCurvePrivateKey) -> None:
    data = sign_time(MESSAGE, key)
    assert data[:-SIGNATURE_LENGTH].hex().upper() == MESSAGE_BODY_HEX
    assert len(data) == 120
    assert verify_signed_time(data, key.public_key()) == replace(
        MESSAGE, signature=data[-SIGNATURE_LENGTH:]
    )


def test_time_request_layout() -> None:
    request = TimeRequest(bytes.fromhex("00DB123456789ABC"), bytes(range(16)))
    data = build_time_request(request)
    assert data.hex().upper() == "010100DB123456789ABC000102030405060708090A0B0C0D0E0F"
    assert parse_time_request(data) == request


def test_every_flipped_byte_is_rejected(key: ec.EllipticCurvePrivateKey) -> None:
    data = sign_time(MESSAGE, key)
    for index in range(len(data)):
        tampered = bytearray(data)
        tampered[index] ^= 0x01
        with pytest.raises((SecurityError, CodecError)):
            verify_signed_time(bytes(tampered), key.public_key())


def test_other_key_is_rejected(key: ec.EllipticCurvePrivateKey) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(SecurityError) as info:
        verify_signed_time(sign_time(MESSAGE, other), key.public_key())
    assert "signature does not verify" in str(info.value)


def test_zero_signature_is_rejected(key: ec.EllipticCurvePrivateKey) -> None:
    data = sign_time(MESSAGE, key)[:-SIGNATURE_LENGTH] + bytes(SIGNATURE_LENGTH)
    with pytest.raises(SecurityError):
        verify_signed_time(data, key.public_key())


def test_signing_needs_p256() -> None:
    with pytest.raises(CodecError):
        sign_time(MESSAGE, ec.generate_private_key(ec.SECP384R1()))


@pytest.mark.parametrize(
    ("data", "path"),
    [
        (b"", ("signed_time", "body", "version")),
        (bytes.fromhex("0201") + bytes(118), ("signed_time", "body", "version")),
        (bytes.fromhex("0101") + bytes(118), ("signed_time", "body", "message_type")),
        (bytes.fromhex("0102") + bytes(100), ("signed_time", "signature")),
    ],
    ids=["empty", "version 2", "request type", "short signature"],
)
def test_bad_signed_time_errors(data: bytes, path: tuple[str, ...]) -> None:
    with pytest.raises(CodecError) as info:
        parse_signed_time(data)
    assert info.value.path == path


def test_reserved_flag_bits_are_ignored(key: ec.EllipticCurvePrivateKey) -> None:
    body = bytearray(bytes.fromhex(MESSAGE_BODY_HEX))
    body[34] = 0xFC | 0x01  # reserved bits set, leap indicator 1
    message = parse_signed_time(bytes(body) + bytes(SIGNATURE_LENGTH))
    assert message.leap is LeapIndicator.LAST_MINUTE_HAS_61_SECONDS


@given(signed_times())
def test_signed_time_round_trip(message: SignedTime) -> None:
    data = build_signed_time(message)
    assert parse_signed_time(data) == message
    assert build_signed_time(parse_signed_time(data)) == data


def test_build_needs_whole_signature() -> None:
    with pytest.raises(CodecError) as info:
        build_signed_time(MESSAGE)
    assert info.value.path == ("signed_time", "signature")


@settings(max_examples=50)  # each example signs with ECDSA
@given(signed_times())
def test_sign_then_verify(message: SignedTime) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    data = sign_time(message, key)
    assert replace(verify_signed_time(data, key.public_key()), signature=b"") == replace(
        message, signature=b""
    )


@given(time_requests())
def test_time_request_round_trip(request: TimeRequest) -> None:
    assert parse_time_request(build_time_request(request)) == request


RANDOM_INPUT_KEY = ec.generate_private_key(ec.SECP256R1()).public_key()


@given(st.binary(max_size=140))
def test_random_bytes_give_value_or_commshub_error(data: bytes) -> None:
    key = RANDOM_INPUT_KEY
    for decode in (parse_time_request, parse_signed_time, lambda d: verify_signed_time(d, key)):
        try:
            decode(data)
        except CommshubError as exc:
            assert str(exc)
