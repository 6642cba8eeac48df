"""Binary gateway frames and GFI lines: golden vectors, round trips, readers fed three ways,
and random bytes."""

from __future__ import annotations

from ipaddress import IPv6Address

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commshub.errors import CodecError, CommshubError
from commshub.wan.addresses import GroupKey, GroupSelector
from commshub.wan.framing import (
    HEADER_SIZE,
    Frame,
    FrameReader,
    FrameType,
    FramingError,
    GfiData,
    GfiError,
    GfiReader,
    GfiRoute,
    Status,
    decode_frame,
    encode_frame,
    encode_gfi_data,
    encode_gfi_error,
    encode_gfi_route,
)

HUB = IPv6Address("fd53:4d57:414e::1")

# Request to HUB, Category 5, critical, correlation id 0x0102030405060708, payload DD 00.
REQUEST_VECTOR = bytes.fromhex(
    "c348" "01" "02" "0000001d"  # magic, version 1, REQUEST, body length 29
    "05" "01" "0102030405060708"  # category 5, flags critical, correlation id
    "01" "fd534d57414e00000000000000000001"  # address type hub, IPv6 address
    "dd00"  # payload
)

# The GFI example line in the public HenryGiraldo GBCS emulator (c/gfi.c): a 72-byte CCS01-era
# GBCS response.
GFI_EXAMPLE = (
    b"GBCS:DATA#0:72:DD000000000000401100000000DF090200000000000003EB0800DB1234567890A00890B3D51F"
    b"30010000000200210CDA200003EB0000010001020000F4E3A029790221B3B6549478\r\n"
)


def test_request_golden_vector() -> None:
    frame = Frame(FrameType.REQUEST, category=5, correlation_id=0x0102030405060708, address=HUB,
                  payload=b"\xdd\x00", critical=True)

    assert encode_frame(frame) == REQUEST_VECTOR
    assert decode_frame(REQUEST_VECTOR) == frame


def test_scheduled_group_request_layout() -> None:
    frame = Frame(FrameType.REQUEST, category=4, correlation_id=7,
                  address=GroupSelector(GroupKey.POSTCODE, "AB1"), payload=b"\x01",
                  release_at_ms=0x0102, spread_ms=0x0304)
    data = encode_frame(frame)

    body = data[HEADER_SIZE:]
    assert body[1] == 0x18  # flags: release_at 0x08 | spread 0x10
    assert body[10:16] == b"\x02\x01\x03AB1"  # group, key postcode, length 3, "AB1"
    assert body[16:24] == (0x0102).to_bytes(8, "big")
    assert body[24:28] == (0x0304).to_bytes(4, "big")
    assert decode_frame(data) == frame


def test_ack_carries_status_and_retry_after() -> None:
    frame = Frame(FrameType.ACK, correlation_id=9, status=Status.RATE_LIMITED, retry_after_ms=250,
                  targets=0, message="slow down")

    decoded = decode_frame(encode_frame(frame))

    assert decoded == frame
    assert decoded.status_name() == "RATE_LIMITED"


def test_unknown_status_decodes_to_number() -> None:
    data = encode_frame(Frame(FrameType.ERROR, status=0x7777, message="?"))

    decoded = decode_frame(data)

    assert decoded.status == 0x7777
    assert decoded.status_name() == "0x7777"


def test_unknown_frame_type_is_codec_error() -> None:
    data = bytearray(REQUEST_VECTOR)
    data[3] = 0x42

    with pytest.raises(CodecError, match="unknown frame type 66") as info:
        decode_frame(bytes(data))
    assert info.value.offset == 3


def test_short_body_names_field() -> None:
    data = bytearray(REQUEST_VECTOR[:20])
    data[4:8] = (12).to_bytes(4, "big")

    with pytest.raises(CodecError) as info:
        decode_frame(bytes(data))
    assert "address" in info.value.path


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
_address = st.one_of(
    st.none(),
    st.builds(IPv6Address, st.integers(0, 2**128 - 1)),
    st.builds(GroupSelector, st.sampled_from(list(GroupKey)), _text.filter(lambda s: s.strip())),
)
_u64 = st.integers(0, 2**64 - 1)
_routing = {
    "category": st.integers(0, 255),
    "correlation_id": _u64,
    "address": _address,
    "critical": st.booleans(),
    "retransmission": st.booleans(),
    "more_follows": st.booleans(),
    "gateway_alert": st.booleans(),
    "release_at_ms": st.none() | _u64,
    "spread_ms": st.none() | st.integers(0, 2**32 - 1),
}
frames = st.one_of(
    st.builds(Frame, st.sampled_from([FrameType.REQUEST, FrameType.RESPONSE, FrameType.ALERT]),
              payload=st.binary(max_size=64), **_routing),
    st.builds(Frame, st.sampled_from([FrameType.ACK, FrameType.ERROR]),
              status=st.sampled_from(list(Status)), retry_after_ms=st.integers(0, 2**32 - 1),
              targets=st.integers(0, 2**32 - 1), message=_text, **_routing),
    st.builds(Frame, st.just(FrameType.HELLO), message=_text, **_routing),
    st.builds(Frame, st.just(FrameType.SUBSCRIBE), **_routing),
)


