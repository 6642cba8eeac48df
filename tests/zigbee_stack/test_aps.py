"""ZigBee APS frames: scapy's bug-report frames, commands, acks, group addressing, the
extended header, APS security with hashed keys, and reassembly with block acks."""

from __future__ import annotations

import pytest
from construct import Container
from hypothesis import given, settings
from hypothesis import strategies as st

from commshub.codecs.strategies.zigbee_stack import aps_frames
from commshub.codecs.zigbee.aps import (
    ApsReassembler,
    BlockAck,
    ack_bitfield,
    build_aps_frame,
    fragment_payload,
    parse_aps_frame,
    secure_aps_frame,
    unsecure_aps_frame,
)
from commshub.codecs.zigbee.security import key_transport_key, verify_key_hash
from commshub.errors import CodecError, LocalProtocolError, RemoteProtocolError, SecurityError

LINK_KEY = b"ZigBeeAlliance09"


def round_trip(data: bytes) -> Container:
    frame = parse_aps_frame(data)
    assert build_aps_frame(frame) == data
    return frame


def test_scapy_3084_data_frame() -> None:
    # scapy #3084: APS data to endpoint 0xFF, cluster 0x0101, profile 0x0104, counter 0x1F,
    # carrying the ZCL Read Attributes frame 10 0e 00 1000.
    frame = round_trip(bytes.fromhex("00ff010104010" "11f" "100e001000"))
    assert frame.frame_control.frame_type == "data"
    assert frame.frame_control.delivery_mode == "unicast"
    assert frame.destination_endpoint == 0xFF
    assert frame.cluster_id == 0x0101
    assert frame.profile_id == 0x0104
    assert frame.source_endpoint == 0x01
    assert frame.counter == 0x1F
    assert frame.payload == bytes.fromhex("100e001000")


def test_command_with_extended_header_bit() -> None:
    # A command frame has no extended header field, so the bit is kept and the command
    # identifier follows the counter. scapy 2.x reads it this way, while Wireshark 4.0 reads
    # an extended header whenever the bit is set.
    frame = round_trip(bytes.fromhex("81" "f4" "09" "05"))
    assert frame.frame_control.extended_header
    assert frame.extended_header is None
    assert frame.command_id == 0x09
    assert frame.command.key_sequence_number == 0x05


@given(aps_frames())
def test_generated_commands_clear_extended_bit(frame: Container) -> None:
    # Generated frames are valid ones, so other dissectors read them the same way.
    if frame.frame_control.frame_type == "command":
        assert not frame.frame_control.extended_header


def test_scapy_1818_no_block_number_without_extended_header() -> None:
    # scapy #1818: ack request set, extended header bit clear, so no block number follows.
    zcl = bytes.fromhex("1820010000002001040000420773656e676c6564")
    frame = round_trip(bytes.fromhex("40010000040101" "0d") + zcl)
    assert frame.frame_control.ack_request
    assert not frame.frame_control.extended_header
    assert frame.extended_header is None
    assert frame.cluster_id == 0x0000
    assert frame.counter == 0x0D
    assert frame.payload == zcl


def test_transport_key_from_capture() -> None:
    # scapy's zigbee-transport-key-skke_1.pcap: network key in the clear.
    frame = round_trip(bytes.fromhex(
        "01dc05" "01" "26546b723b396a727b5d5271517d392f" "00" "1a5b410000ff0f00"
        "ffffffffffffffff"))
    assert frame.command_id == 0x05
    assert frame.command.key_type == 0x01
    assert frame.command.key == bytes.fromhex("26546b723b396a727b5d5271517d392f")
    assert frame.command.key_sequence_number == 0
    assert frame.command.destination_address == 0x000FFF0000415B1A
    assert frame.command.source_address == 0xFFFFFFFFFFFFFFFF


def test_application_link_key_transport() -> None:
    frame = round_trip(bytes.fromhex("0101" "05" "03") + bytes(16)
                       + bytes.fromhex("0102030405060708" "01"))
    assert frame.command.partner_address == 0x0807060504030201
    assert frame.command.initiator_flag == 1
    assert frame.command.destination_address is None


