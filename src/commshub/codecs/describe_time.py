"""``commshub decode --as ntp`` and ``--as time``: NTP packets and time service messages as trees.

Neither decoder checks a MAC or a signature, because the decode command has no NTP key or time
service key to check them with. The record states this in its "mac" or "signature" entry.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from commshub.cli.layers import DecodeOptions, DecodeResult
from commshub.codecs import time_service
from commshub.codecs.common import Node
from commshub.codecs.ntp import (
    MAX_STRATUM,
    NTP_HEADER_LENGTH,
    NtpPacket,
    build_ntp_packet,
    datetime_from_ntp_timestamp,
    kiss_code,
    parse_ntp_packet,
    seconds_from_ntp_short,
)
from commshub.errors import CodecError

__all__ = ["decode_ntp", "decode_time"]

_TIMESTAMP_FIELDS = ("reference_timestamp", "origin_timestamp", "receive_timestamp",
                     "transmit_timestamp")
# Byte offset of each header field after the first byte (RFC 5905 figure 8).
_FIELD_OFFSETS = {"stratum": (1, 1), "poll": (2, 1), "precision": (3, 1), "root_delay": (4, 4),
                  "root_dispersion": (8, 4), "reference_id": (12, 4),
                  "reference_timestamp": (16, 8), "origin_timestamp": (24, 8),
                  "receive_timestamp": (32, 8), "transmit_timestamp": (40, 8)}


def _failure(exc: CodecError) -> DecodeResult:
    return DecodeResult({"ok": False, "error": str(exc), "round_trip": False, "frame": None})


def _timestamp_meaning(value: int) -> str:
    if value == 0:
        return "not set"
    return datetime_from_ntp_timestamp(value).isoformat()


def _stratum_meaning(packet: NtpPacket) -> str:
    if packet.stratum == 0:
        return f"kiss-o'-death {kiss_code(packet)!r}"
    if packet.stratum == 1:
        return "primary server"
    if packet.stratum < MAX_STRATUM:
        return "secondary server"
    return "unsynchronised"


def _reference_meaning(packet: NtpPacket) -> str:
    if packet.stratum <= 1:
        return repr(packet.reference_id.rstrip(b"\x00").decode("ascii", errors="replace"))
    return f"IPv4 {ipaddress.IPv4Address(packet.reference_id)} or an IPv6 address hash"


def _meanings(packet: NtpPacket) -> dict[str, str]:
    meanings = {
        "stratum": _stratum_meaning(packet),
        "poll": f"2^{packet.poll} s",
        "precision": f"2^{packet.precision} s",
        "root_delay": f"{seconds_from_ntp_short(packet.root_delay):.6f} s",
        "root_dispersion": f"{seconds_from_ntp_short(packet.root_dispersion):.6f} s",
        "reference_id": _reference_meaning(packet),
    }
    for name in _TIMESTAMP_FIELDS:
        meanings[name] = _timestamp_meaning(getattr(packet, name))
    return meanings


def decode_ntp(data: bytes, options: DecodeOptions) -> DecodeResult:
    """Decode an NTP packet (RFC 5905) and its MAC, if any."""
    data = bytes(data)
    try:
        packet = parse_ntp_packet(data)
    except CodecError as exc:
        return _failure(exc)
    tree = Node("ntp", raw=data, meaning=f"NTP version {packet.version} {packet.mode.name}")
    tree.add("leap", data[:1], packet.leap.name)
    tree.add("version", data[:1], packet.version)
    tree.add("mode", data[:1], packet.mode.name)
    meanings = _meanings(packet)
    for name, (offset, size) in _FIELD_OFFSETS.items():
        tree.add(name, data[offset:offset + size], getattr(packet, name), meanings[name])

    record: dict[str, Any] = {"ok": True, "error": None,
                              "round_trip": build_ntp_packet(packet) == data}
    if packet.mac is None:
        record["mac"] = "absent"
    else:
        mac_node = tree.add("mac", data[NTP_HEADER_LENGTH:])
        mac_node.add("key_id", data[NTP_HEADER_LENGTH:NTP_HEADER_LENGTH + 4], packet.mac.key_id)
        mac_node.add("digest", packet.mac.digest, packet.mac.digest)
        record["mac"] = "crypto-NAK" if packet.mac.is_crypto_nak else "not checked: no NTP key"
        mac_node.meaning = record["mac"]
    record["frame"] = tree.to_json()
    return DecodeResult(record, tree)


def decode_time(data: bytes, options: DecodeOptions) -> DecodeResult:
    """Decode a CSP time service message: a time request or a signed time message."""
    data = bytes(data)
    is_request = len(data) > 1 and data[1] == time_service.MessageType.TIME_REQUEST
    try:
        if is_request:
            request = time_service.parse_time_request(data)
        else:
            message = time_service.parse_signed_time(data)
    except CodecError as exc:
        return _failure(exc)
    record: dict[str, Any] = {"ok": True, "error": None}
    if is_request:
        tree = Node("time_request", raw=data, meaning="CSP time service request")
        tree.add("requester", request.requester, request.requester.hex().upper())
        tree.add("nonce", request.nonce, request.nonce)
        record["round_trip"] = time_service.build_time_request(request) == data
    else:
        tree = Node("signed_time", raw=data, meaning="CSP signed time message")
        tree.add("service", message.service, message.service.hex().upper())
        tree.add("recipient", message.recipient, message.recipient.hex().upper())
        tree.add("sequence", data[18:26], message.sequence)
        tree.add("utc", data[26:34], message.utc, _timestamp_meaning(message.utc))
        tree.add("leap", data[34:35], message.leap.name)
        tree.add("precision", data[35:36], message.precision, f"2^{message.precision} s")
        tree.add("max_error", data[36:40], message.max_error,
                 f"{seconds_from_ntp_short(message.max_error):.6f} s")
        tree.add("nonce", message.nonce, message.nonce)
        tree.add("signature", message.signature, message.signature, "ECDSA P-256 r||s")
        record["round_trip"] = time_service.build_signed_time(message) == data
        record["signature"] = "not checked: no time service key"
    record["frame"] = tree.to_json()
    return DecodeResult(record, tree)
