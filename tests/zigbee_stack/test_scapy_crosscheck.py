"""scapy decodes our 802.15.4, NWK and APS output to the same field values.

scapy 2.x dissects the 2003/2006 MAC frame format, the ZigBee NWK header without multicast
control, the ZigBee security header and the APS header and commands. These frames are left
out, each for a scapy limit:

- frame version 2, which scapy reads with the 2006 layout (scapy #4947);
- beacons with GTS descriptors (scapy has no GTS list);
- data and command frames without a destination address, which scapy leaves undissected.

The strategy draws 2003 and 2006 frames valid for their standard only, so the invalid cases
scapy reads differently (a compression bit with one address only) are not drawn.
"""

from __future__ import annotations

from typing import Any

import pytest
from construct import Container
from hypothesis import assume, given

from commshub.codecs.common import build
from commshub.codecs.strategies.zigbee_stack import aps_frames, mac_frames, nwk_frames
from commshub.codecs.zigbee import aps, mac, nwk

scapy_config = pytest.importorskip("scapy.config")
scapy_config.conf.dot15d4_protocol = "zigbee"
dot15d4 = pytest.importorskip("scapy.layers.dot15d4")
zigbee = pytest.importorskip("scapy.layers.zigbee")


def _scapy_mac_supports(frame: Container) -> bool:
    fc = frame.frame_control
    dst = int(fc.destination_addressing_mode)
    if int(fc.frame_version) >= 2:
        return False
    if int(fc.frame_type) in (1, 3) and dst == 0:
        return False  # scapy leaves such frames as Raw
    return not (frame.beacon is not None and frame.beacon.gts_list)  # scapy has no GTS list


def _mac_layer(packet: Any) -> Any:
    for layer in (dot15d4.Dot15d4Data, dot15d4.Dot15d4Beacon, dot15d4.Dot15d4Cmd):
        if packet.haslayer(layer):
            return packet[layer]
    return None


@given(mac_frames())
def test_scapy_reads_our_mac_frames(frame: Container) -> None:
    assume(_scapy_mac_supports(frame))
    data = mac.build_mac_frame(frame)
    packet = dot15d4.Dot15d4FCS(data)
    fc = frame.frame_control
    assert packet.fcf_frametype == int(fc.frame_type)
    assert bool(packet.fcf_security) == fc.security_enabled
    assert bool(packet.fcf_pending) == fc.frame_pending
    assert bool(packet.fcf_ackreq) == fc.ack_request
    assert bool(packet.fcf_panidcompress) == fc.pan_id_compression
    assert packet.fcf_destaddrmode == int(fc.destination_addressing_mode)
    assert packet.fcf_srcaddrmode == int(fc.source_addressing_mode)
    assert packet.fcf_framever == int(fc.frame_version)
    assert packet.seqnum == frame.sequence_number
    assert packet.fcs == mac.crc16_kermit(data[:-2])
    layer = _mac_layer(packet)
    if layer is None:
        assert int(fc.frame_type) == 2
        return
    if int(fc.frame_type) != 0:
        assert layer.dest_panid == frame.destination_pan_id
        assert layer.dest_addr == frame.destination_address
    assert layer.src_panid == frame.source_pan_id
    assert layer.src_addr == frame.source_address
    aux = frame.auxiliary_security_header
    if aux is not None:
        header = layer.aux_sec_header
        assert header.sec_sc_seclevel == aux.security_control.security_level
        assert header.sec_sc_keyidmode == int(aux.security_control.key_id_mode)
        assert header.sec_framecounter == aux.frame_counter
        if aux.key_index is not None:
            assert header.sec_keyid_keyindex == aux.key_index
    if frame.beacon is not None:
        _check_beacon(layer, frame.beacon)
    if int(fc.frame_type) == 3:
        assert layer.cmd_id == frame.command_id
        _check_mac_command(layer, frame)


def _check_beacon(layer: Any, beacon: Container) -> None:
    spec = beacon.superframe_specification
    assert layer.sf_beaconorder == spec.beacon_order
    assert layer.sf_sforder == spec.superframe_order
    assert layer.sf_finalcapslot == spec.final_cap_slot
    assert bool(layer.sf_pancoord) == spec.pan_coordinator
    assert bool(layer.sf_assocpermit) == spec.association_permit
    assert layer.gts_spec_desccount == beacon.gts_specification.descriptor_count
    assert bool(layer.gts_spec_permit) == beacon.gts_specification.gts_permit
    pending = beacon.pending_address_specification
    assert layer.pa_num_short == pending.short_count
    assert layer.pa_num_long == pending.extended_count
    assert list(layer.pa_short_addresses) == list(beacon.pending_short_addresses)
    assert list(layer.pa_long_addresses) == list(beacon.pending_extended_addresses)


