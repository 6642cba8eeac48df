"""Tunneling cluster 0x0704 (ZigBee Smart Energy 1.4), which carries GBCS messages
between the hub's gas proxy and the sleepy gas meter.

Transfer Data carries its data as all remaining bytes, with no length prefix, as Wireshark's
``dissect_zcl_tun_transfer_data`` reads it. The GBCS framing inside that data is in
:mod:`commshub.codecs.zigbee.tunnel`.
"""

from __future__ import annotations

from enum import IntEnum

from construct import GreedyBytes, Int8ul, Int16ul, Struct

from commshub.codecs.zigbee.zcl.clusters.general import GLOBAL_ATTRIBUTES
from commshub.codecs.zigbee.zcl.constructs import CountedList
from commshub.codecs.zigbee.zcl.frame import Direction
from commshub.codecs.zigbee.zcl.schema import Cluster, attributes, commands, register
from commshub.codecs.zigbee.zcl.types import Boolean
from commshub.codecs.zigbee.zcl.types import DataType as T

__all__ = [
    "ACK_TRANSFER_DATA_TO_CLIENT",
    "ACK_TRANSFER_DATA_TO_SERVER",
    "CLOSE_TUNNEL",
    "GET_SUPPORTED_TUNNEL_PROTOCOLS",
    "READY_DATA_TO_CLIENT",
    "READY_DATA_TO_SERVER",
    "REQUEST_TUNNEL",
    "REQUEST_TUNNEL_RESPONSE",
    "SUPPORTED_TUNNEL_PROTOCOLS_RESPONSE",
    "TRANSFER_DATA_ERROR_TO_CLIENT",
    "TRANSFER_DATA_ERROR_TO_SERVER",
    "TRANSFER_DATA_TO_CLIENT",
    "TRANSFER_DATA_TO_SERVER",
    "TUNNELING",
    "TUNNEL_CLOSURE_NOTIFICATION",
    "TUNNEL_ID_FAILED",
    "TransferDataStatus",
    "TunnelStatus",
]

TUNNELING_ID = 0x0704
# Tunnel identifier of a failed Request Tunnel (Smart Energy 1.4).
TUNNEL_ID_FAILED = 0xFFFF


class TunnelStatus(IntEnum):
    """Status of Request Tunnel Response (Smart Energy 1.4)."""

    SUCCESS = 0x00
    BUSY = 0x01
    NO_MORE_TUNNEL_IDS = 0x02
    PROTOCOL_NOT_SUPPORTED = 0x03
    FLOW_CONTROL_NOT_SUPPORTED = 0x04


class TransferDataStatus(IntEnum):
    """Status of Transfer Data Error (Smart Energy 1.4)."""

    NO_SUCH_TUNNEL = 0x00
    WRONG_DEVICE = 0x01
    DATA_OVERFLOW = 0x02


_TUNNEL_DATA = Struct("tunnel_id" / Int16ul, "data" / GreedyBytes)
_TUNNEL_ERROR = Struct("tunnel_id" / Int16ul, "transfer_data_status" / Int8ul)
_ACK = Struct("tunnel_id" / Int16ul, "number_of_bytes_left" / Int16ul)
_READY = Struct("tunnel_id" / Int16ul, "number_of_octets_left" / Int16ul)

_TO_SERVER = commands(
    TUNNELING_ID, Direction.CLIENT_TO_SERVER,
    (0x00, "request_tunnel", Struct(
        "protocol_id" / Int8ul,
        "manufacturer_code" / Int16ul,  # 0xFFFF: not used
        "flow_control_support" / Boolean,
        "maximum_incoming_transfer_size" / Int16ul,  # bytes
    )),
    (0x01, "close_tunnel", Struct("tunnel_id" / Int16ul)),
    (0x02, "transfer_data", _TUNNEL_DATA),
    (0x03, "transfer_data_error", _TUNNEL_ERROR),
    (0x04, "ack_transfer_data", _ACK),
    (0x05, "ready_data", _READY),
    (0x06, "get_supported_tunnel_protocols", Struct("protocol_offset" / Int8ul)),
)

_TO_CLIENT = commands(
    TUNNELING_ID, Direction.SERVER_TO_CLIENT,
    (0x00, "request_tunnel_response", Struct(
        "tunnel_id" / Int16ul,
        "tunnel_status" / Int8ul,
        "maximum_incoming_transfer_size" / Int16ul,  # bytes
    )),
    (0x01, "transfer_data", _TUNNEL_DATA),
    (0x02, "transfer_data_error", _TUNNEL_ERROR),
    (0x03, "ack_transfer_data", _ACK),
    (0x04, "ready_data", _READY),
    (0x05, "supported_tunnel_protocols_response", Struct(
        "protocol_list_complete" / Boolean,
        "protocols" / CountedList(Int8ul, Struct("manufacturer_code" / Int16ul, "protocol_id" / Int8ul)),
    )),
    (0x06, "tunnel_closure_notification", Struct("tunnel_id" / Int16ul)),
)

TUNNELING = register(Cluster(
    TUNNELING_ID, "Tunneling",
    attributes=attributes((0x0000, "close_tunnel_timeout", T.UINT16), GLOBAL_ATTRIBUTES),  # seconds
    client_attributes=attributes(GLOBAL_ATTRIBUTES),
    commands_to_server=_TO_SERVER,
    commands_to_client=_TO_CLIENT,
))

REQUEST_TUNNEL = _TO_SERVER[0x00]
CLOSE_TUNNEL = _TO_SERVER[0x01]
TRANSFER_DATA_TO_SERVER = _TO_SERVER[0x02]
TRANSFER_DATA_ERROR_TO_SERVER = _TO_SERVER[0x03]
ACK_TRANSFER_DATA_TO_SERVER = _TO_SERVER[0x04]
READY_DATA_TO_SERVER = _TO_SERVER[0x05]
GET_SUPPORTED_TUNNEL_PROTOCOLS = _TO_SERVER[0x06]
REQUEST_TUNNEL_RESPONSE = _TO_CLIENT[0x00]
TRANSFER_DATA_TO_CLIENT = _TO_CLIENT[0x01]
TRANSFER_DATA_ERROR_TO_CLIENT = _TO_CLIENT[0x02]
ACK_TRANSFER_DATA_TO_CLIENT = _TO_CLIENT[0x03]
READY_DATA_TO_CLIENT = _TO_CLIENT[0x04]
SUPPORTED_TUNNEL_PROTOCOLS_RESPONSE = _TO_CLIENT[0x05]
TUNNEL_CLOSURE_NOTIFICATION = _TO_CLIENT[0x06]
