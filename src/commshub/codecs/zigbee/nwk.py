"""ZigBee network layer (NWK) frames: data, command and inter-PAN frames, with multicast
control, source routes, the auxiliary security header and the NWK commands; and the ZigBee
beacon payload carried in 802.15.4 beacons.

Layouts follow the ZigBee specification 05-3474 (R22) section 3.3 (frame formats) and 3.4
(command frames). Extended addresses are ints, little-endian on the air.

A secured frame carries its payload (and, for a command frame, the command identifier)
encrypted; it parses into ``payload`` bytes. Parsing the output of :func:`unsecure_nwk_frame`,
or passing ``plaintext=True``, decodes the command fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from construct import (
    Array,
    Bytes,
    Container,
    GreedyBytes,
    If,
    Int8sl,
    Int8ul,
    Int16ul,
    Int24ul,
    Int64ul,
    Rebuild,
    Struct,
    Switch,
    len_,
    this,
)

from commshub.codecs.common import parse
from commshub.codecs.zigbee.security import (
    ZIGBEE_SECURITY_LEVEL,
    AuxiliaryHeader,
    frame_mic_length,
    payload_is_ciphertext,
    secure_zigbee_frame,
    unsecure_zigbee_frame,
)
from commshub.codecs.zigbee.stack_common import (
    AllButLast,
    BitFields,
    build_value,
    enum_int,
)

__all__ = [
    "END_DEVICE_TIMEOUTS_MINUTES",
    "NWK_COMMANDS",
    "NWK_FRAME_TYPES",
    "NWK_PROTOCOL_VERSION",
    "NWK_STATUS_CODES",
    "NwkCommand",
    "NwkFrame",
    "NwkFrameControl",
    "ZigbeeBeaconPayload",
    "build_nwk_frame",
    "build_zigbee_beacon",
    "parse_nwk_frame",
    "parse_zigbee_beacon",
    "secure_nwk_frame",
    "unsecure_nwk_frame",
]

_ROOT = "nwk"
NWK_PROTOCOL_VERSION = 2  # ZigBee 2006 and later, including ZigBee PRO

# ZigBee Table 3.45: frame type sub-field.
NWK_FRAME_TYPES = {0: "data", 1: "command", 3: "inter_pan"}
_DATA, _COMMAND, _INTER_PAN = 0, 1, 3
DISCOVER_ROUTE = {0: "suppress", 1: "enable"}

NwkFrameControl = BitFields(
    Int16ul,
    ("frame_type", 2, NWK_FRAME_TYPES),
    ("protocol_version", 4),
    ("discover_route", 2, DISCOVER_ROUTE),
    ("multicast", 1),
    ("security", 1),
    ("source_route", 1),
    ("destination_ieee_address", 1),
    ("source_ieee_address", 1),
    ("end_device_initiator", 1),
    ("reserved", 2),
)

# ZigBee 3.3.1.8: multicast control field.
MULTICAST_MODES = {0: "non_member", 1: "member"}
MulticastControl = BitFields(
    Int8ul,
    ("multicast_mode", 2, MULTICAST_MODES),
    ("nonmember_radius", 3),
    ("max_nonmember_radius", 3),
)

SourceRoute = Struct(
    "_relay_count" / Rebuild(Int8ul, len_(this.relay_list)),
    "relay_index" / Int8ul,
    "relay_list" / Array(this._relay_count, Int16ul),
)

# ZigBee Table 3.40: NWK command identifiers.
NWK_COMMANDS = {
    0x01: "route_request", 0x02: "route_reply", 0x03: "network_status", 0x04: "leave",
    0x05: "route_record", 0x06: "rejoin_request", 0x07: "rejoin_response",
    0x08: "link_status", 0x09: "network_report", 0x0A: "network_update",
    0x0B: "end_device_timeout_request", 0x0C: "end_device_timeout_response",
    0x0D: "link_power_delta",
}

# ZigBee Table 3.42: network status codes.
NWK_STATUS_CODES = {
    0x00: "no_route_available", 0x01: "tree_link_failure", 0x02: "non_tree_link_failure",
    0x03: "low_battery_level", 0x04: "no_routing_capacity", 0x05: "no_indirect_capacity",
    0x06: "indirect_transaction_expiry", 0x07: "target_device_unavailable",
    0x08: "target_address_unallocated", 0x09: "parent_link_failure",
    0x0A: "validate_route", 0x0B: "source_route_failure", 0x0C: "many_to_one_route_failure",
    0x0D: "address_conflict", 0x0E: "verify_addresses", 0x0F: "pan_identifier_update",
    0x10: "network_address_update", 0x11: "bad_frame_counter",
    0x12: "bad_key_sequence_number", 0x13: "unknown_command",
}

# ZigBee Table 3.54: requested timeout enumeration, in minutes (index 0 is 10 seconds).
END_DEVICE_TIMEOUTS_MINUTES = {0: 10 / 60, **{index: 2 ** index for index in range(1, 15)}}

MANY_TO_ONE = {0: "not_many_to_one", 1: "with_route_record", 2: "without_route_record"}

# The capability information byte of the MAC association request, reused by rejoin requests.
NwkCapabilityInformation = BitFields(
    Int8ul,
    ("alternate_pan_coordinator", 1),
    ("device_type", 1),
    ("power_source", 1),
    ("receiver_on_when_idle", 1),
    ("reserved", 2),
    ("security_capability", 1),
    ("allocate_address", 1),
)

_PAN_ID_CONFLICT_REPORT = 0  # report command identifier (ZigBee Table 3.50)
_PAN_ID_UPDATE = 0  # update command identifier (ZigBee Table 3.52)

RouteRequest = Struct(
    "options" / BitFields(Int8ul, ("reserved1", 3), ("many_to_one", 2, MANY_TO_ONE),
                          ("destination_ieee_address", 1), ("multicast", 1), ("reserved2", 1)),
    "route_request_id" / Int8ul,
    "destination_address" / Int16ul,
    "path_cost" / Int8ul,
    "destination_ieee_address" / If(this.options.destination_ieee_address, Int64ul),
)

RouteReply = Struct(
    "options" / BitFields(Int8ul, ("reserved1", 4), ("originator_ieee_address", 1),
                          ("responder_ieee_address", 1), ("multicast", 1), ("reserved2", 1)),
    "route_request_id" / Int8ul,
    "originator_address" / Int16ul,
    "responder_address" / Int16ul,
    "path_cost" / Int8ul,
    "originator_ieee_address" / If(this.options.originator_ieee_address, Int64ul),
    "responder_ieee_address" / If(this.options.responder_ieee_address, Int64ul),
)

LinkStatusEntry = Struct(
    "address" / Int16ul,
    "link" / BitFields(Int8ul, ("incoming_cost", 3), ("reserved1", 1), ("outgoing_cost", 3),
                       ("reserved2", 1)),
)

NwkCommand = Switch(
    lambda ctx: int(ctx.command_id),
    {
        0x01: RouteRequest,
        0x02: RouteReply,
        0x03: Struct("status_code" / Int8ul, "destination_address" / Int16ul),
        0x04: Struct("options" / BitFields(Int8ul, ("reserved", 5), ("rejoin", 1),
                                           ("request", 1), ("remove_children", 1))),
        0x05: Struct("_relay_count" / Rebuild(Int8ul, len_(this.relay_list)),
                     "relay_list" / Array(this._relay_count, Int16ul)),
        0x06: Struct("capability_information" / NwkCapabilityInformation),
        0x07: Struct("network_address" / Int16ul, "rejoin_status" / Int8ul),
        0x08: Struct(
            "options" / BitFields(Int8ul, ("entry_count", 5), ("first_frame", 1),
                                  ("last_frame", 1), ("reserved", 1)),
            "entries" / Array(this.options.entry_count, LinkStatusEntry),
        ),
        0x09: Struct(
            "options" / BitFields(Int8ul, ("report_information_count", 5),
                                  ("report_command_id", 3)),
            "extended_pan_id" / Int64ul,
            "pan_ids" / If(this.options.report_command_id == _PAN_ID_CONFLICT_REPORT,
                           Array(this.options.report_information_count, Int16ul)),
        ),
        0x0A: Struct(
            "options" / BitFields(Int8ul, ("update_information_count", 5),
                                  ("update_command_id", 3)),
            "extended_pan_id" / Int64ul,
            "update_id" / Int8ul,
            "pan_ids" / If(this.options.update_command_id == _PAN_ID_UPDATE,
                           Array(this.options.update_information_count, Int16ul)),
        ),
        0x0B: Struct("requested_timeout" / Int8ul, "end_device_configuration" / Int8ul),
        0x0C: Struct("status" / Int8ul,
                     "parent_information" / BitFields(
                         Int8ul, ("mac_data_poll_keepalive", 1),
                         ("end_device_timeout_request_keepalive", 1),
                         ("power_negotiation_support", 1), ("reserved", 5))),
        0x0D: Struct(
            "options" / BitFields(Int8ul, ("type", 2), ("reserved", 6)),
            "_count" / Rebuild(Int8ul, len_(this.entries)),
            "entries" / Array(this._count, Struct("device_address" / Int16ul,
                                                  "power_delta" / Int8sl)),
        ),
    },
)


def _routed(ctx: Any) -> bool:
    # An inter-PAN frame's NWK header is its frame control alone (ZigBee Annex B.3).
    return enum_int(ctx.frame_control.frame_type, NWK_FRAME_TYPES) != _INTER_PAN


def _command_id_present(ctx: Any) -> bool:
    frame_type = enum_int(ctx.frame_control.frame_type, NWK_FRAME_TYPES)
    return frame_type == _COMMAND and not payload_is_ciphertext(ctx)


def _command_present(ctx: Any) -> bool:
    # Checked again here because a value being built may hold a command_id that the
    # command_id field skipped (the payload is ciphertext).
    return ctx.command_id is not None and not payload_is_ciphertext(ctx)


NwkFrame = Struct(
    "frame_control" / NwkFrameControl,
    "destination_address" / If(_routed, Int16ul),
    "source_address" / If(_routed, Int16ul),
    "radius" / If(_routed, Int8ul),
    "sequence_number" / If(_routed, Int8ul),
    "destination_ieee_address" / If(this.frame_control.destination_ieee_address, Int64ul),
    "source_ieee_address" / If(this.frame_control.source_ieee_address, Int64ul),
    "multicast_control" / If(this.frame_control.multicast, MulticastControl),
    "source_route" / If(this.frame_control.source_route, SourceRoute),
    "auxiliary_security_header" / If(this.frame_control.security, AuxiliaryHeader),
    "command_id" / If(_command_id_present, Int8ul),
    "command" / If(_command_present, NwkCommand),
    "payload" / AllButLast(frame_mic_length, GreedyBytes),
    "mic" / Bytes(frame_mic_length),
)

# ZigBee Table 3.56: the beacon payload a ZigBee router or coordinator sends.
ZigbeeBeaconPayload = Struct(
    "protocol_id" / Int8ul,
    "information" / BitFields(
        Int16ul, ("stack_profile", 4), ("protocol_version", 4), ("reserved", 2),
        ("router_capacity", 1), ("device_depth", 4), ("end_device_capacity", 1)),
    "extended_pan_id" / Int64ul,
    "tx_offset" / Int24ul,
    "update_id" / Int8ul,
)


def parse_nwk_frame(data: bytes, *, security_level: int = ZIGBEE_SECURITY_LEVEL,
                    plaintext: bool = False) -> Container:
    """Parse a NWK frame. ``security_level`` replaces the 0 that secured frames carry on the
    air when sizing the MIC; ``plaintext`` reads a frame whose payload was decrypted in place."""
    return parse(NwkFrame, data, root=_ROOT, security_level=security_level, plaintext=plaintext)


def build_nwk_frame(frame: Mapping[str, Any], *, security_level: int = ZIGBEE_SECURITY_LEVEL,
                    plaintext: bool = False) -> bytes:
    """Build a NWK frame from a value shaped like :func:`parse_nwk_frame`'s result."""
    return build_value(NwkFrame, frame, root=_ROOT, security_level=security_level,
                 plaintext=plaintext)