def test_trust_centre_commands() -> None:
    update = round_trip(bytes.fromhex("0102" "06" "0102030405060708" "3412" "01"))
    assert update.command.device_short_address == 0x1234
    assert update.command.status == 1
    remove = round_trip(bytes.fromhex("0103" "07" "0102030405060708"))
    assert remove.command.target_address == 0x0807060504030201
    request_tc = round_trip(bytes.fromhex("0104" "08" "04"))
    assert request_tc.command.partner_address is None
    request_app = round_trip(bytes.fromhex("0105" "08" "02" "0102030405060708"))
    assert request_app.command.partner_address == 0x0807060504030201
    switch = round_trip(bytes.fromhex("0106" "09" "07"))
    assert switch.command.key_sequence_number == 7


def test_verify_and_confirm_key() -> None:
    hash_value = verify_key_hash(LINK_KEY)
    verify = round_trip(bytes.fromhex("0107" "0f" "04" "0102030405060708") + hash_value)
    assert verify.command.initiator_verify_key_hash == hash_value
    confirm = round_trip(bytes.fromhex("0108" "10" "00" "04" "0102030405060708"))
    assert confirm.command.status == 0
    assert confirm.command.key_type == 4


def test_acks_from_scapy_tests() -> None:
    command_ack = round_trip(bytes.fromhex("12a8"))
    assert command_ack.frame_control.frame_type == "ack"
    assert command_ack.frame_control.ack_format
    assert command_ack.cluster_id is None
    assert command_ack.counter == 0xA8
    data_ack = round_trip(bytes.fromhex("02000200000000a6"))
    assert data_ack.destination_endpoint == 0
    assert data_ack.cluster_id == 0x0002
    assert data_ack.profile_id == 0
    assert data_ack.source_endpoint == 0
    assert data_ack.counter == 0xA6


def test_group_addressing() -> None:
    frame = round_trip(bytes.fromhex("0c" "3412" "0600" "0401" "01" "05") + b"zcl")
    assert frame.frame_control.delivery_mode == "group"
    assert frame.destination_endpoint is None
    assert frame.group_address == 0x1234


def test_extended_header_fragments_and_block_ack() -> None:
    first = round_trip(bytes.fromhex("80" "01" "0007" "0901" "01" "10" "01" "04") + b"block0")
    assert first.extended_header.extended_frame_control.fragmentation == "first_fragment"
    assert first.extended_header.block_number == 4  # total number of blocks
    assert first.extended_header.ack_bitfield is None
    later = round_trip(bytes.fromhex("80" "01" "0007" "0901" "01" "11" "02" "02") + b"block2")
    assert later.extended_header.block_number == 2
    ack = round_trip(bytes.fromhex("82" "01" "0007" "0901" "01" "10" "02" "00" "07"))
    assert ack.extended_header.block_number == 0
    assert ack.extended_header.ack_bitfield == 0x07


def test_inter_pan_stub_with_group() -> None:
    frame = round_trip(bytes.fromhex("0f" "3412" "0010" "5ec0") + b"touchlink")
    assert frame.frame_control.frame_type == "inter_pan"
    assert frame.group_address == 0x1234
    assert frame.cluster_id == 0x1000
    assert frame.profile_id == 0xC05E
    assert frame.counter is None


def _secured_transport_key(key_id: str, *, extended_nonce: bool) -> Container:
    plain = parse_aps_frame(bytes.fromhex(
        "01dc05" "01" "26546b723b396a727b5d5271517d392f" "00" "1a5b410000ff0f00"
        "ffffffffffffffff"))
    plain.frame_control.security = True
    plain.auxiliary_security_header = Container(
        security_control=Container(security_level=0, key_id=key_id,
                                   extended_nonce=extended_nonce),
        frame_counter=0x1234, key_sequence_number=None,
        source_address=0x0011223344556677 if extended_nonce else None)
    plain.mic = b""
    return plain


