"""ZigBee Device Profile frames: a cut-short error response from a real device, scapy's device
announcement, round trips, random bytes, zigpy reading our output, and the decode tree."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner
from construct import Container
from hypothesis import given, settings
from hypothesis import strategies as st

from commshub.cli import main
from commshub.cli.layers import DecodeOptions
from commshub.codecs.strategies.zigbee_stack import zdp_frames
from commshub.codecs.zigbee import zdo
from commshub.codecs.zigbee.describe_stack import decode_aps, decode_nwk
from commshub.codecs.zigbee.nwk import NwkCapabilityInformation
from commshub.errors import CodecError

zigpy_types = pytest.importorskip("zigpy.types")
zigpy_zdo = pytest.importorskip("zigpy.zdo.types")

# scapy's dot15d4.uts: an APS data frame (broadcast to endpoint 0, cluster 0x0013, profile
# 0x0000, counter 0x0C) carrying Device_annce of 0xDEAD / 11:22:33:44:55:66:77:88.
DEVICE_ANNCE_APS = bytes.fromhex("08 00 1300 0000 00 0c" "81 adde 8877665544332211 8e")


def round_trip(data: bytes, cluster_id: int) -> Container:
    frame = zdo.parse_zdp_frame(data, cluster_id)
    assert zdo.build_zdp_frame(frame, cluster_id) == data
    return frame


def test_ieee_addr_rsp_cut_short_after_an_error() -> None:
    # IEEE_addr_rsp from a device (a zigpy bug report): tsn 0x0F, status DEVICE_NOT_FOUND,
    # then only a 2-byte network address where the standard puts 8 + 2 bytes.
    frame = round_trip(bytes.fromhex("0f 81 ad1d"), 0x8001)
    assert frame.transaction_sequence_number == 0x0F
    assert frame.command.status == 0x81
    assert zdo.ZDP_STATUS[frame.command.status] == "DEVICE_NOT_FOUND"
    assert frame.command.ieee_address is None
    assert frame.command.nwk_address == 0x1DAD
    assert frame.command.num_assoc_dev is None
    assert frame.payload == b""


def test_success_response_needs_every_field() -> None:
    with pytest.raises(CodecError, match="ieee_address"):
        zdo.parse_zdp_frame(bytes.fromhex("0f 00 ad1d"), 0x8001)
    value = Container(transaction_sequence_number=1, payload=b"",
                      command=Container(status=0, ieee_address=None, nwk_address=1,
                                        num_assoc_dev=None, start_index=None,
                                        associated_devices=None))
    with pytest.raises(CodecError, match="SUCCESS response needs every field"):
        zdo.build_zdp_frame(value, 0x8001)


def test_error_response_keeps_unread_bytes() -> None:
    # Simple_Desc_rsp NOT_ACTIVE followed by a descriptor length of 0, which a device may send.
    frame = round_trip(bytes.fromhex("07 83 3412 00"), 0x8004)
    assert frame.command.nwk_addr_of_interest == 0x1234
    assert frame.command.simple_descriptor is None
    assert frame.payload == b"\x00"


def test_device_annce_in_an_aps_frame() -> None:
    record = decode_aps(DEVICE_ANNCE_APS, DecodeOptions()).record
    assert record["ok"]
    assert record["round_trip"]
    zdp = next(child for child in record["frame"]["children"] if child["name"] == "zdp")
    assert zdp["meaning"] == "ZigBee Device Profile device_annce"
    frame = round_trip(DEVICE_ANNCE_APS[8:], 0x0013)
    assert frame.transaction_sequence_number == 0x81
    assert frame.command.nwk_address == 0xDEAD
    assert frame.command.ieee_address == 0x1122334455667788
    capability = frame.command.capability
    assert capability.device_type
    assert capability.power_source
    assert capability.receiver_on_when_idle
    assert capability.allocate_address
    assert not capability.security_capability


def test_node_desc_rsp_fields() -> None:
    # An end device of manufacturer 0x117C on 2.4 GHz.
    frame = round_trip(bytes.fromhex("2a 00 3412 02 40 8e 7c11 52 8000 2c00 8000 00"), 0x8002)
    descriptor = frame.command.node_descriptor
    assert descriptor.node_flags.logical_type == "end_device"
    assert descriptor.radio_flags.frequency_band == 0x08
    assert descriptor.mac_capability_flags.receiver_on_when_idle
    assert descriptor.manufacturer_code == 0x117C
    assert descriptor.maximum_buffer_size == 0x52
    assert descriptor.maximum_incoming_transfer_size == 0x80
    assert descriptor.server_mask == 0x2C


def test_mgmt_bind_rsp_entries() -> None:
    data = bytes.fromhex("05 00 02 00 02"
                         "8877665544332211 01 0607 03 1100000000000000 02"
                         "8877665544332211 01 0807 01 3412")
    frame = round_trip(data, 0x8033)
    first, second = frame.command.binding_table_list
    assert first.cluster_id == 0x0706
    assert first.destination_address == 0x11
    assert first.destination_endpoint == 2
    assert second.destination_address == 0x1234
    assert second.destination_endpoint is None


def test_binding_entry_with_an_invalid_address_mode() -> None:
    data = bytes.fromhex("05 00 01 00 01 8877665544332211 01 0607 02 3412")
    with pytest.raises(CodecError, match="invalid destination address mode 0x02"):
        zdo.parse_zdp_frame(data, 0x8033)


def test_unknown_cluster_keeps_the_payload() -> None:
    frame = round_trip(bytes.fromhex("09 010203"), 0x0021)
    assert frame.command is None
    assert frame.payload == bytes.fromhex("010203")


@given(zdp_frames())
def test_zdp_value_round_trip(drawn: tuple[int, Container]) -> None:
    cluster_id, frame = drawn
    data = zdo.build_zdp_frame(frame, cluster_id)
    assert zdo.parse_zdp_frame(data, cluster_id) == frame
    assert zdo.build_zdp_frame(zdo.parse_zdp_frame(data, cluster_id), cluster_id) == data


@settings(max_examples=500)
@given(st.sampled_from(sorted(zdo.ZDP_CLUSTERS)), st.binary(max_size=60))
def test_random_bytes_give_a_value_or_a_codec_error(cluster_id: int, data: bytes) -> None:
    try:
        frame = zdo.parse_zdp_frame(data, cluster_id)
    except CodecError as exc:
        assert str(exc)
        return
    assert zdo.build_zdp_frame(frame, cluster_id) == data


# --- zigpy reads our output ----------------------------------------------------------------


def _eui64(value: Any) -> int:
    return int.from_bytes(value.serialize(), "little")


def _ints(values: Any) -> list[int]:
    return [int(value) for value in values]


def _capability(command: Container) -> int:
    return NwkCapabilityInformation.build(command.capability)[0]


def _leave_options(command: Container) -> int:
    options = command.options
    return int(options.remove_children) << 6 | int(options.rejoin) << 7


def _simple(descriptor: Container) -> list[Any]:
    return [descriptor.endpoint, descriptor.profile_id, descriptor.device_id,
            descriptor.device_version.version, list(descriptor.input_clusters),
            list(descriptor.output_clusters)]


def _zigpy_simple(descriptor: Any) -> list[Any]:
    return [descriptor.endpoint, descriptor.profile, descriptor.device_type,
            descriptor.device_version & 0x0F, _ints(descriptor.input_clusters),
            _ints(descriptor.output_clusters)]


# For each cluster: our values and zigpy's values, in the same order.
_Compare = tuple[Callable[[Container], list[Any]], Callable[[list[Any]], list[Any]]]
_NWK_ADDR_OF_INTEREST: _Compare = (lambda c: [c.nwk_addr_of_interest], lambda z: [int(z[0])])
_START_INDEX: _Compare = (lambda c: [c.start_index], lambda z: [z[0]])
_STATUS: _Compare = (lambda c: [c.status], lambda z: [int(z[0])])
_COMPARISONS: dict[int, _Compare] = {
    0x0002: _NWK_ADDR_OF_INTEREST, 0x0003: _NWK_ADDR_OF_INTEREST, 0x0005: _NWK_ADDR_OF_INTEREST,
    0x0031: _START_INDEX, 0x0033: _START_INDEX, 0x8034: _STATUS, 0x8036: _STATUS,
    0x0000: (lambda c: [c.ieee_address, c.request_type, c.start_index],
             lambda z: [_eui64(z[0]), int(z[1]), z[2]]),
    0x0001: (lambda c: [c.nwk_addr_of_interest, c.request_type, c.start_index],
             lambda z: [int(z[0]), int(z[1]), z[2]]),
    0x0004: (lambda c: [c.nwk_addr_of_interest, c.endpoint], lambda z: [int(z[0]), z[1]]),
    0x0006: (lambda c: [c.nwk_addr_of_interest, c.profile_id, list(c.input_clusters),
                        list(c.output_clusters)],
             lambda z: [int(z[0]), z[1], _ints(z[2]), _ints(z[3])]),
    0x0013: (lambda c: [c.nwk_address, c.ieee_address, _capability(c)],
             lambda z: [int(z[0]), _eui64(z[1]), z[2]]),
    0x0034: (lambda c: [c.device_address, _leave_options(c)],
             lambda z: [_eui64(z[0]), int(z[1]) & 0xC0]),
    0x0036: (lambda c: [c.permit_duration, c.tc_significance], lambda z: [z[0], int(z[1])]),
    # zigpy reads an absent device list as empty.
    0x8000: (lambda c: [c.status, c.ieee_address, c.nwk_address, c.num_assoc_dev,
                        c.start_index, list(c.associated_devices or [])],
             lambda z: [int(z[0]), _eui64(z[1]), int(z[2]), z[3], z[4], _ints(z[5] or [])]),
    0x8002: (lambda c: [c.status, c.nwk_addr_of_interest,
                        zdo.NodeDescriptor.build(c.node_descriptor)],
             lambda z: [int(z[0]), int(z[1]), z[2].serialize()]),
    0x8003: (lambda c: [c.status, c.nwk_addr_of_interest,
                        zdo.PowerDescriptor.build(c.power_descriptor)],
             lambda z: [int(z[0]), int(z[1]), z[2].serialize()]),
    0x8004: (lambda c: [c.status, c.nwk_addr_of_interest, _simple(c.simple_descriptor)],
             lambda z: [int(z[0]), int(z[1]), _zigpy_simple(z[2])]),
    0x8005: (lambda c: [c.status, c.nwk_addr_of_interest, list(c.active_endpoints)],
             lambda z: [int(z[0]), int(z[1]), _ints(z[2])]),
    0x8006: (lambda c: [c.status, c.nwk_addr_of_interest, list(c.match_list)],
             lambda z: [int(z[0]), int(z[1]), _ints(z[2])]),
    0x8031: (lambda c: [c.status, c.neighbor_table_entries, c.start_index,
                        [(n.extended_pan_id, n.extended_address, n.network_address,
                          int(n.device_flags.relationship), n.depth, n.lqi)
                         for n in c.neighbor_table_list]],
             lambda z: [int(z[0]), z[1].Entries, z[1].StartIndex,
                        [(_eui64(n.extended_pan_id), _eui64(n.ieee), int(n.nwk),
                          int(n.relationship), n.depth, n.lqi)
                         for n in z[1].NeighborTableList]]),
    0x8033: (lambda c: [c.status, c.binding_table_entries, c.start_index,
                        [(b.source_address, b.cluster_id, b.destination_address_mode)
                         for b in c.binding_table_list]],
             lambda z: [int(z[0]), z[1], z[2],
                        [(_eui64(b.SrcAddress), b.ClusterId, b.DstAddress.addrmode)
                         for b in z[3]]]),
}
_COMPARISONS[0x8001] = _COMPARISONS[0x8000]


def _successful_known_frames() -> st.SearchStrategy[tuple[int, Container]]:
    return zdp_frames().filter(
        lambda drawn: drawn[0] in _COMPARISONS
        and (drawn[1].command.get("status") in (None, 0)))


@settings(max_examples=300)
@given(_successful_known_frames())
def test_zigpy_reads_our_zdp_frames(drawn: tuple[int, Container]) -> None:
    cluster_id, frame = drawn
    data = zdo.build_zdp_frame(frame, cluster_id)
    _, schema = zigpy_zdo.CLUSTERS[zigpy_zdo.ZDOCmd(cluster_id)]
    values, rest = zigpy_types.deserialize(data[1:], schema)
    assert rest == b""
    ours, theirs = _COMPARISONS[cluster_id]
    assert ours(frame.command) == theirs(values)


# --- decode trees -----------------------------------------------------------------------------


def test_decode_cli_shows_the_zdp_frame() -> None:
    aps_frame = bytes.fromhex("00 00 0180 0000 00 07") + bytes.fromhex("0f 81 ad1d")
    result = CliRunner().invoke(main, ["decode", "--as", "aps", "--json", aps_frame.hex()])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    zdp = next(child for child in record["frame"]["children"] if child["name"] == "zdp")
    assert zdp["meaning"] == "ZigBee Device Profile ieee_addr_rsp"
    command = next(child for child in zdp["children"] if child["name"] == "command")
    status = next(child for child in command["children"] if child["name"] == "status")
    assert status["meaning"] == "DEVICE_NOT_FOUND"


def test_zdp_inside_a_nwk_frame() -> None:
    nwk_frame = bytes.fromhex("0800 fdff 0000 1e 42") + DEVICE_ANNCE_APS
    record = decode_nwk(nwk_frame, DecodeOptions()).record
    assert record["ok"]
    assert '"name": "zdp"' in json.dumps(record)


def test_aps_frame_to_another_endpoint_is_not_zdp() -> None:
    other = bytearray(DEVICE_ANNCE_APS)
    other[1] = 0x01  # destination endpoint 1
    record = decode_aps(bytes(other), DecodeOptions()).record
    assert '"name": "zdp"' not in json.dumps(record)