def secure_nwk_frame(frame: Mapping[str, Any], network_key: bytes, *,
                     security_level: int = ZIGBEE_SECURITY_LEVEL) -> bytes:
    """Build ``frame`` with its payload encrypted and authenticated under the network key.

    The nonce's EUI-64 is the auxiliary header's source address, which NWK security always
    carries (extended nonce set, ZigBee 4.3.1.1).
    """
    return secure_zigbee_frame(NwkFrame, frame, network_key, root=_ROOT,
                               security_level=security_level)


def unsecure_nwk_frame(data: bytes, network_key: bytes, *,
                       security_level: int = ZIGBEE_SECURITY_LEVEL) -> Container:
    """Check the MIC of a secured NWK frame and return it parsed with its payload decrypted.

    Raises SecurityError when the MIC does not match (wrong key or altered frame)."""
    return unsecure_zigbee_frame(NwkFrame, data, network_key, root=_ROOT,
                                 security_level=security_level)


def parse_zigbee_beacon(data: bytes) -> Container:
    """Parse the ZigBee beacon payload of an 802.15.4 beacon frame."""
    return parse(ZigbeeBeaconPayload, data, root="zigbee_beacon")


def build_zigbee_beacon(payload: Mapping[str, Any]) -> bytes:
    """Build a ZigBee beacon payload."""
    return build_value(ZigbeeBeaconPayload, payload, root="zigbee_beacon")
