"""Decode and encode whole ZCL frames: header, then the payload declared for the command.

Decoding is tolerant where the standard lets devices differ. Cluster-specific frames of unknown
clusters or commands, and every cluster-specific frame with a manufacturer code, keep their
payload as bytes. So does a manufacturer-specific global command whose payload does not decode.
Bytes after a declared payload are kept in ``trailing``. Encoding is strict.
"""

from __future__ import annotations

import re
import struct
from typing import Any

import construct

from commshub.codecs.zigbee.zcl import clusters as _clusters  # noqa: F401  (registers the clusters)
from commshub.codecs.zigbee.zcl.constructs import StrictBytesIO
from commshub.codecs.zigbee.zcl.foundation import GLOBAL_COMMANDS
from commshub.codecs.zigbee.zcl.frame import (
    ZCL_HEADER,
    Direction,
    FrameControl,
    FrameType,
    ZclFrame,
)
from commshub.codecs.zigbee.zcl.schema import CLUSTERS, CommandDef
from commshub.errors import CodecError

__all__ = ["ZCL_HEADER_MIN_SIZE", "build_zcl", "command_of", "parse_zcl"]

# Frame control, sequence number and command identifier (ZCL revision 6), bytes.
ZCL_HEADER_MIN_SIZE = 3
_ROOT = "zcl"
_PATH_NOISE = re.compile(r"\((?:parsing|building|sizeof|\?\?\?)\)")
# Errors that construct or the adapters below it raise for bad input or bad values.
_CODEC_FAILURES = (construct.ConstructError, struct.error, ValueError, TypeError, OverflowError,
                   IndexError, KeyError, UnicodeError)


def command_of(frame_type: int, cluster_id: int, direction: Direction, command_id: int,
               manufacturer_code: int | None = None) -> CommandDef | None:
    """Return the declaration of a command, or None when commshub keeps its payload raw."""
    if frame_type == FrameType.GLOBAL:
        return GLOBAL_COMMANDS.get(command_id)
    if frame_type != FrameType.CLUSTER or manufacturer_code is not None:
        return None
    cluster = CLUSTERS.get(cluster_id)
    if cluster is None:
        return None
    return cluster.commands(direction).get(command_id)


def _path_of(exc: BaseException, *outer: str) -> tuple[str, ...]:
    raw = getattr(exc, "path", None) or ""
    parts = [part.strip() for part in _PATH_NOISE.sub("", raw).split("->")]
    return (*outer, *(part for part in parts if part))


def _message_of(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"missing field {exc.args[0]!r}" if exc.args else "missing field"
    text = str(exc).strip()
    if isinstance(exc, construct.ConstructError) and "\n" in text:
        text = text.split("\n")[-1]
    return text or type(exc).__name__


def parse_zcl(data: bytes, cluster_id: int, *, direction: Direction | None = None) -> ZclFrame:
    """Decode one ZCL frame received on ``cluster_id``.

    With ``direction`` given, a frame whose direction bit differs raises CodecError.
    """
    data = bytes(data)
    if len(data) < ZCL_HEADER_MIN_SIZE:
        raise CodecError(
            f"a ZCL frame has at least {ZCL_HEADER_MIN_SIZE} bytes (frame control, sequence number, "
            f"command), found {len(data)}", path=(_ROOT, "header"), offset=0, data=data)
    stream = StrictBytesIO(data)
    try:
        header = ZCL_HEADER.parse_stream(stream)
    except _CODEC_FAILURES as exc:
        raise CodecError(_message_of(exc), path=_path_of(exc, _ROOT, "header"),
                         offset=stream.tell(), data=data) from None
    control: FrameControl = header.frame_control
    frame_direction = Direction(control.direction)
    if direction is not None and direction != frame_direction:
        raise CodecError(
            f"invalid direction: the direction bit is {frame_direction.name}, expected {Direction(direction).name}",
            path=(_ROOT, "header", "frame_control", "direction"), offset=0, data=data)
    frame_type = FrameType(control.frame_type) if control.frame_type <= FrameType.CLUSTER else control.frame_type
    manufacturer_code = header.manufacturer_code
    command = command_of(frame_type, cluster_id, frame_direction, header.command_id, manufacturer_code)

    payload_start = stream.tell()
    payload: Any
    trailing = b""
    if command is None:
        payload = data[payload_start:]
    else:
        try:
            payload = command.payload.parse_stream(stream)
            trailing = stream.read()
        except _CODEC_FAILURES as exc:
            if manufacturer_code is None:
                raise CodecError(_message_of(exc), path=_path_of(exc, _ROOT, command.name),
                                 offset=stream.tell(), data=data) from None
            # A manufacturer may give its own meaning to a global command's attributes.
            payload = data[payload_start:]
    return ZclFrame(
        cluster_id=cluster_id, command_id=header.command_id, payload=payload, tsn=header.tsn,
        frame_type=frame_type, direction=frame_direction,
        disable_default_response=control.disable_default_response,
        manufacturer_code=manufacturer_code, reserved=control.reserved, trailing=trailing,
    )


def build_zcl(frame: ZclFrame) -> bytes:
    """Encode ``frame``; raise CodecError naming the field when a value does not fit."""
    control = FrameControl(
        int(frame.frame_type), frame.manufacturer_code is not None, int(frame.direction),
        frame.disable_default_response, frame.reserved,
    )
    header = {"frame_control": control, "manufacturer_code": frame.manufacturer_code,
              "tsn": frame.tsn, "command_id": frame.command_id}
    try:
        out = bytes(ZCL_HEADER.build(header))
    except _CODEC_FAILURES as exc:
        raise CodecError(_message_of(exc), path=_path_of(exc, _ROOT, "header")) from None
    if isinstance(frame.payload, (bytes, bytearray)):
        return out + bytes(frame.payload) + frame.trailing
    command = command_of(frame.frame_type, frame.cluster_id, frame.direction, frame.command_id,
                         None if frame.is_global else frame.manufacturer_code)
    if command is None:
        raise CodecError(
            f"no payload declaration for command 0x{frame.command_id:02X} ({frame.direction.name}) "
            f"of cluster 0x{frame.cluster_id:04X}; give the payload as bytes", path=(_ROOT, "payload"))
    try:
        body = bytes(command.payload.build(frame.payload))
    except _CODEC_FAILURES as exc:
        raise CodecError(_message_of(exc), path=_path_of(exc, _ROOT, command.name)) from None
    return out + body + frame.trailing
