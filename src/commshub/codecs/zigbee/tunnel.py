"""GBCS framing inside the data of the ZigBee Tunneling cluster's Transfer Data command.

The first byte names the GBCS tunnel command: GET (the sleepy gas meter requests its queued
messages from the gas proxy), GET-RESPONSE (one queued message, after a count of the messages
still waiting) or PUT (a message from the meter). Sources: Wireshark ``packet-gbcs.c`` ("GBCS
Tunnel"), and the HenryGiraldo/gbcs hub emulator, which answers GET with a GET-RESPONSE that
carries remaining count 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from construct import GreedyBytes, Int8ul, Struct, this

from commshub.codecs.common import build, parse
from commshub.codecs.zigbee.zcl.constructs import Fast, Maybe
from commshub.errors import CodecError

__all__ = [
    "GBCS_FLOW_CONTROL",
    "GBCS_MANUFACTURER_CODE",
    "GBCS_PROTOCOL_ID",
    "GBCS_TUNNEL",
    "TunnelCommand",
    "TunnelMessage",
    "build_tunnel_data",
    "parse_tunnel_data",
    "tunnel_get",
    "tunnel_get_response",
    "tunnel_put",
]

# Request Tunnel parameters of a GBCS tunnel: protocol 6 "GB-HGRP", no manufacturer code
# (0xFFFF), no flow control (GBCS v0.8 10.2.2, as quoted by the Silicon Labs Comms Hub Function
# plugin in project-chip/connectedhomeip).
GBCS_PROTOCOL_ID = 6
GBCS_MANUFACTURER_CODE = 0xFFFF
GBCS_FLOW_CONTROL = False
# The count of waiting messages is one byte.
_MAX_REMAINING = 0xFF


class TunnelCommand(IntEnum):
    """First byte of the Transfer Data payload on a GBCS tunnel."""

    GET = 0x01
    GET_RESPONSE = 0x02
    PUT = 0x03


GBCS_TUNNEL = Fast(Struct(
    "command" / Int8ul,
    "remaining_messages" / Maybe(this.command == TunnelCommand.GET_RESPONSE.value, Int8ul),
    "message" / GreedyBytes,  # a whole GBCS message; empty for GET
))


@dataclass(frozen=True, slots=True)
class TunnelMessage:
    """One GBCS tunnel command; ``remaining_messages`` is set only for GET-RESPONSE."""

    command: TunnelCommand | int
    message: bytes = b""
    remaining_messages: int | None = None


def parse_tunnel_data(data: bytes) -> TunnelMessage:
    """Decode the data field of a Tunneling Transfer Data command on a GBCS tunnel.

    An unknown command byte decodes as an int with the rest as ``message``. A GET that carries
    bytes raises, because the meter has nothing to send with it.
    """
    value = parse(GBCS_TUNNEL, data, root="gbcs_tunnel")
    try:
        command: TunnelCommand | int = TunnelCommand(value.command)
    except ValueError:
        command = value.command
    if command == TunnelCommand.GET and value.message:
        raise CodecError(f"a GET carries no message, found {len(value.message)} bytes",
                         path=("gbcs_tunnel", "message"), offset=1, data=bytes(data))
    return TunnelMessage(command, bytes(value.message), value.remaining_messages)


def build_tunnel_data(message: TunnelMessage) -> bytes:
    """Encode a GBCS tunnel command as Transfer Data payload bytes."""
    if message.command == TunnelCommand.GET and message.message:
        raise CodecError("a GET carries no message", path=("gbcs_tunnel", "message"))
    remaining = message.remaining_messages
    if message.command == TunnelCommand.GET_RESPONSE and (remaining is None or not 0 <= remaining <= _MAX_REMAINING):
        raise CodecError(f"GET-RESPONSE needs a remaining count 0..{_MAX_REMAINING}, found {remaining!r}",
                         path=("gbcs_tunnel", "remaining_messages"))
    return build(GBCS_TUNNEL, {"command": int(message.command), "message": message.message,
                               "remaining_messages": message.remaining_messages}, root="gbcs_tunnel")


def tunnel_get() -> bytes:
    """Return the data of a GET: the meter requests the messages queued for it."""
    return build_tunnel_data(TunnelMessage(TunnelCommand.GET))


def tunnel_get_response(message: bytes, remaining_messages: int) -> bytes:
    """Return the data of a GET-RESPONSE carrying ``message`` with ``remaining_messages`` still queued."""
    return build_tunnel_data(TunnelMessage(TunnelCommand.GET_RESPONSE, message, remaining_messages))


def tunnel_put(message: bytes) -> bytes:
    """Return the data of a PUT carrying ``message``."""
    return build_tunnel_data(TunnelMessage(TunnelCommand.PUT, message))
