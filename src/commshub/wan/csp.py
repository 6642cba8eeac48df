"""Gateway payloads between the DCC side and a hub that are not GBCS messages.

The gateway carries every payload unchanged; these are the ones commshub's hub drivers read
and write (docs/wan-interface.md, "Payloads that are not GBCS"):

- Category 1: a chunk of an OTA upgrade image for the hub's data store, and the hub's
  acknowledgement saying where the next chunk must start.
- Category 2: a retrieval poll (empty, or a meter's entity ID), or a GBCS command that
  schedules a read.

A payload that starts with a GBCS tag (0xDD general-ciphering, 0xDF general-signing) is a GBCS
message. The magic numbers below start with other bytes, so the two never mix.
"""

from __future__ import annotations

from dataclasses import dataclass

from construct import Const, Enum, GreedyBytes, Int8ub, Int32ub, PascalString, Struct

from commshub.codecs.common import build, parse
from commshub.errors import CodecError

__all__ = [
    "CHUNK_ACK_MAGIC",
    "CHUNK_MAGIC",
    "FirmwareChunk",
    "FirmwareChunkAck",
    "RetrievalPoll",
    "decode_chunk",
    "decode_chunk_ack",
    "decode_retrieval",
    "encode_chunk",
    "encode_chunk_ack",
    "is_gbcs",
]

CHUNK_MAGIC = b"CHFW"
CHUNK_ACK_MAGIC = b"CHFA"
# GBCS frames start with general-ciphering (MAC header) or general-signing (GBCS section 5).
_GBCS_TAGS = (0xDD, 0xDF)
_EUI64_LENGTH = 8
# An image id is one length byte of UTF-8.
_MAX_IMAGE_ID = 255
_VERIFIED_UNKNOWN = 0xFF

_CHUNK = Struct(
    "magic" / Const(CHUNK_MAGIC),
    "image_id" / PascalString(Int8ub, "utf8"),
    "offset" / Int32ub,
    "total_size" / Int32ub,
    "data" / GreedyBytes,
)

_CHUNK_ACK = Struct(
    "magic" / Const(CHUNK_ACK_MAGIC),
    "image_id" / PascalString(Int8ub, "utf8"),
    "next_offset" / Int32ub,
    "total_size" / Int32ub,
    "verified" / Enum(Int8ub, no=0, yes=1, unknown=_VERIFIED_UNKNOWN),
)


@dataclass(frozen=True)
class FirmwareChunk:
    """``data`` goes at ``offset`` of the image ``image_id``, which is ``total_size`` bytes."""

    image_id: str
    offset: int
    total_size: int
    data: bytes


@dataclass(frozen=True)
class FirmwareChunkAck:
    """The data store holds ``image_id`` up to ``next_offset``; ``verified`` is None until the
    whole image was checked, then whether its hash and signature were valid."""

    image_id: str
    next_offset: int
    total_size: int
    verified: bool | None = None

    @property
    def complete(self) -> bool:
        return self.verified is not None


@dataclass(frozen=True)
class RetrievalPoll:
    """A Category 2 poll for the cached reads of one meter, or of every meter (None)."""

    device: bytes | None = None


def is_gbcs(payload: bytes) -> bool:
    """Tell whether a payload starts like a GBCS message."""
    return bool(payload) and payload[0] in _GBCS_TAGS


def encode_chunk(chunk: FirmwareChunk) -> bytes:
    if len(chunk.image_id.encode()) > _MAX_IMAGE_ID:
        raise CodecError(f"image id of {len(chunk.image_id.encode())} bytes exceeds {_MAX_IMAGE_ID}",
                         path=("firmware_chunk", "image_id"))
    return build(_CHUNK, {"image_id": chunk.image_id, "offset": chunk.offset,
                          "total_size": chunk.total_size, "data": chunk.data}, root="firmware_chunk")


def decode_chunk(data: bytes) -> FirmwareChunk:
    """Parse a Category 1 payload; raise CodecError with the field path when it is not a chunk."""
    value = parse(_CHUNK, data, root="firmware_chunk")
    return FirmwareChunk(value.image_id, value.offset, value.total_size, bytes(value.data))


def encode_chunk_ack(ack: FirmwareChunkAck) -> bytes:
    verified = "unknown"
    if ack.verified is not None:
        verified = "yes" if ack.verified else "no"
    return build(_CHUNK_ACK, {"image_id": ack.image_id, "next_offset": ack.next_offset,
                              "total_size": ack.total_size, "verified": verified},
                 root="firmware_chunk_ack")


def decode_chunk_ack(data: bytes) -> FirmwareChunkAck:
    value = parse(_CHUNK_ACK, data, root="firmware_chunk_ack")
    verified = {"yes": True, "no": False}.get(str(value.verified))
    return FirmwareChunkAck(value.image_id, value.next_offset, value.total_size, verified)


def decode_retrieval(payload: bytes) -> RetrievalPoll | None:
    """Read a Category 2 payload: a poll, or None when it is a GBCS command (a schedule).

    Raises CodecError for anything else.
    """
    if not payload:
        return RetrievalPoll()
    if is_gbcs(payload):
        return None
    if len(payload) == _EUI64_LENGTH:
        return RetrievalPoll(bytes(payload))
    raise CodecError(f"a Category 2 payload is empty, an 8-byte entity ID or a GBCS command, "
                     f"not {len(payload)} bytes starting 0x{payload[0]:02X}",
                     path=("retrieval",), offset=0, data=bytes(payload[:16]))