def test_transport_key_secured_with_key_transport_key() -> None:
    plain = _secured_transport_key("key_transport_key", extended_nonce=True)
    data = secure_aps_frame(plain, LINK_KEY)
    on_air = parse_aps_frame(data)
    assert on_air.command_id is None
    assert len(on_air.mic) == 4
    assert on_air.auxiliary_security_header.security_control.security_level == 0
    decoded = unsecure_aps_frame(data, LINK_KEY)
    assert decoded.command.key == plain.command.key
    # The frame is secured with HMAC-MMO(link key, 0x00), not with the link key itself.
    plain.auxiliary_security_header.security_control.key_id = "data_key"
    assert secure_aps_frame(plain, key_transport_key(LINK_KEY)) != data


def test_nonce_source_from_nwk_header() -> None:
    plain = _secured_transport_key("data_key", extended_nonce=False)
    with pytest.raises(LocalProtocolError, match="source_address"):
        secure_aps_frame(plain, LINK_KEY)
    data = secure_aps_frame(plain, LINK_KEY, source_address=0x0011223344556677)
    assert unsecure_aps_frame(data, LINK_KEY, source_address=0x0011223344556677).command_id == 5
    with pytest.raises(SecurityError):
        unsecure_aps_frame(data, LINK_KEY, source_address=0x0011223344556678)


def test_fragment_payload_and_reassembly_in_windows() -> None:
    payload = bytes(range(200))
    blocks = fragment_payload(payload, 30)
    assert len(blocks) == 7
    assert b"".join(blocks) == payload
    reassembler = ApsReassembler(window_size=3)
    assert reassembler.add(1, blocks[1]) is None
    assert reassembler.add(0, blocks[0], total_blocks=7) is None
    assert reassembler.add(1, blocks[1]) is None  # a duplicate changes nothing
    assert reassembler.add(2, blocks[2]) == BlockAck(0, 0xFF)
    assert reassembler.add(4, blocks[4]) is None
    assert reassembler.window_ack() == BlockAck(3, 0b11111010)
    assert reassembler.add(3, blocks[3]) is None
    assert reassembler.add(5, blocks[5]) == BlockAck(3, 0xFF)
    assert not reassembler.complete
    with pytest.raises(LocalProtocolError, match=r"missing blocks \[6\]"):
        reassembler.payload()
    # The last window holds one block; the bits past the end read as received.
    assert reassembler.add(6, blocks[6]) == BlockAck(6, 0xFF)
    assert reassembler.complete
    assert reassembler.payload() == payload


def test_reassembly_from_parsed_frames() -> None:
    reassembler = ApsReassembler(window_size=8)
    frames = [bytes.fromhex("80" "01" "0007" "0901" "01" "10" "01" "02") + b"ab",
              bytes.fromhex("80" "01" "0007" "0901" "01" "11" "02" "01") + b"cd"]
    acks = [reassembler.add_frame(parse_aps_frame(frame)) for frame in frames]
    assert acks == [None, BlockAck(0, 0xFF)]
    assert reassembler.payload() == b"abcd"


def test_reassembly_rejects_bad_blocks() -> None:
    reassembler = ApsReassembler(window_size=2)
    with pytest.raises(RemoteProtocolError, match="outside the current window"):
        reassembler.add(5, b"x")
    with pytest.raises(RemoteProtocolError, match="total number of blocks"):
        reassembler.add(0, b"x")
    reassembler.add(0, b"x", total_blocks=2)
    with pytest.raises(RemoteProtocolError, match="an earlier copy gave 2"):
        reassembler.add(0, b"x", total_blocks=3)
    with pytest.raises(RemoteProtocolError, match="not a fragment"):
        reassembler.add_frame(parse_aps_frame(bytes.fromhex("00ff010104010" "11f")))
    with pytest.raises(LocalProtocolError):
        ApsReassembler(window_size=9)


