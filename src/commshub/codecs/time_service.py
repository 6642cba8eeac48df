"""The CSP network time service's signed time messages, as commshub defines them.

No public source describes how a Communications Hub learns UTC from the CSP, so commshub defines
a small request and a signed response (docs/time-service.md has the byte tables):

* the hub sends a :class:`TimeRequest` carrying its EUI-64 and a fresh 16-byte nonce;
* the service responds with a :class:`SignedTime`: its own EUI-64, the hub's EUI-64, a sequence
  number that only goes up, the UTC time as a 64-bit NTP timestamp, the service's precision and
  maximum error, the nonce echoed, and an ECDSA P-256 / SHA-256 signature (raw r||s, 64 bytes)
  over every byte before it.

All integers are big-endian, like NTP.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from construct import (
    BitsInteger,
    BitStruct,
    Bytes,
    Const,
    Int8sb,
    Int8ub,
    Int32ub,
    Int64ub,
    Padding,
    Struct,
)
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from commshub.codecs.common import build, parse
from commshub.codecs.ntp import LeapIndicator
from commshub.errors import CodecError, SecurityError

__all__ = [
    "NONCE_LENGTH",
    "SIGNATURE_LENGTH",
    "SIGNED_TIME",
    "SIGNED_TIME_BODY",
    "TIME_REQUEST",
    "TIME_SERVICE_VERSION",
    "MessageType",
    "SignedTime",
    "TimeRequest",
    "build_signed_time",
    "build_time_request",
    "parse_signed_time",
    "parse_time_request",
    "sign_time",
    "verify_signed_time",
]

TIME_SERVICE_VERSION = 1
NONCE_LENGTH = 16  # bytes; 128 random bits cannot be guessed by an off-path attacker
SIGNATURE_LENGTH = 64  # ECDSA P-256 signature as r||s, 32 bytes each, as GBCS signs
_EUI64_LENGTH = 8
_P256_ORDER_BYTES = 32


class MessageType(enum.IntEnum):
    """The second byte of every time service message."""

    TIME_REQUEST = 0x01
    SIGNED_TIME = 0x02


TIME_REQUEST = Struct(
    "version" / Const(TIME_SERVICE_VERSION, Int8ub),
    "message_type" / Const(MessageType.TIME_REQUEST, Int8ub),
    "requester" / Bytes(_EUI64_LENGTH),
    "nonce" / Bytes(NONCE_LENGTH),
)

# The signed part of a SignedTime message; the signature covers exactly these bytes.
SIGNED_TIME_BODY = Struct(
    "version" / Const(TIME_SERVICE_VERSION, Int8ub),
    "message_type" / Const(MessageType.SIGNED_TIME, Int8ub),
    "service" / Bytes(_EUI64_LENGTH),
    "recipient" / Bytes(_EUI64_LENGTH),
    "sequence" / Int64ub,
    "utc" / Int64ub,  # 64-bit NTP timestamp, era 0
    "flags" / BitStruct(
        Padding(6),  # reserved: sent as zero, ignored on receipt
        "leap" / BitsInteger(2),  # same values as the NTP leap indicator
    ),
    "precision" / Int8sb,  # log2 seconds, as in NTP
    "max_error" / Int32ub,  # NTP short format: the service's bound on |utc - UTC|
    "nonce" / Bytes(NONCE_LENGTH),
)
_SIGNED_BODY_LENGTH: int = SIGNED_TIME_BODY.sizeof()

SIGNED_TIME = Struct(
    "body" / SIGNED_TIME_BODY,
    "signature" / Bytes(SIGNATURE_LENGTH),
)


@dataclass(frozen=True)
class TimeRequest:
    """A hub's request for a signed time message."""

    requester: bytes
    nonce: bytes


@dataclass(frozen=True)
class SignedTime:
    """A signed time message; ``signature`` is empty until :func:`sign_time` fills it."""

    service: bytes
    recipient: bytes
    sequence: int
    utc: int
    nonce: bytes
    leap: LeapIndicator = LeapIndicator.NO_WARNING
    precision: int = 0
    max_error: int = 0
    signature: bytes = b""


def parse_time_request(data: bytes) -> TimeRequest:
    """Decode a time request; raise CodecError on anything else."""
    value = parse(TIME_REQUEST, data, root="time_request")
    return TimeRequest(requester=bytes(value.requester), nonce=bytes(value.nonce))


def build_time_request(request: TimeRequest) -> bytes:
    """Encode a time request; raise CodecError when the EUI-64 or nonce has the wrong length."""
    return build(
        TIME_REQUEST, {"requester": request.requester, "nonce": request.nonce}, root="time_request"
    )


def parse_signed_time(data: bytes) -> SignedTime:
    """Decode a signed time message without checking its signature."""
    value = parse(SIGNED_TIME, data, root="signed_time")
    body = value.body
    return SignedTime(
        service=bytes(body.service),
        recipient=bytes(body.recipient),
        sequence=body.sequence,
        utc=body.utc,
        nonce=bytes(body.nonce),
        leap=LeapIndicator(body.flags.leap),
        precision=body.precision,
        max_error=body.max_error,
        signature=bytes(value.signature),
    )


def _build_body(message: SignedTime) -> bytes:
    value = {
        "service": message.service,
        "recipient": message.recipient,
        "sequence": message.sequence,
        "utc": message.utc,
        "flags": {"leap": int(message.leap)},
        "precision": message.precision,
        "max_error": message.max_error,
        "nonce": message.nonce,
    }
    return build(SIGNED_TIME_BODY, value, root="signed_time")


def build_signed_time(message: SignedTime) -> bytes:
    """Encode ``message`` with the signature it carries; see :func:`sign_time` to sign it."""
    if len(message.signature) != SIGNATURE_LENGTH:
        raise CodecError(
            f"signature of {len(message.signature)} bytes; expected {SIGNATURE_LENGTH}",
            path=("signed_time", "signature"),
        )
    return _build_body(message) + message.signature


def sign_time(message: SignedTime, private_key: ec.EllipticCurvePrivateKey) -> bytes:
    """Encode ``message`` and sign it with the service's P-256 key (any signature is replaced)."""
    if not isinstance(private_key.curve, ec.SECP256R1):
        raise CodecError(
            f"the time service signs with P-256, not {private_key.curve.name}",
            path=("signed_time", "signature"),
        )
    body = _build_body(replace(message, signature=b""))
    r, s = decode_dss_signature(private_key.sign(body, ec.ECDSA(hashes.SHA256())))
    return body + r.to_bytes(_P256_ORDER_BYTES, "big") + s.to_bytes(_P256_ORDER_BYTES, "big")


def verify_signed_time(data: bytes, public_key: ec.EllipticCurvePublicKey) -> SignedTime:
    """Decode a signed time message and check its signature against the service's key.

    Raise CodecError when the bytes are not a signed time message and SecurityError when the
    signature does not verify. Freshness (nonce, sequence, age) is the caller's to check.
    """
    message = parse_signed_time(data)
    r = int.from_bytes(message.signature[:_P256_ORDER_BYTES], "big")
    s = int.from_bytes(message.signature[_P256_ORDER_BYTES:], "big")
    try:
        public_key.verify(
            encode_dss_signature(r, s), bytes(data)[:_SIGNED_BODY_LENGTH], ec.ECDSA(hashes.SHA256())
        )
    except InvalidSignature:
        raise SecurityError(
            f"signed time message {message.sequence} from {message.service.hex().upper()}: "
            "signature does not verify"
        ) from None
    return message
