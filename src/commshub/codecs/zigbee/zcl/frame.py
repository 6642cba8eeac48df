"""The ZCL frame: its header (ZCL revision 6) and the frozen dataclass of a decoded or
to-be-built frame."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

import construct
from construct import Adapter, Int8ul, Int16ul, Struct, this

from commshub.codecs.zigbee.zcl.constructs import Fast, Maybe

__all__ = [
    "MANUFACTURER_SPECIFIC",
    "ZCL_HEADER",
    "Direction",
    "FrameControl",
    "FrameType",
    "ZclFrame",
]

# Frame control bits (ZCL revision 6).
_FRAME_TYPE_MASK = 0x03
MANUFACTURER_SPECIFIC = 0x04
_DIRECTION_BIT = 0x08
_DISABLE_DEFAULT_RESPONSE = 0x10
_RESERVED_SHIFT = 5


class FrameType(IntEnum):
    """Frame control bits 0-1: a global (profile-wide) or a cluster-specific command."""

    GLOBAL = 0
    CLUSTER = 1


class Direction(IntEnum):
    """Frame control bit 3: which side of the cluster sent the frame."""

    CLIENT_TO_SERVER = 0
    SERVER_TO_CLIENT = 1

    def reverse(self) -> Direction:
        """Return the direction of a reply to a frame sent in this direction."""
        return Direction(1 - self.value)


@dataclass(frozen=True, slots=True)
class FrameControl:
    """The frame control byte split into its fields; ``reserved`` is bits 5-7 as sent."""

    frame_type: int
    manufacturer_specific: bool
    direction: int
    disable_default_response: bool
    reserved: int = 0

    def __getitem__(self, name: str) -> Any:
        # construct's ``this.frame_control.manufacturer_specific`` looks fields up by index.
        return getattr(self, name)


class _FrameControlByte(Adapter):  # type: ignore[misc]
    def _decode(self, obj: int, context: Any, path: str) -> FrameControl:
        return FrameControl(
            obj & _FRAME_TYPE_MASK, bool(obj & MANUFACTURER_SPECIFIC), (obj & _DIRECTION_BIT) >> 3,
            bool(obj & _DISABLE_DEFAULT_RESPONSE), obj >> _RESERVED_SHIFT,
        )

    def _encode(self, obj: FrameControl, context: Any, path: str) -> int:
        if not 0 <= obj.frame_type <= _FRAME_TYPE_MASK or obj.direction not in (0, 1) or not 0 <= obj.reserved <= 7:
            raise construct.ExplicitError(f"invalid frame control {obj!r}", path=path)
        return (obj.frame_type | (MANUFACTURER_SPECIFIC if obj.manufacturer_specific else 0)
                | obj.direction << 3 | (_DISABLE_DEFAULT_RESPONSE if obj.disable_default_response else 0)
                | obj.reserved << _RESERVED_SHIFT)


# The ZCL header: frame control, the manufacturer code when the manufacturer-specific bit is
# set, the transaction sequence number and the command identifier.
ZCL_HEADER = Fast(Struct(
    "frame_control" / _FrameControlByte(Int8ul),
    "manufacturer_code" / Maybe(this.frame_control.manufacturer_specific, Int16ul),
    "tsn" / Int8ul,
    "command_id" / Int8ul,
))


@dataclass(frozen=True, slots=True)
class ZclFrame:
    """One ZCL frame: header fields, the payload and any bytes after the declared payload.

    ``payload`` is a mapping of field names to values (construct's Container when decoded) for
    commands that commshub declares, or bytes for frames it keeps raw: unknown clusters or
    commands, and cluster-specific frames of a manufacturer. ``trailing`` keeps bytes after the
    declared fields, which later revisions of a cluster may have added, so that the frame builds
    back unchanged. ``reserved`` is frame-control bits 5-7.
    """

    cluster_id: int
    command_id: int
    payload: Mapping[str, Any] | bytes = field(default_factory=dict)
    tsn: int = 0
    frame_type: FrameType | int = FrameType.GLOBAL  # an int for the reserved types 2 and 3
    direction: Direction = Direction.CLIENT_TO_SERVER
    disable_default_response: bool = False
    manufacturer_code: int | None = None
    reserved: int = 0
    trailing: bytes = b""

    @property
    def is_global(self) -> bool:
        """True for a profile-wide (foundation) command."""
        return self.frame_type == FrameType.GLOBAL

    @property
    def is_raw(self) -> bool:
        """True when the payload was kept as bytes instead of decoded fields."""
        return isinstance(self.payload, (bytes, bytearray))

    def __getitem__(self, name: str) -> Any:
        """Return payload field ``name``: ``frame["file_offset"]``."""
        if isinstance(self.payload, (bytes, bytearray)):
            raise KeyError(f"{name!r}: the payload of this frame is raw bytes")
        return self.payload[name]
