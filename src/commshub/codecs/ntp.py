"""NTP version 4 packets (RFC 5905) and their symmetric-key authentication.

A packet is the 48-byte header of RFC 5905 figure 8, optionally followed by a MAC: a 32-bit key
identifier and a message digest. Extension fields (RFC 7822) are not supported: a trailer that
is neither a MAC nor a crypto-NAK is a :class:`CodecError`.

Authentication follows RFC 5905 section 7.3 and the practice of ntpd and chrony: the digest is
MD5 or SHA-1 over the key followed by the packet, or AES-128-CMAC over the packet keyed with the
key (RFC 8573). The MAC covers every byte before it.

Timestamps are kept as the raw 64-bit NTP fixed-point values: seconds since 1900-01-01 in the
high 32 bits and the fraction in the low 32 bits. The helpers convert them to and from Unix
seconds within NTP era 0, which ends on 2036-02-07 06:28:16 UTC.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from construct import (
    Adapter,
    BitsInteger,
    BitStruct,
    Bytes,
    GreedyBytes,
    If,
    Int8sb,
    Int8ub,
    Int32ub,
    Int64ub,
    Struct,
    ValidationError,
)
from construct.core import stream_iseof
from cryptography.hazmat.primitives import cmac
from cryptography.hazmat.primitives.ciphers import algorithms

from commshub.codecs.common import build, parse
from commshub.errors import CodecError, LocalProtocolError, SecurityError

__all__ = [
    "MAX_STRATUM",
    "NTP_HEADER",
    "NTP_HEADER_LENGTH",
    "NTP_MAC",
    "NTP_PACKET",
    "NTP_PORT",
    "NTP_UNIX_EPOCH_OFFSET",
    "NTP_VERSION",
    "AuthFailure",
    "LeapIndicator",
    "MacAlgorithm",
    "Mode",
    "NtpAuthenticationError",
    "NtpKey",
    "NtpMac",
    "NtpPacket",
    "authenticate_packet",
    "build_ntp_packet",
    "check_packet_mac",
    "compute_digest",
    "datetime_from_ntp_timestamp",
    "kiss_code",
    "ntp_short_from_seconds",
    "ntp_timestamp_from_unix",
    "parse_ntp_packet",
    "seconds_from_ntp_short",
    "unix_from_ntp_timestamp",
    "verify_packet",
]

NTP_VERSION = 4  # RFC 5905 section 7.3, field VN
NTP_PORT = 123  # RFC 5905 section 7.2, UDP port for both client and server
# Seconds from the NTP prime epoch (1900-01-01 00:00 UTC) to the Unix epoch (RFC 868).
NTP_UNIX_EPOCH_OFFSET = 2_208_988_800
# Stratum 16 means unsynchronised; 1..15 are valid server strata (RFC 5905 section 7.3, MAXSTRAT).
MAX_STRATUM = 16

_FRACTION_SCALE = 1 << 32  # units of the 64-bit timestamp's fraction per second
_SHORT_SCALE = 1 << 16  # units of the 32-bit NTP short format's fraction per second
_ERA_SECONDS = 1 << 32  # an NTP era lasts 2**32 seconds, about 136 years

# Digest lengths that may follow the 4-byte key identifier in NTPv4 without extension fields
# (RFC 7822 section 7.5): none (a crypto-NAK), 16 (MD5, AES-128-CMAC) or 20 (SHA-1).
_DIGEST_LENGTHS = (0, 16, 20)


class LeapIndicator(enum.IntEnum):
    """Warning of an impending leap second (RFC 5905 figure 9)."""

    NO_WARNING = 0
    LAST_MINUTE_HAS_61_SECONDS = 1
    LAST_MINUTE_HAS_59_SECONDS = 2
    UNSYNCHRONISED = 3


class Mode(enum.IntEnum):
    """Association mode (RFC 5905 figure 10)."""

    RESERVED = 0
    SYMMETRIC_ACTIVE = 1
    SYMMETRIC_PASSIVE = 2
    CLIENT = 3
    SERVER = 4
    BROADCAST = 5
    CONTROL = 6
    PRIVATE = 7


class _DigestLength(Adapter):  # type: ignore[misc]
    """A MAC digest whose length is one NTPv4 allows, with an error that names the lengths."""

    def _decode(self, obj: Any, context: Any, path: Any) -> Any:
        return self._check(obj, path)

    def _encode(self, obj: Any, context: Any, path: Any) -> Any:
        return self._check(obj, path)

    def _check(self, obj: Any, path: Any) -> Any:
        if len(obj) not in _DIGEST_LENGTHS:
            raise ValidationError(
                f"MAC digest of {len(obj)} bytes; expected 16 (MD5, AES-128-CMAC), 20 (SHA-1) or "
                "0 (crypto-NAK); extension fields are not supported",
                path=path,
            )
        return obj


def _mac_present(context: Any) -> bool:
    # A MAC is whatever follows the header: on parse, any remaining byte; on build, a value.
    if context._parsing:
        return not stream_iseof(context._io)
    return context.mac is not None


NTP_HEADER = Struct(
    "flags" / BitStruct(
        "leap" / BitsInteger(2),
        "version" / BitsInteger(3),
        "mode" / BitsInteger(3),
    ),
    "stratum" / Int8ub,
    "poll" / Int8sb,  # log2 seconds
    "precision" / Int8sb,  # log2 seconds
    "root_delay" / Int32ub,  # NTP short format: 16.16 fixed-point seconds
    "root_dispersion" / Int32ub,  # NTP short format
    "reference_id" / Bytes(4),
    "reference_timestamp" / Int64ub,
    "origin_timestamp" / Int64ub,
    "receive_timestamp" / Int64ub,
    "transmit_timestamp" / Int64ub,
)
NTP_HEADER_LENGTH: int = NTP_HEADER.sizeof()

NTP_MAC = Struct(
    "key_id" / Int32ub,
    "digest" / _DigestLength(GreedyBytes),
)

NTP_PACKET = Struct(
    "header" / NTP_HEADER,
    "mac" / If(_mac_present, NTP_MAC),
)


class MacAlgorithm(enum.Enum):
    """A symmetric-key MAC algorithm; the value is the key type name of chrony's key file."""

    MD5 = "MD5"
    SHA1 = "SHA1"
    AES128_CMAC = "AES128"

    @property
    def digest_length(self) -> int:
        """Length of the digest in bytes."""
        return 20 if self is MacAlgorithm.SHA1 else 16


