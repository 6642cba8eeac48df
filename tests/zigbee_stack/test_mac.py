"""802.15.4 MAC frames: published frames, the 2015 PAN ID table, IEs, FCS and MAC security."""

from __future__ import annotations

import itertools

import pytest
from construct import Container

from commshub.codecs.zigbee.mac import (
    build_mac_frame,
    destination_pan_present,
    parse_mac_frame,
    secure_mac_frame,
    source_pan_present,
    unsecure_mac_frame,
)
from commshub.codecs.zigbee.stack_common import crc16_kermit
from commshub.errors import CodecError, LocalProtocolError, SecurityError

SPEC_KEY = bytes.fromhex("C0C1C2C3C4C5C6C7C8C9CACBCCCDCECF")
# scapy test/pcaps/zigbee-transport-key-skke_1.pcap frame 0, FCS 4f24.
TRANSPORT_KEY_PSDU = bytes.fromhex(
    "6188305933909000000800909000001edd01dc050126546b723b396a727b5d5271517d392f001a5b410000"
    "ff0f00ffffffffffffffff4f24")


def round_trip(data: bytes, *, fcs: bool) -> Container:
    frame = parse_mac_frame(data, fcs=fcs)
    assert build_mac_frame(frame, fcs=fcs) == data
    return frame


def test_fcs_is_crc16_kermit() -> None:
    assert crc16_kermit(b"123456789") == 0x2189
    assert crc16_kermit(TRANSPORT_KEY_PSDU[:-2]) == 0x244F


def test_data_frame_from_capture() -> None:
    frame = round_trip(TRANSPORT_KEY_PSDU, fcs=True)
    assert frame.frame_control.frame_type == "data"
    assert frame.frame_control.ack_request
    assert frame.frame_control.pan_id_compression
    assert frame.sequence_number == 0x30
    assert frame.destination_pan_id == 0x3359
    assert frame.destination_address == 0x9090
    assert frame.source_pan_id is None
    assert frame.source_address == 0x0000
    assert frame.payload[:2] == bytes.fromhex("0800")


def test_bad_fcs_names_the_field() -> None:
    corrupted = TRANSPORT_KEY_PSDU[:-1] + b"\x00"
    with pytest.raises(CodecError) as info:
        parse_mac_frame(corrupted)
    assert "fcs" in info.value.path


def test_beacon_with_aux_security_header() -> None:
    # scapy #4928 (802.15.4-2006 Annex C.2.1): a beacon with MIC-64 security, which scapy
    # mis-read as a ZigBee beacon. It is a beacon with an auxiliary header, then Raw payload.
    data = bytes.fromhex("08D0842143010000000048DEAC020500000055CF000051525354"
                         "223BC1EC841AB553")
    frame = round_trip(data, fcs=False)
    assert frame.frame_control.frame_type == "beacon"
    assert frame.frame_control.frame_version == "2006"
    assert frame.source_pan_id == 0x4321
    assert frame.source_address == 0xACDE480000000001
    aux = frame.auxiliary_security_header
    assert aux.security_control.security_level == 2
    assert aux.security_control.key_id_mode == "implicit"
    assert aux.frame_counter == 5
    # Superframe specification 0xCF55: orders 5 and 5, final CAP slot 15.
    assert frame.beacon.superframe_specification.beacon_order == 5
    assert frame.beacon.superframe_specification.superframe_order == 5
    assert frame.beacon.superframe_specification.final_cap_slot == 15
    assert frame.beacon.superframe_specification.pan_coordinator
    assert frame.payload == b"QRST"
    assert frame.mic == bytes.fromhex("223BC1EC841AB553")
    assert unsecure_mac_frame(data, SPEC_KEY, fcs=False).payload == b"QRST"
    assert secure_mac_frame(frame, SPEC_KEY, fcs=False) == data


def test_mic_failure_raises() -> None:
    data = bytes.fromhex("08D0842143010000000048DEAC020500000055CF000051525354"
                         "223BC1EC841AB554")
    with pytest.raises(SecurityError):
        unsecure_mac_frame(data, SPEC_KEY, fcs=False)


def test_frame_version_2_with_ies() -> None:
    # scapy #4947: FCF 0xEF41 suppresses the sequence number, sets IE present and compresses
    # the PAN IDs of two extended addresses, so no PAN ID field is present at all.
    data = bytes.fromhex("41EF6C170B120048DEAC6EF2500010722E48051501095CEABA")
    frame = round_trip(data, fcs=False)
    fc = frame.frame_control
    assert fc.frame_version == "2015"
    assert fc.sequence_number_suppression
    assert fc.ie_present
    assert frame.sequence_number is None
    assert frame.destination_pan_id is None
    assert frame.source_pan_id is None
    assert frame.destination_address == 0xACDE4800120B176C
    assert frame.source_address == 0x482E72100050F26E
    assert len(frame.header_ies) == 1
    assert frame.header_ies[0].element_id == 0x2A
    assert frame.header_ies[0].content == bytes.fromhex("0109 5CEABA")
    assert frame.payload == b""


