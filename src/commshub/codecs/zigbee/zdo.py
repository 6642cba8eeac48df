"""ZigBee Device Profile (ZDP) frames: the ZDO commands a coordinator exchanges with the devices
of its network.

A ZDP frame is the APS payload of a frame to endpoint 0 with profile 0x0000; the APS cluster
identifier names the command, and bit 15 set marks a response. The frame is a transaction
sequence number followed by the command's fields. Covered here: NWK and IEEE address,
node, power and simple descriptor, active endpoint and match descriptor requests and
responses, the device announcement, and the management leave, LQI, bind and permit-joining
requests and responses. Other clusters keep their fields as raw ``payload`` bytes.

Layouts follow the ZigBee specification 05-3474: section 2.3.2 for the node, power and simple
descriptors, section 2.4 for the ZDP commands and status values. The tests check them against
zigpy's ZDO declarations (zigpy/zdo/types.py), which read our output to the same values.

Devices cut error responses short: an IEEE_addr_rsp with status DEVICE_NOT_FOUND may carry
just a 2-byte network address where the standard puts an IEEE and a network address. So after
a status other than SUCCESS a field is read only when the bytes for it remain, and whatever
cannot be read stays in ``payload``. After SUCCESS every field is required.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from construct import (
    Construct,
    Container,
    ExplicitError,
    GreedyBytes,
    GreedyRange,
    If,
    Int8ul,
    Int16ul,
    Int64ul,
    Prefixed,
    PrefixedArray,
    SizeofError,
    Struct,
    Subconstruct,
    Switch,
    this,
)

from commshub.codecs.common import parse
from commshub.codecs.zigbee.nwk import NwkCapabilityInformation
from commshub.codecs.zigbee.stack_common import BitFields, build_value, stream_remaining

__all__ = [
    "LOGICAL_TYPES",
    "NEIGHBOR_DEVICE_TYPES",
    "PERMIT_JOINING",
    "RELATIONSHIPS",
    "REQUEST_TYPES",
    "RESPONSE_FLAG",
    "RX_ON_WHEN_IDLE",
    "ZDO_ENDPOINT",
    "ZDP_CLUSTERS",
    "ZDP_PROFILE_ID",
    "ZDP_STATUS",
    "BindingEntry",
    "Neighbor",
    "NodeDescriptor",
    "PowerDescriptor",
    "SimpleDescriptor",
    "ZdpCommand",
    "ZdpFrame",
    "build_zdp_frame",
    "is_zdp",
    "parse_zdp_frame",
]

_ROOT = "zdp"
ZDP_PROFILE_ID = 0x0000
ZDO_ENDPOINT = 0x00
RESPONSE_FLAG = 0x8000  # a response's cluster identifier is its request's with bit 15 set
SUCCESS = 0x00

# ZDP cluster identifiers of the commands declared here.
ZDP_CLUSTERS = {
    0x0000: "nwk_addr_req", 0x0001: "ieee_addr_req", 0x0002: "node_desc_req",
    0x0003: "power_desc_req", 0x0004: "simple_desc_req", 0x0005: "active_ep_req",
    0x0006: "match_desc_req", 0x0013: "device_annce", 0x0031: "mgmt_lqi_req",
    0x0033: "mgmt_bind_req", 0x0034: "mgmt_leave_req", 0x0036: "mgmt_permit_joining_req",
    0x8000: "nwk_addr_rsp", 0x8001: "ieee_addr_rsp", 0x8002: "node_desc_rsp",
    0x8003: "power_desc_rsp", 0x8004: "simple_desc_rsp", 0x8005: "active_ep_rsp",
    0x8006: "match_desc_rsp", 0x8031: "mgmt_lqi_rsp", 0x8033: "mgmt_bind_rsp",
    0x8034: "mgmt_leave_rsp", 0x8036: "mgmt_permit_joining_rsp",
}

# ZDP enumerated status values.
ZDP_STATUS = {
    0x00: "SUCCESS", 0x80: "INV_REQUESTTYPE", 0x81: "DEVICE_NOT_FOUND", 0x82: "INVALID_EP",
    0x83: "NOT_ACTIVE", 0x84: "NOT_SUPPORTED", 0x85: "TIMEOUT", 0x86: "NO_MATCH",
    0x88: "NO_ENTRY", 0x89: "NO_DESCRIPTOR", 0x8A: "INSUFFICIENT_SPACE", 0x8B: "NOT_PERMITTED",
    0x8C: "TABLE_FULL", 0x8D: "NOT_AUTHORIZED", 0x8E: "DEVICE_BINDING_TABLE_FULL",
    0x8F: "INVALID_INDEX",
}

# RequestType of NWK_addr_req and IEEE_addr_req.
REQUEST_TYPES = {0x00: "single_device_response", 0x01: "extended_response"}

# Binding table destination address modes.
_GROUP_ADDRESS_MODE = 0x01
_EXTENDED_ADDRESS_MODE = 0x03


class _IfRemaining(Subconstruct):  # type: ignore[misc]
    """A fixed-size field read only when its bytes remain in the stream; None otherwise.

    Built from None it writes nothing, so a value cut short after some field round-trips.
    """

    def __init__(self, subcon: Construct) -> None:
        super().__init__(subcon)
        self.flagbuildnone = True

    def _present(self, stream: Any, context: Any, path: str) -> bool:
        try:
            size = self.subcon._sizeof(context, path)
        except SizeofError:
            # A field of variable size is read only after SUCCESS.
            return False
        return bool(stream_remaining(stream, path) >= size)

    def _parse(self, stream: Any, context: Any, path: str) -> Any:
        if not self._present(stream, context, path):
            return None
        return self.subcon._parsereport(stream, context, path)

    def _build(self, obj: Any, stream: Any, context: Any, path: str) -> Any:
        if obj is None:
            return None
        return self.subcon._build(obj, stream, context, path)

    def _sizeof(self, context: Any, path: str) -> int:
        raise SizeofError("the field is present only when its bytes remain", path=path)


class _OnSuccess(_IfRemaining):
    """A response field that status SUCCESS requires; after any other status it is read only
    when its bytes remain, because devices cut error responses short."""

    def _present(self, stream: Any, context: Any, path: str) -> bool:
        if context.status == SUCCESS:
            return True
        return super()._present(stream, context, path)

    def _build(self, obj: Any, stream: Any, context: Any, path: str) -> Any:
        if obj is None and context.status == SUCCESS:
            raise ExplicitError("missing field: a SUCCESS response needs every field", path=path)
        return super()._build(obj, stream, context, path)


class _InvalidAddressMode(Construct):  # type: ignore[misc]
    """Raise for a binding destination address mode other than group (1) or extended (3):
    the entry's length, and so every later entry, is then unknown."""

    def _parse(self, stream: Any, context: Any, path: str) -> Any:
        raise ExplicitError(f"invalid destination address mode "
                            f"0x{context.destination_address_mode:02X}: expected 0x01 (group) "
                            f"or 0x03 (extended address and endpoint)", path=path)

    def _build(self, obj: Any, stream: Any, context: Any, path: str) -> Any:
        return self._parse(stream, context, path)

    def _sizeof(self, context: Any, path: str) -> int:
        raise SizeofError("the size depends on the address mode", path=path)