def _check_mac_command(layer: Any, frame: Container) -> None:
    command = frame.command
    if command is None:
        return
    payload = layer.payload
    if frame.command_id == 0x01:
        info = command.capability_information
        assert bool(payload.device_type) == info.device_type
        assert bool(payload.power_source) == info.power_source
        assert bool(payload.receiver_on_when_idle) == info.receiver_on_when_idle
        assert bool(payload.security_capability) == info.security_capability
        assert bool(payload.allocate_address) == info.allocate_address
    elif frame.command_id == 0x02:
        assert payload.short_address == command.short_address
        assert payload.association_status == command.association_status
    elif frame.command_id == 0x03:
        assert payload.disassociation_reason == command.disassociation_reason
    elif frame.command_id == 0x08:
        assert payload.panid == command.pan_id
        assert payload.coord_address == command.coordinator_short_address
        assert payload.channel == command.channel_number
        assert payload.dev_address == command.short_address
    elif frame.command_id == 0x09:
        characteristics = command.gts_characteristics
        assert payload.gts_len == characteristics.length
        assert payload.gts_dir == characteristics.direction
        assert payload.charact_type == characteristics.characteristics_type


@given(nwk_frames())
def test_scapy_reads_our_nwk_frames(frame: Container) -> None:
    # scapy has no multicast control field; it reads the source route fields after the IEEE
    # addresses as we do.
    assume(not frame.frame_control.multicast)
    data = nwk.build_nwk_frame(frame)
    packet = zigbee.ZigbeeNWK(data)
    fc = frame.frame_control
    if int(fc.frame_type) == 3:
        assert isinstance(packet, zigbee.ZigbeeNWKStub)
        assert packet.frametype == 3
        assert packet.proto_version == fc.protocol_version
        return
    assert packet.frametype == int(fc.frame_type)
    assert packet.proto_version == fc.protocol_version
    assert packet.discover_route == int(fc.discover_route)
    assert bool(packet.flags.security) == fc.security
    assert bool(packet.flags.source_route) == fc.source_route
    assert bool(packet.flags.extended_dst) == fc.destination_ieee_address
    assert bool(packet.flags.extended_src) == fc.source_ieee_address
    assert packet.destination == frame.destination_address
    assert packet.source == frame.source_address
    assert packet.radius == frame.radius
    assert packet.seqnum == frame.sequence_number
    if fc.destination_ieee_address:
        assert packet.ext_dst == frame.destination_ieee_address
    if fc.source_ieee_address:
        assert packet.ext_src == frame.source_ieee_address
    if fc.source_route:
        assert packet.relay_count == len(frame.source_route.relay_list)
        assert packet.relay_index == frame.source_route.relay_index
        assert list(packet.relays) == list(frame.source_route.relay_list)
    if frame.auxiliary_security_header is not None:
        _check_security_header(packet[zigbee.ZigbeeSecurityHeader], frame,
                               _private_part(nwk.NwkFrame, frame, data))
    elif frame.command_id in _SCAPY_NWK_COMMANDS and _scapy_reads_nwk_command(frame):
        _check_nwk_command(packet[zigbee.ZigbeeNWKCommandPayload], frame)


def _private_part(con: Any, frame: Container, data: bytes) -> bytes:
    """Return the bytes after the auxiliary header: the secured payload and the MIC."""
    open_value = {**frame, "payload": b""}
    open_length = len(build(con, open_value, root="frame", raw_private=True)) - len(frame.mic)
    return data[open_length:]


def _check_security_header(header: Any, frame: Container, private: bytes) -> None:
    aux = frame.auxiliary_security_header
    assert header.nwk_seclevel == aux.security_control.security_level
    assert header.key_type == int(aux.security_control.key_id)
    assert bool(header.extended_nonce) == aux.security_control.extended_nonce
    assert header.fc == aux.frame_counter
    if aux.source_address is not None:
        assert header.source == aux.source_address
    if aux.key_sequence_number is not None:
        assert header.key_seqnum == aux.key_sequence_number
    # scapy sizes the MIC by the on-air level, so the MIC may sit at the end of its data.
    assert bytes(header.data) + bytes(header.mic or b"") == private


# Commands whose fields scapy decodes (ZigbeeNWKCommandPayload, commands 1 to 12).
_SCAPY_NWK_COMMANDS = set(range(1, 13))


def _scapy_reads_nwk_command(frame: Container) -> bool:
    # scapy reads exactly one PAN ID in a network report or update, whatever the count.
    if frame.command_id in (0x09, 0x0A):
        return frame.command.pan_ids is not None and len(frame.command.pan_ids) == 1
    return True


