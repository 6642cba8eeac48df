"""Messaging cluster 0x0703 (ZigBee Smart Energy 1.4)."""

from __future__ import annotations

from construct import Int8ul, Int16ul, Int32ul, Struct

from commshub.codecs.zigbee.zcl.clusters.general import GLOBAL_ATTRIBUTES
from commshub.codecs.zigbee.zcl.constructs import Trailing
from commshub.codecs.zigbee.zcl.frame import Direction
from commshub.codecs.zigbee.zcl.schema import Cluster, attributes, commands, register
from commshub.codecs.zigbee.zcl.types import CharacterString, OctetString, UtcTime

__all__ = [
    "CANCEL_ALL_MESSAGES",
    "CANCEL_MESSAGE",
    "DISPLAY_MESSAGE",
    "DISPLAY_PROTECTED_MESSAGE",
    "GET_LAST_MESSAGE",
    "GET_MESSAGE_CANCELLATION",
    "MESSAGE_CONFIRMATION",
    "MESSAGING",
]

MESSAGING_ID = 0x0703
# Start time 0 means "now"; duration 0xFFFF means "until changed" (Smart Energy 1.4).
START_NOW = 0x00000000
DURATION_UNTIL_CHANGED = 0xFFFF

_DISPLAY = Struct(
    "message_id" / Int32ul,
    "message_control" / Int8ul,  # transmission, importance, enhanced confirmation, confirmation
    "start_time" / UtcTime,
    "duration_in_minutes" / Int16ul,
    "message" / CharacterString,
    "extended_message_control" / Trailing(Int8ul),  # Smart Energy 1.2 addition
)

_TO_CLIENT = commands(
    MESSAGING_ID, Direction.SERVER_TO_CLIENT,
    (0x00, "display_message", _DISPLAY),
    (0x01, "cancel_message", Struct("message_id" / Int32ul, "message_control" / Int8ul)),
    (0x02, "display_protected_message", _DISPLAY),
    (0x03, "cancel_all_messages", Struct("implementation_date_time" / UtcTime)),
)

_TO_SERVER = commands(
    MESSAGING_ID, Direction.CLIENT_TO_SERVER,
    (0x00, "get_last_message", Struct()),
    (0x01, "message_confirmation", Struct(
        "message_id" / Int32ul,
        "confirmation_time" / UtcTime,
        # Smart Energy 1.2 additions.
        "message_confirmation_control" / Trailing(Int8ul),
        "message_response" / Trailing(OctetString),
    )),
    (0x02, "get_message_cancellation", Struct("earliest_implementation_time" / UtcTime)),
)

MESSAGING = register(Cluster(
    MESSAGING_ID, "Messaging",
    attributes=attributes(GLOBAL_ATTRIBUTES),
    client_attributes=attributes(GLOBAL_ATTRIBUTES),
    commands_to_server=_TO_SERVER,
    commands_to_client=_TO_CLIENT,
))

DISPLAY_MESSAGE = _TO_CLIENT[0x00]
CANCEL_MESSAGE = _TO_CLIENT[0x01]
DISPLAY_PROTECTED_MESSAGE = _TO_CLIENT[0x02]
CANCEL_ALL_MESSAGES = _TO_CLIENT[0x03]
GET_LAST_MESSAGE = _TO_SERVER[0x00]
MESSAGE_CONFIRMATION = _TO_SERVER[0x01]
GET_MESSAGE_CANCELLATION = _TO_SERVER[0x02]