def test_header_and_payload_ies_with_terminations() -> None:
    # Header IE (CSL, 6 bytes), HT1, payload IE (MLME, 2 bytes), payload termination, payload.
    frame = Container(
        frame_control=Container(frame_type="data", security_enabled=False, frame_pending=False,
                                ack_request=True, pan_id_compression=True, reserved=False,
                                sequence_number_suppression=False, ie_present=True,
                                destination_addressing_mode="short", frame_version="2015",
                                source_addressing_mode="short"),
        sequence_number=7, destination_pan_id=0x1234, destination_address=0x0001,
        source_pan_id=None, source_address=0x0002, auxiliary_security_header=None,
        header_ies=[Container(element_id="csl", content=bytes(6)),
                    Container(element_id="header_termination_1", content=b"")],
        payload_ies=[Container(group_id="mlme", content=b"\x01\x02"),
                     Container(group_id="payload_termination", content=b"")],
        beacon=None, command_id=None, command=None, payload=b"hello", mic=b"",
    )
    data = build_mac_frame(frame)
    # CSL header IE descriptor: length 6, element 0x1A: 0x1A << 7 | 6 = 0x0D06.
    assert data[9:11] == bytes.fromhex("060D")
    # HT1: element 0x7E, length 0: 0x3F00; MLME payload IE: 0x8000 | 1 << 11 | 2 = 0x8802.
    assert data[17:19] == bytes.fromhex("003F")
    assert data[19:21] == bytes.fromhex("0288")
    parsed = parse_mac_frame(data)
    assert parsed == frame
    assert parsed.payload == b"hello"


# IEEE 802.15.4-2015 Table 7-2: (dst mode, src mode, compression) -> (dst PAN, src PAN).
# None is "not present", S short, E extended.
TABLE_7_2 = [
    ("none", "none", 0, False, False),
    ("none", "none", 1, True, False),
    ("short", "none", 0, True, False),
    ("extended", "none", 0, True, False),
    ("short", "none", 1, False, False),
    ("extended", "none", 1, False, False),
    ("none", "short", 0, False, True),
    ("none", "extended", 0, False, True),
    ("none", "short", 1, False, False),
    ("none", "extended", 1, False, False),
    ("extended", "extended", 0, True, False),
    ("extended", "extended", 1, False, False),
    ("short", "short", 0, True, True),
    ("short", "extended", 0, True, True),
    ("extended", "short", 0, True, True),
    ("short", "extended", 1, True, False),
    ("extended", "short", 1, True, False),
    ("short", "short", 1, True, False),
]
_MODES = {"none": 0, "short": 2, "extended": 3}


@pytest.mark.parametrize(("dst", "src", "compression", "dst_pan", "src_pan"), TABLE_7_2)
def test_pan_id_table_2015(dst: str, src: str, compression: int, dst_pan: bool,
                           src_pan: bool) -> None:
    fc = {"destination_addressing_mode": _MODES[dst], "source_addressing_mode": _MODES[src],
          "pan_id_compression": bool(compression), "frame_version": 2}
    assert destination_pan_present(fc) is dst_pan
    assert source_pan_present(fc) is src_pan


@pytest.mark.parametrize(("dst", "src", "compression"),
                         list(itertools.product(_MODES, _MODES, (0, 1))))
def test_pan_id_rules_2006(dst: str, src: str, compression: int) -> None:
    fc = {"destination_addressing_mode": _MODES[dst], "source_addressing_mode": _MODES[src],
          "pan_id_compression": bool(compression), "frame_version": 1}
    assert destination_pan_present(fc) is (dst != "none")
    both = dst != "none" and src != "none"
    assert source_pan_present(fc) is (src != "none" and not (compression and both))


def test_invalid_2006_frames_still_parse() -> None:
    # The strategies draw valid frames only, but real radios send invalid ones, which parse.
    # A data frame with PAN ID compression and a destination address only keeps its PAN ID.
    frame = round_trip(bytes.fromhex("4118" "05" "3412" "CDAB") + b"hi", fcs=False)
    assert frame.frame_control.pan_id_compression
    assert frame.destination_pan_id == 0x1234
    assert frame.destination_address == 0xABCD
    assert frame.source_address is None
    assert frame.payload == b"hi"
    # An ack that carries addresses.
    ack = round_trip(bytes.fromhex("4298" "07" "3412" "CDAB" "0100"), fcs=False)
    assert int(ack.frame_control.frame_type) == 2
    assert ack.destination_address == 0xABCD
    assert ack.source_address == 0x0001
    assert ack.source_pan_id is None
    # A command frame without any address.
    command = round_trip(bytes.fromhex("0310" "09" "07"), fcs=False)
    assert command.command_id == 0x07
    assert command.destination_pan_id is None


def test_sequence_suppression_bit_ignored_before_2015() -> None:
    # Bit 8 is reserved in 2003 and 2006 frames, so the sequence number is still there.
    data = bytes.fromhex("0109" "2A" "3412" "FFFF") + b"x"
    frame = round_trip(data, fcs=False)
    assert frame.frame_control.sequence_number_suppression
    assert frame.sequence_number == 0x2A
    assert frame.payload == b"x"


