"""General block transfer: block codec, segmentation and reassembly."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commshub.codecs.gbcs import (
    Cra,
    GbcsFrame,
    GbtBlock,
    GbtReassembler,
    build_gbt_block,
    is_gbt_block,
    parse_gbt_block,
    segment,
)
from commshub.codecs.strategies import gbt_blocks
from commshub.errors import CodecError, RemoteProtocolError

ORIGINATOR = "00DB1234567890A1"
RECIPIENT = "90B3D51F30010000"


def _message(size: int) -> bytes:
    return GbcsFrame.response(originator=ORIGINATOR, recipient=RECIPIENT, originator_counter=7,
                              message_code=0x0077, content=bytes(index % 251 for index in range(size))).to_bytes()


def _blocks(message: bytes, size: int = 50, counter: int = 7) -> list[GbtBlock]:
    return segment(message, cra=Cra.RESPONSE, originator=ORIGINATOR, recipient=RECIPIENT,
                   originator_counter=counter, message_code=0x0077, block_size=size)


def test_block_layout() -> None:
    block = _blocks(_message(10), size=8)[0]
    wire = block.to_bytes()
    assert wire[:2] == b"\xdd\x09"
    assert is_gbt_block(wire)
    routing = wire[2:]
    assert routing[0] == Cra.RESPONSE
    assert routing[9:18] == b"\x08" + bytes.fromhex(ORIGINATOR)
    header = wire.index(b"\xe0")
    assert wire[header + 1] == 0x01  # not last, no streaming, window 1
    assert wire[header + 2 : header + 4] == b"\x00\x01"  # block number 1
    assert parse_gbt_block(wire) == block


def test_mac_frames_are_not_gbt_blocks() -> None:
    assert not is_gbt_block(_message(10))


def test_segments_are_numbered_and_last_marked() -> None:
    blocks = _blocks(_message(300), size=64)
    assert [block.block_number for block in blocks] == list(range(1, len(blocks) + 1))
    assert [block.last_block for block in blocks] == [False] * (len(blocks) - 1) + [True]


def test_reassembly_in_order_and_reverse() -> None:
    message = _message(300)
    for order in (_blocks(message), list(reversed(_blocks(message)))):
        reassembler = GbtReassembler()
        results = [reassembler.add(parse_gbt_block(block.to_bytes())) for block in order]
        assert results[-1] == message
        assert all(result is None for result in results[:-1])
        assert len(reassembler) == 0


def test_interleaved_messages_are_kept_apart() -> None:
    first, second = _message(120), _message(200)
    reassembler = GbtReassembler()
    done = []
    for pair in zip(_blocks(first, counter=1), _blocks(second, counter=2)):
        for block in pair:
            result = reassembler.add(block)
            if result is not None:
                done.append(result)
    for block in _blocks(second, counter=2)[len(_blocks(first, counter=1)):]:
        result = reassembler.add(block)
        if result is not None:
            done.append(result)
    assert sorted(done, key=len) == [first, second]


def test_same_counter_other_originator_kept_apart() -> None:
    # Two devices may use the same originator counter: the originator is part of the key.
    first, second = _message(120), _message(200)
    other = segment(second, cra=Cra.RESPONSE, originator="00DB1234567890A2", recipient=RECIPIENT,
                    originator_counter=7, message_code=0x0077, block_size=50)
    reassembler = GbtReassembler()
    done = []
    for pair in zip(_blocks(first), other):
        for block in pair:
            result = reassembler.add(block)
            if result is not None:
                done.append(result)
    for block in other[len(_blocks(first)):]:
        result = reassembler.add(block)
        if result is not None:
            done.append(result)
    assert done == [first, second]


def test_duplicate_block_is_ignored_and_conflict_raises() -> None:
    blocks = _blocks(_message(120))
    reassembler = GbtReassembler()
    assert reassembler.add(blocks[0]) is None
    assert reassembler.add(blocks[0]) is None
    with pytest.raises(RemoteProtocolError, match="different data"):
        reassembler.add(dataclasses.replace(blocks[0], data=b"other"))
    assert len(reassembler) == 0


def test_block_after_last_raises() -> None:
    blocks = _blocks(_message(120))
    reassembler = GbtReassembler()
    reassembler.add(blocks[-1])
    with pytest.raises(RemoteProtocolError, match="follows last block"):
        reassembler.add(dataclasses.replace(blocks[0], block_number=len(blocks) + 3))


def test_limits_are_enforced() -> None:
    reassembler = GbtReassembler(max_pending=2, max_octets=60)
    for counter in range(3):
        reassembler.add(_blocks(_message(100), counter=counter)[0])
    assert len(reassembler) == 2
    oversized = dataclasses.replace(_blocks(_message(100), counter=9)[0], data=bytes(61))
    with pytest.raises(RemoteProtocolError, match="exceeds"):
        reassembler.add(oversized)


def test_block_number_zero_rejected() -> None:
    block = GbtBlock(cra=1, originator_counter=1, originator=bytes(8), recipient=bytes(8),
                     message_code=1, block_number=0, data=b"")
    with pytest.raises(RemoteProtocolError):
        GbtReassembler().add(block)


def test_invalid_block_fields_raise() -> None:
    with pytest.raises(CodecError):
        GbtBlock(cra=1, originator_counter=1, originator=bytes(8), recipient=bytes(8),
                 message_code=1, block_number=1, data=b"", window=64)


def test_truncated_block_raises() -> None:
    wire = _blocks(_message(40))[0].to_bytes()
    with pytest.raises(CodecError) as raised:
        parse_gbt_block(wire[:-3])
    assert raised.value.path[0] == "gbt"


@given(gbt_blocks())
def test_block_round_trip(block: GbtBlock) -> None:
    assert parse_gbt_block(build_gbt_block(block)) == block


@given(st.binary(min_size=1, max_size=500), st.integers(1, 64), st.randoms(use_true_random=False))
def test_segment_then_reassemble_any_order(message: bytes, size: int, random: object) -> None:
    blocks = _blocks(message, size=size)
    random.shuffle(blocks)  # type: ignore[attr-defined]
    reassembler = GbtReassembler()
    results = [reassembler.add(parse_gbt_block(block.to_bytes())) for block in blocks]
    assert [result for result in results if result is not None] == [message]


@given(st.binary(max_size=120))
def test_random_bytes_give_value_or_codec_error(data: bytes) -> None:
    try:
        parse_gbt_block(b"\xdd\x09" + data)
    except CodecError as exc:
        assert str(exc)