class AuthFailure(enum.Enum):
    """Reason an NTP packet failed authentication."""

    MISSING = "no MAC"
    CRYPTO_NAK = "crypto-NAK"
    UNKNOWN_KEY = "unknown key identifier"
    BAD_MAC = "MAC does not match"


class NtpAuthenticationError(SecurityError):
    """An NTP packet that is not authenticated by a trusted key."""

    def __init__(self, failure: AuthFailure, message: str) -> None:
        self.failure = failure
        super().__init__(message)


@dataclass(frozen=True)
class NtpKey:
    """A symmetric key shared with an NTP server; the secret never appears in repr()."""

    key_id: int
    algorithm: MacAlgorithm
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not 1 <= self.key_id <= 0xFFFF_FFFF:
            raise LocalProtocolError(f"NTP key identifier {self.key_id} is not in 1..4294967295")
        if not self.secret:
            raise LocalProtocolError(f"NTP key {self.key_id} has an empty secret")
        if self.algorithm is MacAlgorithm.AES128_CMAC and len(self.secret) != 16:
            raise LocalProtocolError(
                f"NTP key {self.key_id}: AES-128-CMAC needs a 16-byte secret, "
                f"not {len(self.secret)} bytes"
            )


@dataclass(frozen=True)
class NtpMac:
    """The MAC after an NTP header; an empty digest is a crypto-NAK."""

    key_id: int
    digest: bytes

    @property
    def is_crypto_nak(self) -> bool:
        return not self.digest