@given(frames)
def test_frame_round_trip(frame: Frame) -> None:
    data = encode_frame(frame)

    assert decode_frame(data) == frame
    assert encode_frame(decode_frame(data)) == data


@given(st.binary(max_size=80))
def test_random_bytes_decode_or_codec_error(data: bytes) -> None:
    try:
        decode_frame(data)
    except CodecError:
        pass


@given(st.binary(max_size=80))
def test_random_body_decodes_or_codec_error(body: bytes) -> None:
    # Random bodies behind a valid header reach the body parser, which random bytes rarely do.
    for frame_type in FrameType:
        data = b"\xc3\x48\x01" + bytes([frame_type]) + len(body).to_bytes(4, "big") + body
        try:
            decode_frame(data)
        except CodecError:
            pass


@settings(max_examples=100)
@given(st.binary(max_size=200))
def test_reader_on_random_bytes_gives_frames_or_error(data: bytes) -> None:
    reader = FrameReader(max_body=64)
    reader.feed(data)
    while True:
        try:
            if reader.next_frame() is None:
                break
        except FramingError as exc:
            assert isinstance(exc, CommshubError)
            assert str(exc)
            if not exc.recoverable:
                break


def _read_all(reader: FrameReader, chunks: list[bytes]) -> list[Frame]:
    frames: list[Frame] = []
    for chunk in chunks:
        reader.feed(chunk)
        while (frame := reader.next_frame()) is not None:
            frames.append(frame)
    return frames


@settings(max_examples=50)
@given(st.lists(frames, min_size=1, max_size=4))
def test_reader_whole_and_byte_by_byte(sample: list[Frame]) -> None:
    stream = b"".join(encode_frame(frame) for frame in sample)

    whole = _read_all(FrameReader(), [stream])
    by_byte = _read_all(FrameReader(), [stream[i : i + 1] for i in range(len(stream))])

    assert whole == sample
    assert by_byte == sample


def test_reader_keeps_trailing_bytes_buffered() -> None:
    reader = FrameReader()
    second = encode_frame(Frame(FrameType.HELLO, message="acb"))

    frames = _read_all(reader, [REQUEST_VECTOR + second[:5]])

    assert len(frames) == 1
    assert reader.buffered == 5
    reader.feed(second[5:])
    assert reader.next_frame() == Frame(FrameType.HELLO, message="acb")
    assert reader.buffered == 0


def test_reader_rejects_bad_magic_at_first_byte() -> None:
    reader = FrameReader()
    reader.feed(b"\x00")

    with pytest.raises(FramingError) as info:
        reader.next_frame()
    assert info.value.status is Status.MALFORMED_FRAME
    assert not info.value.recoverable


def test_reader_rejects_oversized_length_before_body() -> None:
    reader = FrameReader(max_body=1024)
    reader.feed(b"\xc3\x48\x01\x02\xff\xff\xff\xff")

    with pytest.raises(FramingError, match="4294967295 bytes exceeds the maximum of 1024") as info:
        reader.next_frame()
    assert info.value.status is Status.FRAME_TOO_LARGE
    assert not info.value.recoverable


def test_reader_skips_unknown_version_and_goes_on() -> None:
    reader = FrameReader()
    future = b"\xc3\x48\x02\x02\x00\x00\x00\x03abc"
    reader.feed(future + REQUEST_VECTOR)

    with pytest.raises(FramingError) as info:
        reader.next_frame()
    assert info.value.status is Status.UNSUPPORTED_VERSION
    assert info.value.recoverable
    assert reader.next_frame() == decode_frame(REQUEST_VECTOR)


def test_reader_skips_malformed_body_and_goes_on() -> None:
    reader = FrameReader()
    bad = b"\xc3\x48\x01\x02\x00\x00\x00\x02\x05\x00"  # body too short for the routing fields
    reader.feed(bad + REQUEST_VECTOR)

    with pytest.raises(FramingError) as info:
        reader.next_frame()
    assert info.value.status is Status.MALFORMED_FRAME
    assert info.value.recoverable
    assert reader.next_frame() == decode_frame(REQUEST_VECTOR)