_ClusterList = PrefixedArray(Int8ul, Int16ul)

# Names of the enumerated bit fields in descriptors and table entries.
LOGICAL_TYPES = {0: "coordinator", 1: "router", 2: "end_device"}
NEIGHBOR_DEVICE_TYPES = {0: "coordinator", 1: "router", 2: "end_device", 3: "unknown"}
RX_ON_WHEN_IDLE = {0: "off", 1: "on", 2: "unknown"}
RELATIONSHIPS = {0: "parent", 1: "child", 2: "sibling", 3: "none", 4: "previous_child"}
PERMIT_JOINING = {0: "not_accepting", 1: "accepting", 2: "unknown"}

# The node descriptor, 13 bytes.
NodeDescriptor = Struct(
    "node_flags" / BitFields(Int8ul, ("logical_type", 3, LOGICAL_TYPES),
                            ("complex_descriptor_available", 1),
                            ("user_descriptor_available", 1), ("reserved", 3)),
    "radio_flags" / BitFields(Int8ul, ("aps_flags", 3), ("frequency_band", 5)),
    "mac_capability_flags" / NwkCapabilityInformation,
    "manufacturer_code" / Int16ul,
    "maximum_buffer_size" / Int8ul,  # bytes of NSDU
    "maximum_incoming_transfer_size" / Int16ul,  # bytes of ASDU
    "server_mask" / Int16ul,
    "maximum_outgoing_transfer_size" / Int16ul,  # bytes of ASDU
    "descriptor_capability" / Int8ul,
)

