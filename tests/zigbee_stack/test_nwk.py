"""ZigBee NWK frames: a real secured frame, every command a coordinator handles, source
routes, multicast, inter-PAN and the ZigBee beacon payload."""

from __future__ import annotations

import pytest
from construct import Container

from commshub.codecs.zigbee.nwk import (
    build_nwk_frame,
    build_zigbee_beacon,
    parse_nwk_frame,
    parse_zigbee_beacon,
    secure_nwk_frame,
    unsecure_nwk_frame,
)
from commshub.errors import CodecError, SecurityError

NWK_KEY = bytes.fromhex("26546b723b396a727b5d5271517d392f")
# killerbee PR #127: the authenticated data with the level patched to 5 (0x2D), then the
# encrypted payload and MIC. On the air the security control byte is 0x28 (level 0).
_PATCHED_HEADER = bytes.fromhex(
    "081a0000e4b70aea22021f0000ff0f001a5b410000ff0f002d0c7300001a5b410000ff0f0000")
SECURED_FRAME = (_PATCHED_HEADER[:24] + b"\x28" + _PATCHED_HEADER[25:]
                 + bytes.fromhex("5b9d36fc7b10092dff752ce879bbca699d52c5dd908bd787"
                                 "bab42f5c023ad4d846"))
PLAINTEXT = bytes.fromhex("40c501005cc2c52c3074363437302073612063342e7a722e6d6f740d0a")


def round_trip(data: bytes) -> Container:
    frame = parse_nwk_frame(data)
    assert build_nwk_frame(frame) == data
    return frame


def test_secured_frame_fields() -> None:
    frame = round_trip(SECURED_FRAME)
    fc = frame.frame_control
    assert fc.frame_type == "data"
    assert fc.protocol_version == 2
    assert fc.security
    assert fc.destination_ieee_address
    assert fc.source_ieee_address
    assert frame.destination_address == 0x0000
    assert frame.source_address == 0xB7E4
    assert frame.radius == 10
    assert frame.sequence_number == 0xEA
    assert frame.destination_ieee_address == 0x000FFF00001F0222
    assert frame.source_ieee_address == 0x000FFF0000415B1A
    aux = frame.auxiliary_security_header
    assert aux.security_control.security_level == 0
    assert aux.security_control.key_id == "network_key"
    assert aux.security_control.extended_nonce
    assert aux.frame_counter == 0x730C
    assert aux.source_address == 0x000FFF0000415B1A
    assert aux.key_sequence_number == 0
    assert len(frame.mic) == 4


def test_security_level_patch_decrypts_real_frame() -> None:
    plain = unsecure_nwk_frame(SECURED_FRAME, NWK_KEY)
    assert plain.payload == PLAINTEXT
    # The on-air level stays 0 in the decoded value, and securing it again gives the frame.
    assert plain.auxiliary_security_header.security_control.security_level == 0
    assert secure_nwk_frame(plain, NWK_KEY) == SECURED_FRAME


def test_without_patch_the_mic_fails() -> None:
    # Authenticating with the transmitted level 0 instead of 5 finds no MIC at all; with a
    # wrong key the MIC check fails.
    with pytest.raises(SecurityError):
        unsecure_nwk_frame(SECURED_FRAME, bytes(16))
    tampered = bytearray(SECURED_FRAME)
    tampered[7] ^= 0x01  # the sequence number is authenticated
    with pytest.raises(SecurityError):
        unsecure_nwk_frame(bytes(tampered), NWK_KEY)


def _command(hex_frame: str) -> Container:
    frame = round_trip(bytes.fromhex(hex_frame))
    assert frame.frame_control.frame_type == "command"
    return frame


HEADER = "0900" "fcff" "0000" "01" "42"  # command, protocol 2, to 0xFFFC from 0x0000


def test_route_request_many_to_one() -> None:
    frame = _command(HEADER + "01" "08" "2a" "fcff" "00")
    assert frame.command_id == 0x01
    assert frame.command.options.many_to_one == "with_route_record"
    assert frame.command.route_request_id == 0x2A
    assert frame.command.destination_address == 0xFFFC
    assert frame.command.destination_ieee_address is None


def test_route_reply_with_ieee_addresses() -> None:
    frame = _command(HEADER + "02" "30" "07" "0000" "3412" "05"
                     + "0102030405060708" + "1112131415161718")
    reply = frame.command
    assert reply.options.originator_ieee_address
    assert reply.options.responder_ieee_address
    assert reply.responder_address == 0x1234
    assert reply.path_cost == 5
    assert reply.originator_ieee_address == 0x0807060504030201
    assert reply.responder_ieee_address == 0x1817161514131211


def test_network_status_and_leave() -> None:
    status = _command(HEADER + "03" "11" "3412")
    assert status.command.status_code == 0x11  # bad frame counter
    assert status.command.destination_address == 0x1234
    leave = _command(HEADER + "04" "60")
    assert leave.command.options.rejoin
    assert leave.command.options.request
    assert not leave.command.options.remove_children