@dataclass(frozen=True)
class NtpPacket:
    """One NTP packet with raw timestamp values (see the module docstring for their format)."""

    leap: LeapIndicator = LeapIndicator.NO_WARNING
    version: int = NTP_VERSION
    mode: Mode = Mode.CLIENT
    stratum: int = 0
    poll: int = 0
    precision: int = 0
    root_delay: int = 0
    root_dispersion: int = 0
    reference_id: bytes = bytes(4)
    reference_timestamp: int = 0
    origin_timestamp: int = 0
    receive_timestamp: int = 0
    transmit_timestamp: int = 0
    mac: NtpMac | None = None


def parse_ntp_packet(data: bytes) -> NtpPacket:
    """Decode an NTP packet; raise CodecError on a short packet or a trailer that is not a MAC."""
    value = parse(NTP_PACKET, data, root="ntp")
    header = value.header
    mac = None if value.mac is None else NtpMac(value.mac.key_id, bytes(value.mac.digest))
    return NtpPacket(
        leap=LeapIndicator(header.flags.leap),
        version=header.flags.version,
        mode=Mode(header.flags.mode),
        stratum=header.stratum,
        poll=header.poll,
        precision=header.precision,
        root_delay=header.root_delay,
        root_dispersion=header.root_dispersion,
        reference_id=bytes(header.reference_id),
        reference_timestamp=header.reference_timestamp,
        origin_timestamp=header.origin_timestamp,
        receive_timestamp=header.receive_timestamp,
        transmit_timestamp=header.transmit_timestamp,
        mac=mac,
    )


def build_ntp_packet(packet: NtpPacket) -> bytes:
    """Encode an NTP packet; raise CodecError naming the field that does not fit."""
    value = {
        "header": {
            "flags": {
                "leap": int(packet.leap), "version": packet.version, "mode": int(packet.mode),
            },
            "stratum": packet.stratum,
            "poll": packet.poll,
            "precision": packet.precision,
            "root_delay": packet.root_delay,
            "root_dispersion": packet.root_dispersion,
            "reference_id": packet.reference_id,
            "reference_timestamp": packet.reference_timestamp,
            "origin_timestamp": packet.origin_timestamp,
            "receive_timestamp": packet.receive_timestamp,
            "transmit_timestamp": packet.transmit_timestamp,
        },
        "mac": None if packet.mac is None else {
            "key_id": packet.mac.key_id, "digest": packet.mac.digest,
        },
    }
    return build(NTP_PACKET, value, root="ntp")


def compute_digest(key: NtpKey, data: bytes) -> bytes:
    """Return the message digest of ``data`` (header and extension fields) under ``key``."""
    if key.algorithm is MacAlgorithm.AES128_CMAC:
        mac = cmac.CMAC(algorithms.AES(key.secret))
        mac.update(data)
        return mac.finalize()
    # RFC 5905 section 7.3 and ntpd's legacy scheme: hash of the key followed by the packet.
    name = "md5" if key.algorithm is MacAlgorithm.MD5 else "sha1"
    return hashlib.new(name, key.secret + data).digest()


def authenticate_packet(packet: NtpPacket, key: NtpKey) -> bytes:
    """Encode ``packet`` with a MAC computed under ``key`` (any MAC in ``packet`` is replaced)."""
    header = build_ntp_packet(replace(packet, mac=None))
    return build_ntp_packet(replace(packet, mac=NtpMac(key.key_id, compute_digest(key, header))))


def verify_packet(data: bytes, keys: Mapping[int, NtpKey]) -> tuple[NtpPacket, NtpKey]:
    """Decode ``data`` and check its MAC against ``keys`` (by key identifier).

    Return the packet and the key that authenticated it. Raise CodecError when the bytes are
    not an NTP packet and NtpAuthenticationError when the MAC is missing, a crypto-NAK, under an
    unknown key or wrong.
    """
    packet = parse_ntp_packet(data)
    return packet, check_packet_mac(data, packet, keys)


