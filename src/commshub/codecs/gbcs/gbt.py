"""GBCS general block transfer (GBT): long messages split into blocks behind a routing header.

Layout of one block (wireshark ``packet-gbcs.c``, ``dissect_gbcs_message_routing_header`` and
``dissect_gbcs_message_gbt_header``)::

    DD                                         general-ciphering (routing header)
    09 <CRA> <originator counter, 8>           transaction-id
    08 <originator EUI-64> 08 <recipient EUI-64>
    <00 | 0C + date-time>                      date-time
    02 <message code, 2>                       other-information
    00                                         key-info, empty
    <len> <security control> <invocation counter, 4>
          E0 <block control> <block number, 2> <block number ack, 2> <len> <block data>

Block control: bit 7 last block, bit 6 streaming, bits 0-5 window. Block numbers start at 1.
The block data of all blocks, in order, is one whole GBCS frame. Blocks of one message share
the business originator and originator counter, which key the reassembly.

Wireshark 4.0's GBCS dissector reassembles the blocks this module writes (tested with tshark).
NOTE: GBCS's own text for the routing header was not available, and the dissector reads but
does not check two fields. The ciphered-content length is taken to cover the security header
and the GBT APDU, and new blocks default to security control 0x00 and invocation counter 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import construct
from construct import (
    BitsInteger,
    BitStruct,
    Byte,
    Bytes,
    Const,
    Flag,
    GreedyBytes,
    If,
    Int16ub,
    Int32ub,
    Int64ub,
    Peek,
    Rebuild,
    Struct,
    this,
)

from commshub.codecs.gbcs.ber import BerLengthForm, BerPrefixed, build_whole, parse_whole
from commshub.codecs.gbcs.frame import DATE_TIME_LENGTH, GENERAL_CIPHERING_TAG, SYSTEM_TITLE, eui64
from commshub.codecs.gbcs.tables import Cra
from commshub.errors import CodecError, RemoteProtocolError

__all__ = [
    "GBT_BLOCK",
    "GBT_TAG",
    "MAX_BLOCKS",
    "MAX_PENDING_MESSAGES",
    "MAX_WINDOW",
    "GbtBlock",
    "GbtReassembler",
    "build_gbt_block",
    "is_gbt_block",
    "parse_gbt_block",
    "segment",
]

GBT_TAG = 0xE0  # xDLMS general-block-transfer APDU
MAX_WINDOW = 0x3F  # block control bits 0-5
MAX_BLOCKS = 0xFFFF  # block numbers are 2 octets
# Reassembly limits: a sender that opens more messages or sends more blocks than this is
# misbehaving; the buffer drops the oldest message rather than grow without bound.
MAX_PENDING_MESSAGES = 64
MAX_MESSAGE_OCTETS = 1 << 20
_TRANSACTION_ID_LENGTH = 9
_OTHER_INFORMATION_LENGTH = 2


@dataclass(frozen=True)
class GbtBlock:
    """One GBT block with its routing header."""

    cra: Cra | int
    originator_counter: int
    originator: bytes
    recipient: bytes
    message_code: int
    block_number: int
    data: bytes
    last_block: bool = False
    block_number_ack: int = 0
    streaming: bool = False
    window: int = 0
    date_time: bytes | None = None
    security_control: int = 0
    invocation_counter: int = 0
    ciphered_length_form: int | None = field(default=None, compare=True)
    data_length_form: int | None = field(default=None, compare=True)

    def __post_init__(self) -> None:
        if isinstance(self.cra, int) and not isinstance(self.cra, Cra) and self.cra in (1, 2, 3):
            object.__setattr__(self, "cra", Cra(self.cra))
        checks = (
            (0 <= int(self.cra) <= 0xFF, "cra", "must be one octet"),
            (0 <= self.originator_counter < 1 << 64, "originator_counter", "must fit in 8 octets"),
            (len(self.originator) == 8, "originator", "must be 8 bytes"),
            (len(self.recipient) == 8, "recipient", "must be 8 bytes"),
            (0 <= self.message_code <= 0xFFFF, "message_code", "must fit in 2 octets"),
            (0 <= self.block_number <= MAX_BLOCKS, "block_number", "must fit in 2 octets"),
            (0 <= self.block_number_ack <= MAX_BLOCKS, "block_number_ack", "must fit in 2 octets"),
            (0 <= self.window <= MAX_WINDOW, "window", f"must be 0 to {MAX_WINDOW}"),
            (0 <= self.security_control <= 0xFF, "security_control", "must be one octet"),
            (0 <= self.invocation_counter < 1 << 32, "invocation_counter", "must fit in 4 octets"),
            (self.date_time is None or len(self.date_time) == DATE_TIME_LENGTH, "date_time",
             f"must be {DATE_TIME_LENGTH} bytes or None"),
        )
        for ok, name, reason in checks:
            if not ok:
                raise CodecError(f"{reason}, found {getattr(self, name)!r}", path=("gbt", name))

    @property
    def key(self) -> tuple[bytes, int]:
        """The reassembly key: business originator and originator counter."""
        return self.originator, self.originator_counter

    def to_bytes(self) -> bytes:
        return build_gbt_block(self)


_BLOCK_CONTROL = BitStruct(
    "last_block" / Flag,
    "streaming" / Flag,
    "window" / BitsInteger(6),
)

_GBT_STRUCT = Struct(
    "tag" / Const(bytes([GENERAL_CIPHERING_TAG])),
    "transaction_id_length" / Const(bytes([_TRANSACTION_ID_LENGTH])),
    "cra" / Byte,
    "originator_counter" / Int64ub,
    "originator" / SYSTEM_TITLE,
    "recipient" / SYSTEM_TITLE,
    "date_time_length" / Rebuild(
        construct.OneOf(Byte, [0, DATE_TIME_LENGTH]),
        lambda ctx: 0 if ctx.date_time is None else DATE_TIME_LENGTH,
    ),
    "date_time" / If(this.date_time_length == DATE_TIME_LENGTH, Bytes(DATE_TIME_LENGTH)),
    "other_information_length" / Const(bytes([_OTHER_INFORMATION_LENGTH])),
    "message_code" / Int16ub,
    "key_info" / Const(b"\x00"),
    "ciphered_form" / Peek(BerLengthForm()),
    "ciphered" / BerPrefixed(Struct(
        "security_control" / Byte,
        "invocation_counter" / Int32ub,
        "gbt_tag" / Const(bytes([GBT_TAG])),
        "block_control" / _BLOCK_CONTROL,
        "block_number" / Int16ub,
        "block_number_ack" / Int16ub,
        "data_form" / Peek(BerLengthForm()),
        "data" / BerPrefixed(GreedyBytes, this.data_form),
    ), this.ciphered_form),
)


class _GbtAdapter(construct.Adapter):  # type: ignore[misc]
    def _decode(self, obj: Any, context: Any, path: str) -> GbtBlock:
        inner = obj.ciphered
        try:
            return GbtBlock(
                cra=obj.cra, originator_counter=obj.originator_counter,
                originator=bytes(obj.originator), recipient=bytes(obj.recipient),
                message_code=obj.message_code, block_number=inner.block_number,
                data=bytes(inner.data), last_block=inner.block_control.last_block,
                block_number_ack=inner.block_number_ack, streaming=inner.block_control.streaming,
                window=inner.block_control.window,
                date_time=None if obj.date_time is None else bytes(obj.date_time),
                security_control=inner.security_control, invocation_counter=inner.invocation_counter,
                ciphered_length_form=obj.ciphered_form, data_length_form=inner.data_form,
            )
        except CodecError as exc:
            raise construct.ExplicitError(exc.reason, path=path) from None

    def _encode(self, obj: GbtBlock, context: Any, path: str) -> dict[str, Any]:
        return {
            "cra": int(obj.cra),
            "originator_counter": obj.originator_counter,
            "originator": obj.originator,
            "recipient": obj.recipient,
            "date_time": obj.date_time,
            "message_code": obj.message_code,
            "ciphered_form": obj.ciphered_length_form,
            "ciphered": {
                "security_control": obj.security_control,
                "invocation_counter": obj.invocation_counter,
                "block_control": {"last_block": obj.last_block, "streaming": obj.streaming,
                                  "window": obj.window},
                "block_number": obj.block_number,
                "block_number_ack": obj.block_number_ack,
                "data_form": obj.data_length_form,
                "data": obj.data,
            },
        }


GBT_BLOCK = _GbtAdapter(_GBT_STRUCT)


def is_gbt_block(data: bytes) -> bool:
    """Tell a GBT block (``DD 09``) from a MAC-protected frame (``DD 00``) by its first octets."""
    return len(data) >= 2 and data[0] == GENERAL_CIPHERING_TAG and data[1] == _TRANSACTION_ID_LENGTH


def parse_gbt_block(data: bytes) -> GbtBlock:
    """Parse one GBT block; raise CodecError with field path, offset and bytes."""
    block: GbtBlock = parse_whole(GBT_BLOCK, data, root="gbt")
    return block


def build_gbt_block(block: GbtBlock) -> bytes:
    """Encode one GBT block."""
    return build_whole(GBT_BLOCK, block, root="gbt")


def segment(
    message: bytes, *, cra: Cra | int, originator: bytes | str | int, recipient: bytes | str | int,
    originator_counter: int, message_code: int, block_size: int, streaming: bool = False,
    window: int = 1,
) -> list[GbtBlock]:
    """Split an encoded GBCS frame into GBT blocks of at most ``block_size`` data octets."""
    if block_size < 1:
        raise CodecError(f"block size must be at least 1 octet, found {block_size}", path=("gbt", "block_size"))
    chunks = [message[start : start + block_size] for start in range(0, len(message), block_size)] or [b""]
    if len(chunks) > MAX_BLOCKS:
        raise CodecError(f"{len(chunks)} blocks exceed the {MAX_BLOCKS} block numbers",
                         path=("gbt", "block_number"))
    originator, recipient = eui64(originator), eui64(recipient)
    return [
        GbtBlock(
            cra=cra, originator_counter=originator_counter, originator=originator, recipient=recipient,
            message_code=message_code, block_number=number, data=chunk,
            last_block=number == len(chunks), streaming=streaming, window=window,
        )
        for number, chunk in enumerate(chunks, start=1)
    ]


@dataclass
class _Pending:
    blocks: dict[int, bytes] = field(default_factory=dict)
    last: int | None = None
    size: int = 0


class GbtReassembler:
    """Collect GBT blocks, keyed by originator and originator counter, into whole messages.

    :meth:`add` returns the reassembled frame bytes once every block from 1 to the last one
    is present, in any arrival order, and None before that. A repeated block with the same
    data is ignored; one with different data, a second last block or a message beyond
    :data:`MAX_MESSAGE_OCTETS` raises RemoteProtocolError and drops that message. At most
    :data:`MAX_PENDING_MESSAGES` messages are held; the oldest is dropped to make room.
    """

    def __init__(self, *, max_pending: int = MAX_PENDING_MESSAGES, max_octets: int = MAX_MESSAGE_OCTETS):
        self._pending: dict[tuple[bytes, int], _Pending] = {}
        self.max_pending = max_pending
        self.max_octets = max_octets

    def __len__(self) -> int:
        return len(self._pending)

    def add(self, block: GbtBlock) -> bytes | None:
        key = block.key
        if block.block_number < 1:
            raise RemoteProtocolError(f"GBT block number must start at 1, found {block.block_number}")
        pending = self._pending.get(key)
        if pending is None:
            if len(self._pending) >= self.max_pending:
                self._pending.pop(next(iter(self._pending)))
            pending = self._pending[key] = _Pending()
        try:
            self._store(pending, block)
        except RemoteProtocolError:
            del self._pending[key]
            raise
        if pending.last is None or len(pending.blocks) != pending.last:
            return None
        del self._pending[key]
        return b"".join(pending.blocks[number] for number in range(1, pending.last + 1))

    def _store(self, pending: _Pending, block: GbtBlock) -> None:
        seen = pending.blocks.get(block.block_number)
        if seen is not None:
            if seen != block.data:
                raise RemoteProtocolError(
                    f"GBT block {block.block_number} of counter {block.originator_counter} "
                    "arrived twice with different data")
            return
        if block.last_block:
            if pending.last is not None and pending.last != block.block_number:
                raise RemoteProtocolError(
                    f"GBT message of counter {block.originator_counter} has two last blocks "
                    f"({pending.last} and {block.block_number})")
            pending.last = block.block_number
        if pending.last is not None and block.block_number > pending.last:
            raise RemoteProtocolError(
                f"GBT block {block.block_number} follows last block {pending.last}")
        pending.size += len(block.data)
        if pending.size > self.max_octets:
            raise RemoteProtocolError(f"GBT message exceeds {self.max_octets} octets")
        pending.blocks[block.block_number] = block.data