def test_beacon_request_and_ack_from_scapy_pcap() -> None:
    # zigbee-join-authenticate.pcap: beacon request and an ack (link type 230, no FCS).
    request = round_trip(bytes.fromhex("030806ffffffff07"), fcs=False)
    assert request.frame_control.frame_type == "command"
    assert request.command_id == 0x07
    assert request.destination_pan_id == 0xFFFF
    assert request.destination_address == 0xFFFF
    ack = round_trip(bytes.fromhex("02003b"), fcs=False)
    assert ack.frame_control.frame_type == "ack"
    assert ack.sequence_number == 0x3B


def test_zigbee_beacon_from_scapy_pcap() -> None:
    frame = round_trip(bytes.fromhex("008063ff010000ffcf000000208473656e736f720000ffffff00"),
                       fcs=False)
    assert frame.frame_control.frame_type == "beacon"
    assert frame.source_pan_id == 0x01FF
    assert frame.beacon.superframe_specification.association_permit
    assert frame.payload[0] == 0


def test_association_commands() -> None:
    request = round_trip(bytes.fromhex("63c8" "01" "ffff" "0000" "2211ffeedd0cbbaa" "01" "8e"),
                         fcs=False)
    assert request.command_id == 0x01
    info = request.command.capability_information
    assert info.device_type
    assert info.power_source
    assert info.receiver_on_when_idle
    assert info.allocate_address
    response = round_trip(bytes.fromhex("63cc" "02" "3412" "0807060504030201"
                                         "1122334455667788" "02" "7856" "00"), fcs=False)
    assert response.command.short_address == 0x5678
    assert response.command.association_status == 0


def test_coordinator_realignment_channel_page_from_2006() -> None:
    base = bytes.fromhex("4388" "05" "ffff" "ffff" "0000" "08" "3412" "0000" "0b" "ffff")
    v2003 = round_trip(base, fcs=False)
    assert v2003.command.pan_id == 0x1234
    assert v2003.command.channel_page is None
    v2006 = round_trip(bytes.fromhex("4398") + base[2:] + b"\x00", fcs=False)
    assert v2006.command.channel_number == 11
    assert v2006.command.channel_page == 0


def test_encrypted_command_keeps_id_in_clear() -> None:
    # 802.15.4-2006 C.2.3 layout: the command ID is open payload, its content private.
    frame = Container(
        frame_control=Container(frame_type="command", security_enabled=True,
                                frame_pending=False, ack_request=True,
                                pan_id_compression=False, reserved=False,
                                sequence_number_suppression=False, ie_present=False,
                                destination_addressing_mode="short", frame_version="2006",
                                source_addressing_mode="extended"),
        sequence_number=1, destination_pan_id=0x4321, destination_address=0x0000,
        source_pan_id=0xFFFF, source_address=0xACDE480000000001,
        auxiliary_security_header=Container(
            security_control=Container(security_level=6, key_id_mode="implicit",
                                       frame_counter_suppression=False, asn_in_nonce=False),
            frame_counter=5, key_source=None, key_index=None),
        header_ies=None, payload_ies=None, beacon=None, command_id=0x01,
        command=Container(capability_information=Container(
            alternate_pan_coordinator=False, device_type=True, power_source=False,
            receiver_on_when_idle=False, association_type=False, security_capability=False,
            allocate_address=True)),
        payload=b"", mic=bytes(8))
    data = secure_mac_frame(frame, SPEC_KEY)
    on_air = parse_mac_frame(data)
    assert on_air.command_id == 0x01
    assert on_air.command is None
    assert len(on_air.payload) == 1
    plain = unsecure_mac_frame(data, SPEC_KEY)
    assert plain.command.capability_information.device_type
    assert plain.command.capability_information.allocate_address


def test_build_names_missing_bit_field() -> None:
    frame = parse_mac_frame(TRANSPORT_KEY_PSDU)
    del frame.frame_control["ack_request"]
    with pytest.raises(CodecError, match="missing bit field 'ack_request'"):
        build_mac_frame(frame)


def test_build_rejects_unknown_name() -> None:
    frame = parse_mac_frame(TRANSPORT_KEY_PSDU)
    frame.frame_control["frame_type"] = "dataa"
    with pytest.raises(CodecError, match="unknown name 'dataa'"):
        build_mac_frame(frame)


def test_short_source_needs_address_for_nonce() -> None:
    data = bytes.fromhex("4998" "01" "3412" "0000" "0100" "05" "00000000") + bytes(4)
    with pytest.raises(LocalProtocolError, match="extended address"):
        unsecure_mac_frame(data, SPEC_KEY, fcs=False)


@pytest.mark.parametrize("data", ["", "41", "4188", "61880130"])
def test_truncated_frames(data: str) -> None:
    with pytest.raises(CodecError):
        parse_mac_frame(bytes.fromhex(data), fcs=False)
