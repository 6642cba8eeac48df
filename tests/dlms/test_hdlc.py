"""HDLC frames (IEC 62056-46): golden frames, checksums, the stream reader fed three ways,
corruption and resynchronisation, and property round trips."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commshub.codecs.dlms import parse_apdu
from commshub.codecs.dlms.hdlc import (
    LLC_REQUEST,
    FrameKind,
    HdlcAddress,
    HdlcFrame,
    HdlcReader,
    SegmentAssembler,
    build_frame,
    crc16_x25,
    parse_frame,
    split_information,
)
from commshub.codecs.strategies import hdlc_frames
from commshub.errors import CodecError, NeedMoreData

# Frames from the dlms-cosem test suite, tests/test_hdlc/test_hdlc.py.
SNRM = bytes.fromhex("7EA00802232193BD647E")
UA = bytes.fromhex("7EA01F21022373E6C781801205019A06019A070400000001080400000001CCA27E")
AARQ_FRAME = bytes.fromhex("7EA02C02232110AF9FE6E600601DA109060760857405080101BE10040E0100000006"
                           "5F1F0400001E1DFFFFC5E47E")
AARE_FRAME = bytes.fromhex("7EA0382102233034E7E6E7006129A109060760857405080101A203020100A305A10302"
                           "0100BE10040E0800065F1F0400001E1D04C80007B86A7E")
# A GET response whose frame check sequence contains the flag octet 0x7E.
FLAG_IN_FCS = bytes.fromhex("7EA01B0300023C4752D551E6E700C401C10009060100202000FF7E8C7E")
GOLDEN = [SNRM, UA, AARQ_FRAME, AARE_FRAME, FLAG_IN_FCS]


def test_crc16_x25_check_value():
    assert crc16_x25(b"123456789") == 0x906E
    # dlms-cosem tests/test_hdlc/test_hdlc.py: HCS of 03 3F is EC 5B on the wire
    assert crc16_x25(bytes.fromhex("033F")).to_bytes(2, "little") == bytes.fromhex("5BEC")


@pytest.mark.parametrize("data", GOLDEN, ids=["snrm", "ua", "aarq", "aare", "flag-in-fcs"])
def test_golden_frames_round_trip(data):
    frame = parse_frame(data)
    assert build_frame(frame) == data


def test_snrm_fields():
    frame = parse_frame(SNRM)
    assert frame.destination == HdlcAddress(1, 17, 2)
    assert frame.source == HdlcAddress(16)
    assert frame.kind is FrameKind.SNRM
    assert frame.poll_final
    assert frame.information == b""


def test_information_frame_fields():
    frame = parse_frame(AARE_FRAME)
    assert frame.kind is FrameKind.I
    assert frame.send_sequence == 0
    assert frame.receive_sequence == 1
    assert frame.information.startswith(b"\xe6\xe7\x00")
    assert parse_apdu(frame.information[3:]).result == 0


def test_build_information_frame():
    control = HdlcFrame.i_control(0, 0)
    frame = HdlcFrame(HdlcAddress(1, 17, 2), HdlcAddress(16), control, AARQ_FRAME[9:-3])
    assert build_frame(frame) == AARQ_FRAME


@pytest.mark.parametrize(("address", "encoded"), [
    (HdlcAddress(1), "03"), (HdlcAddress(16), "21"), (HdlcAddress(0b1001010), "95"),
    (HdlcAddress(1, 17, 2), "0223"), (HdlcAddress(0x3FFF, 0x0001, 4), "FEFE0003"),
])
def test_address_encoding(address, encoded):
    # the 1- and 2-octet cases are from dlms-cosem tests/test_hdlc/test_hdlc.py
    assert address.to_bytes() == bytes.fromhex(encoded)
    assert HdlcAddress.from_bytes(bytes.fromhex(encoded)) == address


@pytest.mark.parametrize("address", [HdlcAddress(128), HdlcAddress(1, 200, 2), HdlcAddress(1, 2, 3),
                                     HdlcAddress(1, None, 2)])
def test_invalid_addresses_are_rejected(address):
    with pytest.raises(CodecError):
        address.to_bytes()


def test_frame_length_uses_eleven_bits():
    information = bytes(579 - 12)
    frame = HdlcFrame(HdlcAddress(1), HdlcAddress(1, 3875, 4), 0x52, information)
    data = build_frame(frame)
    assert len(data) == 579 + 2
    assert data[1:3] == bytes.fromhex("A243")
    assert parse_frame(data) == frame
    segmented = build_frame(HdlcFrame(HdlcAddress(1), HdlcAddress(1), 0x10, bytes(300), True))
    assert segmented[1] & 0xF8 == 0xA8


def test_frame_too_long_is_rejected():
    with pytest.raises(CodecError, match="exceeds 2047"):
        build_frame(HdlcFrame(HdlcAddress(1), HdlcAddress(1), 0x10, bytes(2040)))


@pytest.mark.parametrize(("data", "path"), [
    (bytes.fromhex("7EA00802232193BD657E"), ("hdlc", "fcs")),
    (bytes.fromhex("7EA01F21022373E6C881801205019A06019A070400000001080400000001CCA27E"),
     ("hdlc", "hcs")),
    (bytes.fromhex("7EB00802232193BD647E"), ("hdlc", "format")),
    (bytes.fromhex("7EA00802232193BD6400"), ("hdlc", "flag")),
    (bytes.fromhex("7EA00402237E"), ("hdlc", "format")),
    (bytes.fromhex("7EA00C02020202022193BD647E"), ("hdlc", "destination")),
])
def test_corrupt_frames_name_the_field(data, path):
    with pytest.raises(CodecError) as caught:
        parse_frame(data)
    assert caught.value.path == path


def test_truncated_frame_is_an_error_for_parse_frame():
    with pytest.raises(CodecError, match="truncated"):
        parse_frame(SNRM[:-1])


# --- the stream reader, fed three ways ----------------------------------------------------------

def _read_all(reader: HdlcReader) -> list[HdlcFrame]:
    return list(reader.frames())


@pytest.mark.parametrize("data", GOLDEN)
def test_reader_whole_buffer(data):
    reader = HdlcReader()
    reader.feed(data)
    assert _read_all(reader) == [parse_frame(data)]


@pytest.mark.parametrize("data", GOLDEN)
def test_reader_one_byte_at_a_time(data):
    reader = HdlcReader()
    frames = []
    for index, octet in enumerate(data):
        reader.feed(bytes((octet,)))
        if index < len(data) - 1:
            with pytest.raises(NeedMoreData):
                reader.read_frame()
        else:
            frames.append(reader.read_frame())
    assert frames == [parse_frame(data)]


def test_reader_keeps_trailing_bytes_buffered():
    reader = HdlcReader()
    reader.feed(FLAG_IN_FCS + UA[1:10])
    assert reader.read_frame() == parse_frame(FLAG_IN_FCS)
    with pytest.raises(NeedMoreData):
        reader.read_frame()
    assert reader.buffered == b"\x7e" + UA[1:10]
    reader.feed(UA[10:])
    assert reader.read_frame() == parse_frame(UA)


def test_reader_frames_sharing_flags_and_fill():
    stream = SNRM + UA[1:] + b"\x7e\x7e" + AARE_FRAME
    reader = HdlcReader()
    reader.feed(stream)
    assert [frame.kind for frame in _read_all(reader)] == [FrameKind.SNRM, FrameKind.UA,
                                                          FrameKind.I]


def test_reader_needs_more_data_reports_how_much():
    reader = HdlcReader()
    reader.feed(UA[:20])
    with pytest.raises(NeedMoreData) as caught:
        reader.read_frame()
    assert caught.value.needed == len(UA) - 20


def test_reader_raises_at_once_on_a_bad_header_check():
    corrupt = bytearray(UA)
    corrupt[8] ^= 0x01  # inside the header check sequence
    reader = HdlcReader()
    reader.feed(bytes(corrupt[:12]))  # much less than the frame length
    with pytest.raises(CodecError, match="header check sequence"):
        reader.read_frame()


def test_reader_raises_on_garbage_and_resynchronises():
    reader = HdlcReader()
    reader.feed(b"\x01\x02\x03" + SNRM)
    with pytest.raises(CodecError, match="outside a frame"):
        reader.read_frame()
    assert reader.read_frame() == parse_frame(SNRM)


def test_reader_resynchronises_after_a_corrupt_frame():
    corrupt = bytearray(AARE_FRAME)
    corrupt[30] ^= 0xFF
    reader = HdlcReader()
    reader.feed(bytes(corrupt) + SNRM)
    with pytest.raises(CodecError, match="frame check sequence"):
        reader.read_frame()
    assert reader.read_frame() == parse_frame(SNRM)
    with pytest.raises(NeedMoreData):
        reader.read_frame()


def test_reader_rejects_a_bad_format_type_without_waiting():
    reader = HdlcReader()
    reader.feed(b"\x7e\x41\x00")
    with pytest.raises(CodecError, match="format type"):
        reader.read_frame()


# --- segmentation -------------------------------------------------------------------------------

def test_segments_reassemble_with_receive_ready_frames_between():
    apdu = bytes.fromhex("C401C10009820258") + bytes(range(256)) * 2 + bytes(88)
    information = LLC_REQUEST + apdu
    parts = split_information(information, 128)
    assembler = SegmentAssembler()
    reader = HdlcReader()
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        reader.feed(build_frame(HdlcFrame(HdlcAddress(16), HdlcAddress(1, 17, 2),
                                          HdlcFrame.i_control(index, 0), part, not last)))
        if not last:
            reader.feed(build_frame(HdlcFrame(HdlcAddress(1, 17, 2), HdlcAddress(16),
                                              0x01 | ((index + 1) % 8) << 5 | 0x10)))
    result = None
    for frame in reader.frames():
        if frame.kind is FrameKind.RR:
            continue
        result = assembler.add(frame)
    assert result == information
    assert assembler.pending == 0


def test_assembler_rejects_supervisory_frames():
    with pytest.raises(CodecError, match="only I- and UI-frames"):
        SegmentAssembler().add(HdlcFrame(HdlcAddress(1), HdlcAddress(1), 0x11))


# --- properties ---------------------------------------------------------------------------------

@given(hdlc_frames())
@settings(max_examples=100)
def test_build_then_parse_gives_the_frame(frame):
    assert parse_frame(build_frame(frame)) == frame


@given(st.lists(hdlc_frames(), min_size=1, max_size=4), st.integers(1, 50))
@settings(max_examples=60)
def test_reader_splits_any_chunking(frames, chunk):
    stream = b"".join(build_frame(frame) for frame in frames)
    reader = HdlcReader()
    read = []
    for start in range(0, len(stream), chunk):
        reader.feed(stream[start : start + chunk])
        read.extend(reader.frames())
    assert read == frames


@given(st.binary(max_size=80))
def test_random_bytes_give_frames_or_codec_errors(data):
    reader = HdlcReader()
    reader.feed(data)
    for _ in range(len(data) + 2):
        try:
            reader.read_frame()
        except NeedMoreData:
            break
        except CodecError as exc:
            assert str(exc)
    assert len(reader.buffered) <= len(data)