# The power descriptor, 2 bytes.
PowerDescriptor = BitFields(
    Int16ul,
    ("current_power_mode", 4),
    ("available_power_sources", 4),  # bit 0 mains, 1 rechargeable, 2 disposable battery
    ("current_power_source", 4),
    ("current_power_source_level", 4),  # 0 critical, 4 33 %, 8 66 %, 12 100 %
)

# The simple descriptor of one endpoint.
SimpleDescriptor = Struct(
    "endpoint" / Int8ul,
    "profile_id" / Int16ul,
    "device_id" / Int16ul,
    "device_version" / BitFields(Int8ul, ("version", 4), ("reserved", 4)),
    "input_clusters" / _ClusterList,
    "output_clusters" / _ClusterList,
)

# Mgmt_Lqi_rsp neighbor table entry, 22 bytes.
Neighbor = Struct(
    "extended_pan_id" / Int64ul,
    "extended_address" / Int64ul,
    "network_address" / Int16ul,
    "device_flags" / BitFields(
        Int8ul,
        ("device_type", 2, NEIGHBOR_DEVICE_TYPES),
        ("rx_on_when_idle", 2, RX_ON_WHEN_IDLE),
        ("relationship", 3, RELATIONSHIPS),
        ("reserved", 1)),
    "joining_flags" / BitFields(Int8ul, ("permit_joining", 2, PERMIT_JOINING), ("reserved", 6)),
    "depth" / Int8ul,
    "lqi" / Int8ul,
)

# Mgmt_Bind_rsp binding table entry.
BindingEntry = Struct(
    "source_address" / Int64ul,
    "source_endpoint" / Int8ul,
    "cluster_id" / Int16ul,
    "destination_address_mode" / Int8ul,
    "destination_address" / Switch(this.destination_address_mode,
                                   {_GROUP_ADDRESS_MODE: Int16ul,
                                    _EXTENDED_ADDRESS_MODE: Int64ul},
                                   default=_InvalidAddressMode()),
    "destination_endpoint" / If(this.destination_address_mode == _EXTENDED_ADDRESS_MODE, Int8ul),
)

_ADDRESS_RESPONSE = Struct(
    "status" / Int8ul,
    "ieee_address" / _OnSuccess(Int64ul),
    "nwk_address" / _OnSuccess(Int16ul),
    # Present only in the extended response.
    "num_assoc_dev" / _IfRemaining(Int8ul),
    "start_index" / _IfRemaining(Int8ul),
    "associated_devices" / If(lambda ctx: ctx.start_index is not None, GreedyRange(Int16ul)),
)


def _status_only() -> Struct:
    return Struct("status" / Int8ul)


def _table_response(entry: Construct, entries: str, entry_list: str) -> Struct:
    return Struct(
        "status" / Int8ul,
        entries / _OnSuccess(Int8ul),  # total entries in the table
        "start_index" / _OnSuccess(Int8ul),
        entry_list / If(this.status == SUCCESS, PrefixedArray(Int8ul, entry)),
    )


def _endpoint_list_response(name: str) -> Struct:
    return Struct(
        "status" / Int8ul,
        "nwk_addr_of_interest" / _OnSuccess(Int16ul),
        name / If(this.status == SUCCESS, PrefixedArray(Int8ul, Int8ul)),
    )