def test_resent_block_is_acknowledged_again() -> None:
    # The sender resends a block of a window we acknowledged only when our ack was lost.
    reassembler = ApsReassembler(window_size=2)
    assert reassembler.add(0, b"a", total_blocks=4) is None
    assert reassembler.add(1, b"b") == BlockAck(0, 0xFF)
    assert reassembler.add(1, b"b") == BlockAck(0, 0xFF)
    assert reassembler.add(0, b"a", total_blocks=4) == BlockAck(0, 0xFF)
    assert reassembler.add(2, b"c") is None
    assert reassembler.add(3, b"d") == BlockAck(2, 0xFF)
    assert reassembler.add(2, b"c") == BlockAck(2, 0xFF)
    assert reassembler.add(0, b"a", total_blocks=4) == BlockAck(0, 0xFF)
    assert reassembler.payload() == b"abcd"


@settings(max_examples=100)
@given(st.binary(min_size=1, max_size=120), st.integers(1, 16), st.integers(1, 8), st.data())
def test_reassembly_survives_lost_acks(payload: bytes, block_size: int, window_size: int,
                                       data: st.DataObject) -> None:
    blocks = fragment_payload(payload, block_size)
    reassembler = ApsReassembler(window_size=window_size)
    for start in range(0, len(blocks), window_size):
        window = range(start, min(start + window_size, len(blocks)))
        # Each lost ack makes the sender resend the whole window.
        for _ in range(1 + data.draw(st.integers(0, 2), label="lost acks")):
            acks = [reassembler.add(number, blocks[number],
                                    total_blocks=len(blocks) if number == 0 else None)
                    for number in window]
            assert acks[-1] == BlockAck(start, 0xFF)
    assert reassembler.payload() == payload


def test_reassembly_still_rejects_impossible_blocks() -> None:
    reassembler = ApsReassembler(window_size=2)
    reassembler.add(0, b"a", total_blocks=3)
    reassembler.add(1, b"b")
    with pytest.raises(RemoteProtocolError, match="an earlier copy gave 3"):
        reassembler.add(0, b"a", total_blocks=4)
    with pytest.raises(RemoteProtocolError, match="outside the current window"):
        reassembler.add(4, b"e")
    with pytest.raises(RemoteProtocolError, match="outside the current window"):
        reassembler.add(-1, b"e")
    with pytest.raises(RemoteProtocolError, match="beyond the last block 2"):
        reassembler.add(3, b"d")
    assert reassembler.add(2, b"c") == BlockAck(2, 0xFF)
    assert reassembler.payload() == b"abc"


def test_ack_bitfield() -> None:
    assert ack_bitfield({0, 2}, 0, 3) == 0b11111101
    assert ack_bitfield(set(), 8, 8) == 0


def test_fragment_limits() -> None:
    with pytest.raises(LocalProtocolError):
        fragment_payload(b"x", 0)
    with pytest.raises(LocalProtocolError, match="block number field"):
        fragment_payload(bytes(300), 1)
    assert fragment_payload(b"", 10) == [b""]


def test_fragmentation_at_the_block_size_boundary() -> None:
    # An ASDU exactly one block long fits one frame: a "<" where "<=" belongs would fragment it
    # (an off-by-one once fixed in zsmartsystems' ZigBee library).
    assert fragment_payload(bytes(48), 48) == [bytes(48)]
    assert [len(block) for block in fragment_payload(bytes(49), 48)] == [48, 1]
    assert [len(block) for block in fragment_payload(bytes(96), 48)] == [48, 48]
    assert len(fragment_payload(bytes(255 * 4), 4)) == 255
    with pytest.raises(LocalProtocolError, match="need 256 blocks"):
        fragment_payload(bytes(255 * 4 + 1), 4)
    # The reassembler takes the last block and no block after it.
    reassembler = ApsReassembler(window_size=2)
    reassembler.add(0, b"a", total_blocks=2)
    with pytest.raises(RemoteProtocolError, match="outside the current window"):
        reassembler.add(2, b"c")
    assert reassembler.add(1, b"b") == BlockAck(0, 0xFF)
    assert reassembler.complete


@pytest.mark.parametrize("data", ["", "00", "00ff01", "0c34"])
def test_truncated_frames(data: str) -> None:
    with pytest.raises(CodecError):
        parse_aps_frame(bytes.fromhex(data))