def test_route_record_and_rejoin() -> None:
    record = _command(HEADER + "05" "02" "3412" "7856")
    assert record.command.relay_list == [0x1234, 0x5678]
    request = _command(HEADER + "06" "8e")
    assert request.command.capability_information.allocate_address
    assert request.command.capability_information.receiver_on_when_idle
    response = _command(HEADER + "07" "bbaa" "00")
    assert response.command.network_address == 0xAABB
    assert response.command.rejoin_status == 0


def test_link_status_from_scapy_tests() -> None:
    # scapy test/scapy/layers/dot15d4.uts: link status with three entries.
    frame = _command(HEADER + "08" "63" "0000" "11" "adde" "11" "dec0" "11")
    options = frame.command.options
    assert options.entry_count == 3
    assert options.first_frame
    assert options.last_frame
    assert [entry.address for entry in frame.command.entries] == [0x0000, 0xDEAD, 0xC0DE]
    assert frame.command.entries[1].link.incoming_cost == 1
    assert frame.command.entries[1].link.outgoing_cost == 1


def test_network_report_and_update() -> None:
    report = _command(HEADER + "09" "02" "0807060504030201" "3412" "7856")
    assert report.command.options.report_command_id == 0
    assert report.command.extended_pan_id == 0x0102030405060708
    assert report.command.pan_ids == [0x1234, 0x5678]
    update = _command(HEADER + "0a" "01" "0807060504030201" "05" "cdab")
    assert update.command.update_id == 5
    assert update.command.pan_ids == [0xABCD]


def test_end_device_timeout_request_and_response() -> None:
    request = _command(HEADER + "0b" "08" "00")
    assert request.command.requested_timeout == 8  # 256 minutes
    response = _command(HEADER + "0c" "00" "03")
    assert response.command.status == 0
    assert response.command.parent_information.mac_data_poll_keepalive
    assert response.command.parent_information.end_device_timeout_request_keepalive


def test_unknown_command_keeps_payload() -> None:
    frame = _command(HEADER + "7f" "010203")
    assert frame.command_id == 0x7F
    assert frame.command is None
    assert frame.payload == bytes.fromhex("010203")


def test_source_route_and_multicast() -> None:
    # Frame control 0x0508: data, protocol 2, multicast and source route bits set.
    frame = round_trip(bytes.fromhex("0805" "0100" "0000" "1e" "07" "25" "02" "01" "3412" "7856")
                       + b"aps")
    assert frame.multicast_control.multicast_mode == "member"
    assert frame.multicast_control.nonmember_radius == 1
    assert frame.multicast_control.max_nonmember_radius == 1
    assert frame.source_route.relay_index == 1
    assert frame.source_route.relay_list == [0x1234, 0x5678]
    assert frame.payload == b"aps"


def test_multicast_control_bit_order() -> None:
    # 0xC9: mode 1 (bits 0-1), non-member radius 2 (bits 2-4), max non-member radius 6
    # (bits 5-7). Wireshark 4.0 shows the same three values for this byte.
    frame = round_trip(bytes.fromhex("0801" "3412" "3b4a" "1e" "01" "c9") + b"aps")
    assert frame.multicast_control.multicast_mode == "member"
    assert frame.multicast_control.nonmember_radius == 2
    assert frame.multicast_control.max_nonmember_radius == 6


def test_inter_pan_stub() -> None:
    frame = round_trip(bytes.fromhex("0b00") + bytes.fromhex("030c0000010a"))
    assert frame.frame_control.frame_type == "inter_pan"
    assert frame.destination_address is None
    assert frame.radius is None
    assert frame.payload == bytes.fromhex("030c0000010a")


def test_secured_command_round_trip() -> None:
    command = parse_nwk_frame(bytes.fromhex(HEADER + "04" "40"))
    secured_fc = {**command.frame_control, "security": True}
    frame = {**command, "frame_control": secured_fc, "auxiliary_security_header": Container(
        security_control=Container(security_level=0, key_id="network_key", extended_nonce=True),
        frame_counter=1, source_address=0x0011223344556677, key_sequence_number=3),
             "mic": b""}
    data = secure_nwk_frame(frame, NWK_KEY)
    on_air = parse_nwk_frame(data)
    assert on_air.command_id is None  # the command identifier is encrypted
    plain = unsecure_nwk_frame(data, NWK_KEY)
    assert plain.command_id == 0x04
    assert plain.command.options.request


def test_zigbee_beacon_payload() -> None:
    # scapy's zigbee-join-authenticate.pcap: extended PAN ID "sensor".
    payload = bytes.fromhex("00208473656e736f720000ffffff00")
    beacon = parse_zigbee_beacon(payload)
    assert beacon.protocol_id == 0
    assert beacon.information.protocol_version == 2
    assert beacon.information.router_capacity
    assert beacon.information.end_device_capacity
    assert beacon.extended_pan_id.to_bytes(8, "little") == b"sensor\x00\x00"
    assert beacon.tx_offset == 0xFFFFFF
    assert build_zigbee_beacon(beacon) == payload


@pytest.mark.parametrize("data", ["", "08", "0800ffff", "0810000000001e01"])
def test_truncated_frames(data: str) -> None:
    with pytest.raises(CodecError):
        parse_nwk_frame(bytes.fromhex(data))