def _check_nwk_command(payload: Any, frame: Container) -> None:
    command = frame.command
    command_id = frame.command_id
    assert payload.cmd_identifier == command_id
    if command_id == 0x01:
        assert payload.route_request_identifier == command.route_request_id
        assert payload.destination_address == command.destination_address
        assert payload.path_cost == command.path_cost
        assert payload.many_to_one == int(command.options.many_to_one)
        if command.destination_ieee_address is not None:
            assert payload.ext_dst == command.destination_ieee_address
    elif command_id == 0x02:
        assert payload.route_request_identifier == command.route_request_id
        assert payload.originator_address == command.originator_address
        assert payload.responder_address == command.responder_address
        assert payload.path_cost == command.path_cost
    elif command_id == 0x03:
        assert payload.status_code == command.status_code
        assert payload.destination_address == command.destination_address
    elif command_id == 0x04:
        assert bool(payload.rejoin) == command.options.rejoin
        assert bool(payload.request) == command.options.request
        assert bool(payload.remove_children) == command.options.remove_children
    elif command_id == 0x05:
        assert list(payload.rr_relay_list) == list(command.relay_list)
    elif command_id == 0x07:
        assert payload.network_address == command.network_address
        assert payload.rejoin_status == command.rejoin_status
    elif command_id == 0x08:
        assert payload.entry_count == command.options.entry_count
        for entry, ours in zip(payload.link_status_list, command.entries, strict=True):
            assert entry.neighbor_network_address == ours.address
            assert entry.incoming_cost == ours.link.incoming_cost
            assert entry.outgoing_cost == ours.link.outgoing_cost
    elif command_id == 0x09:
        assert payload.epid == command.extended_pan_id
        assert payload.report_information_count == command.options.report_information_count
    elif command_id == 0x0A:
        assert payload.epid == command.extended_pan_id
        assert payload.update_id == command.update_id
        assert payload.new_PAN_ID == command.pan_ids[0]
    elif command_id == 0x0B:
        assert payload.req_timeout == command.requested_timeout
        assert payload.ed_conf == command.end_device_configuration
    elif command_id == 0x0C:
        assert payload.status == command.status


@given(aps_frames())
def test_scapy_reads_our_aps_frames(frame: Container) -> None:
    data = aps.build_aps_frame(frame)
    packet = zigbee.ZigbeeAppDataPayload(data)
    fc = frame.frame_control
    if int(fc.frame_type) == 3:
        stub = zigbee.ZigbeeAppDataPayloadStub(data)
        assert stub.frametype == 3
        assert stub.delivery_mode == int(fc.delivery_mode)
        assert stub.cluster == frame.cluster_id
        assert stub.profile == frame.profile_id
        if frame.group_address is not None:
            assert stub.group_addr == frame.group_address
        return
    assert packet.aps_frametype == int(fc.frame_type)
    assert packet.delivery_mode == int(fc.delivery_mode)
    assert bool(packet.frame_control.ack_format) == fc.ack_format
    assert bool(packet.frame_control.security) == fc.security
    assert bool(packet.frame_control.ack_req) == fc.ack_request
    assert bool(packet.frame_control.extended_hdr) == fc.extended_header
    for ours, theirs in (("destination_endpoint", "dst_endpoint"),
                         ("group_address", "group_addr"), ("cluster_id", "cluster"),
                         ("profile_id", "profile"), ("source_endpoint", "src_endpoint")):
        if frame[ours] is not None:
            assert getattr(packet, theirs) == frame[ours]
    assert packet.counter == frame.counter
    if frame.extended_header is not None:
        header = frame.extended_header
        assert packet.fragmentation == int(header.extended_frame_control.fragmentation)
        if header.block_number is not None:
            assert packet.block_number == header.block_number
        if header.ack_bitfield is not None:
            assert packet.ack_bitfield == header.ack_bitfield
    if frame.auxiliary_security_header is not None:
        _check_security_header(packet[zigbee.ZigbeeSecurityHeader], frame,
                               _private_part(aps.ApsFrame, frame, data))
    elif frame.command is not None and frame.command_id != _APS_TUNNEL:
        # A generated tunnel command carries random bytes, not the APS header scapy expects.
        _check_aps_command(packet[zigbee.ZigbeeAppCommandPayload], frame)


_APS_TUNNEL = 0x0E


def _check_aps_command(payload: Any, frame: Container) -> None:
    command = frame.command
    assert payload.cmd_identifier == frame.command_id
    if frame.command_id == 0x05:
        assert payload.key_type == command.key_type
        assert bytes(payload.key) == command.key
        if command.key_sequence_number is not None:
            assert payload.key_seqnum == command.key_sequence_number
        if command.destination_address is not None:
            assert payload.dest_addr == command.destination_address
            assert payload.src_addr == command.source_address
        if command.partner_address is not None:
            assert payload.partner_addr == command.partner_address
            assert payload.initiator_flag == command.initiator_flag
    elif frame.command_id == 0x06:
        assert payload.address == command.device_address
        assert payload.short_address == command.device_short_address
        assert payload.update_status == command.status
    elif frame.command_id == 0x07:
        assert payload.address == command.target_address
    elif frame.command_id == 0x09:
        # scapy declares this field once as an int and once as a 1-byte string.
        sequence = payload.seqnum
        if isinstance(sequence, bytes):
            sequence = sequence[0]
        assert sequence == command.key_sequence_number
    elif frame.command_id == 0x0F:
        assert payload.key_type == command.key_type
        assert payload.address == command.source_address
        assert bytes(payload.key_hash) == command.initiator_verify_key_hash
    elif frame.command_id == 0x10:
        assert payload.status == command.status
        assert payload.key_type == command.key_type
        assert payload.address == command.destination_address