def check_packet_mac(data: bytes, packet: NtpPacket, keys: Mapping[int, NtpKey]) -> NtpKey:
    """Check the MAC of ``packet``, decoded from ``data``, and return the key that made it.

    Raise NtpAuthenticationError when the MAC is missing, a crypto-NAK, under a key identifier
    not in ``keys`` or wrong.
    """
    if packet.mac is None:
        raise NtpAuthenticationError(AuthFailure.MISSING, "NTP packet carries no MAC")
    if packet.mac.is_crypto_nak:
        raise NtpAuthenticationError(
            AuthFailure.CRYPTO_NAK,
            f"NTP packet carries a crypto-NAK (key identifier {packet.mac.key_id}): "
            "the peer did not accept our key",
        )
    key = keys.get(packet.mac.key_id)
    if key is None:
        raise NtpAuthenticationError(
            AuthFailure.UNKNOWN_KEY, f"NTP packet is MACed with unknown key {packet.mac.key_id}"
        )
    covered = bytes(data)[: len(data) - 4 - len(packet.mac.digest)]
    if not hmac.compare_digest(compute_digest(key, covered), packet.mac.digest):
        raise NtpAuthenticationError(
            AuthFailure.BAD_MAC, f"NTP packet MAC under key {key.key_id} does not match"
        )
    return key


def kiss_code(packet: NtpPacket) -> str | None:
    """Return the kiss code ("RATE", "DENY", ...) of a kiss-o'-death packet, else None.

    RFC 5905 section 7.4: a packet with stratum 0 carries a four-character ASCII kiss code in
    its reference identifier.
    """
    if packet.stratum != 0:
        return None
    return packet.reference_id.decode("ascii", errors="replace").rstrip("\x00")


def ntp_timestamp_from_unix(seconds: float) -> int:
    """Return the 64-bit NTP timestamp of a Unix time; raise CodecError outside era 0."""
    if not math.isfinite(seconds):
        raise CodecError(f"Unix time {seconds} is not a finite number", path=("ntp_timestamp",))
    whole = math.floor(seconds)
    fraction = min(round((seconds - whole) * _FRACTION_SCALE), _FRACTION_SCALE - 1)
    era_seconds = whole + NTP_UNIX_EPOCH_OFFSET
    if not 0 <= era_seconds < _ERA_SECONDS:
        raise CodecError(
            f"Unix time {seconds} is outside NTP era 0 (1900-01-01 to 2036-02-07)",
            path=("ntp_timestamp",),
        )
    return (era_seconds << 32) | fraction


def unix_from_ntp_timestamp(timestamp: int) -> float:
    """Return the Unix time of a 64-bit NTP timestamp read as era 0."""
    return (timestamp >> 32) - NTP_UNIX_EPOCH_OFFSET + (timestamp & 0xFFFF_FFFF) / _FRACTION_SCALE


def datetime_from_ntp_timestamp(timestamp: int) -> datetime:
    """Return the UTC datetime of a 64-bit NTP timestamp read as era 0."""
    return datetime.fromtimestamp(unix_from_ntp_timestamp(timestamp), tz=UTC)


def ntp_short_from_seconds(seconds: float) -> int:
    """Return the 32-bit NTP short format (16.16 fixed point) of a duration in seconds."""
    if not math.isfinite(seconds) or not 0 <= seconds < _SHORT_SCALE:
        raise CodecError(
            f"{seconds} s does not fit the NTP short format (0 to 65536 s)", path=("ntp_short",)
        )
    return min(round(seconds * _SHORT_SCALE), 0xFFFF_FFFF)


def seconds_from_ntp_short(value: int) -> float:
    """Return the duration in seconds of a 32-bit NTP short format value."""
    return value / _SHORT_SCALE