def test_reader_eof_inside_frame_is_truncated() -> None:
    reader = FrameReader()
    reader.feed(REQUEST_VECTOR[:-1])
    assert reader.next_frame() is None

    with pytest.raises(FramingError, match="36 of the 37 bytes") as info:
        reader.check_eof()
    assert info.value.status is Status.TRUNCATED_FRAME


# GFI lines.


def _read_gfi(reader: GfiReader, chunks: list[bytes]) -> list[object]:
    messages: list[object] = []
    for chunk in chunks:
        reader.feed(chunk)
        while (message := reader.next_message()) is not None:
            messages.append(message)
    return messages


def test_gfi_example_line_three_ways() -> None:
    expected = GfiData(bytes.fromhex(GFI_EXAMPLE[15:-2].decode()), 0)

    whole = _read_gfi(GfiReader(), [GFI_EXAMPLE])
    by_byte = _read_gfi(GfiReader(), [GFI_EXAMPLE[i : i + 1] for i in range(len(GFI_EXAMPLE))])
    trailing = GfiReader()
    with_rest = _read_gfi(trailing, [GFI_EXAMPLE + b"GBCS:DA"])

    assert whole == [expected]
    assert len(expected.payload) == 72
    assert by_byte == [expected]
    assert with_rest == [expected]
    assert trailing.buffered == 7
    assert encode_gfi_data(expected.payload) == GFI_EXAMPLE


def test_gfi_route_and_error_lines() -> None:
    lines = encode_gfi_route(HUB) + encode_gfi_error(Status.UNKNOWN_ADDRESS, "no hub\nthere")

    messages = _read_gfi(GfiReader(), [lines])

    assert messages == [GfiRoute(HUB), GfiError(Status.UNKNOWN_ADDRESS, "no hub there")]


def test_gfi_accepts_bare_newline_and_lower_case_hex() -> None:
    assert _read_gfi(GfiReader(), [b"GBCS:DATA#3:2:dd0a\n"]) == [GfiData(b"\xdd\x0a", 3)]


@pytest.mark.parametrize(
    ("line", "status", "text"),
    [
        (b"GBCS:DATA#0:3:DD00\r\n", Status.MALFORMED_FRAME, "says 3 bytes but 4 hex digits"),
        (b"HELLO\r\n", Status.MALFORMED_FRAME, "not a GFI line"),
        (b"GBCS:DATA#0:99999:\r\n", Status.FRAME_TOO_LARGE, "exceeds the maximum"),
        (b"GBCS:ROUTE:1.2.3.4\r\n", Status.INVALID_ADDRESS, "not an IPv6 network address"),
    ],
)
def test_gfi_bad_line_is_skipped(line: bytes, status: Status, text: str) -> None:
    reader = GfiReader(max_body=1024)
    reader.feed(line + GFI_EXAMPLE)

    with pytest.raises(FramingError, match=text) as info:
        reader.next_message()
    assert info.value.status is status
    assert info.value.recoverable
    assert isinstance(reader.next_message(), GfiData)


def test_gfi_endless_line_is_unrecoverable() -> None:
    reader = GfiReader(max_body=16)
    reader.feed(b"GBCS:DATA#0:16:" + b"00" * 40)

    with pytest.raises(FramingError) as info:
        reader.next_message()
    assert info.value.status is Status.FRAME_TOO_LARGE
    assert not info.value.recoverable


def test_gfi_eof_inside_line_is_truncated() -> None:
    reader = GfiReader()
    reader.feed(GFI_EXAMPLE[:20])

    assert reader.next_message() is None
    with pytest.raises(FramingError) as info:
        reader.check_eof()
    assert info.value.status is Status.TRUNCATED_FRAME


@given(st.binary(max_size=200))
def test_gfi_reader_on_random_bytes(data: bytes) -> None:
    reader = GfiReader(max_body=32)
    reader.feed(data)
    while True:
        try:
            if reader.next_message() is None:
                break
        except FramingError as exc:
            if not exc.recoverable:
                break


@pytest.mark.parametrize("length", [b"99999999", b"1" + b"0" * 30])
def test_gfi_oversized_length_is_length_error(length: bytes) -> None:
    reader = GfiReader(max_body=1024)
    reader.feed(b"GBCS:DATA#0:" + length + b":00\r\n")

    with pytest.raises(FramingError, match=rb"GFI message of \d+ bytes exceeds".decode()) as info:
        reader.next_message()
    assert info.value.status is Status.FRAME_TOO_LARGE
    assert info.value.recoverable