_ADDRESS_REQUEST_TAIL = ("request_type" / Int8ul, "start_index" / Int8ul)

ZdpCommand = Switch(
    lambda ctx: ctx._root._params.get("cluster_id"),
    {
        0x0000: Struct("ieee_address" / Int64ul, *_ADDRESS_REQUEST_TAIL),
        0x0001: Struct("nwk_addr_of_interest" / Int16ul, *_ADDRESS_REQUEST_TAIL),
        0x0002: Struct("nwk_addr_of_interest" / Int16ul),
        0x0003: Struct("nwk_addr_of_interest" / Int16ul),
        0x0004: Struct("nwk_addr_of_interest" / Int16ul, "endpoint" / Int8ul),
        0x0005: Struct("nwk_addr_of_interest" / Int16ul),
        0x0006: Struct("nwk_addr_of_interest" / Int16ul, "profile_id" / Int16ul,
                       "input_clusters" / _ClusterList, "output_clusters" / _ClusterList),
        0x0013: Struct("nwk_address" / Int16ul, "ieee_address" / Int64ul,
                       "capability" / NwkCapabilityInformation),
        0x0031: Struct("start_index" / Int8ul),
        0x0033: Struct("start_index" / Int8ul),
        0x0034: Struct("device_address" / Int64ul,
                       "options" / BitFields(Int8ul, ("reserved", 6), ("remove_children", 1),
                                             ("rejoin", 1))),
        0x0036: Struct("permit_duration" / Int8ul,  # seconds; 0xFF: no time limit
                       "tc_significance" / Int8ul),
        0x8000: _ADDRESS_RESPONSE,
        0x8001: _ADDRESS_RESPONSE,
        0x8002: Struct("status" / Int8ul, "nwk_addr_of_interest" / _OnSuccess(Int16ul),
                       "node_descriptor" / _OnSuccess(NodeDescriptor)),
        0x8003: Struct("status" / Int8ul, "nwk_addr_of_interest" / _OnSuccess(Int16ul),
                       "power_descriptor" / _OnSuccess(PowerDescriptor)),
        0x8004: Struct("status" / Int8ul, "nwk_addr_of_interest" / _OnSuccess(Int16ul),
                       # The length byte that precedes the descriptor is rebuilt from it.
                       "simple_descriptor" / If(this.status == SUCCESS,
                                                Prefixed(Int8ul, SimpleDescriptor))),
        0x8005: _endpoint_list_response("active_endpoints"),
        0x8006: _endpoint_list_response("match_list"),
        0x8031: _table_response(Neighbor, "neighbor_table_entries", "neighbor_table_list"),
        0x8033: _table_response(BindingEntry, "binding_table_entries", "binding_table_list"),
        0x8034: _status_only(),
        0x8036: _status_only(),
    },
)

ZdpFrame = Struct(
    "transaction_sequence_number" / Int8ul,
    "command" / ZdpCommand,
    # The fields of a cluster not declared here, or bytes after a response cut short.
    "payload" / GreedyBytes,
)


def is_zdp(destination_endpoint: int | None, profile_id: int | None) -> bool:
    """Return whether an APS data frame to ``destination_endpoint`` with ``profile_id``
    carries a ZDP frame."""
    return destination_endpoint == ZDO_ENDPOINT and profile_id == ZDP_PROFILE_ID


def parse_zdp_frame(data: bytes, cluster_id: int) -> Container:
    """Parse a ZDP frame, the APS payload of a frame with ``cluster_id``.

    ``command`` contains the declared command's fields, or None for other clusters.
    """
    return parse(ZdpFrame, data, root=_ROOT, cluster_id=cluster_id)


def build_zdp_frame(frame: Mapping[str, Any], cluster_id: int) -> bytes:
    """Build a ZDP frame from a value shaped like :func:`parse_zdp_frame`'s result."""
    return build_value(ZdpFrame, frame, root=_ROOT, cluster_id=cluster_id)
