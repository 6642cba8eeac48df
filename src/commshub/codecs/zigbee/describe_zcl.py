"""``commshub decode --as zcl`` and ``--as ota``: decode trees with names and meanings.

Each decoder returns the JSON record (``ok``, ``error``, ``round_trip``, the tree under
``frame``) and the tree the CLI prints.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import construct

from commshub.cli.layers import DecodeOptions, DecodeResult
from commshub.codecs.common import Node
from commshub.codecs.zigbee import ota as ota_file
from commshub.codecs.zigbee.zcl import (
    CLUSTERS,
    GLOBAL_COMMANDS,
    OTA_UPGRADE,
    DataType,
    Direction,
    FrameType,
    Status,
    ZclFrame,
    ZclText,
    build_zcl,
    cluster_name,
    command_of,
    parse_zcl,
)
from commshub.codecs.zigbee.zcl.constructs import CountedList, Maybe
from commshub.codecs.zigbee.zcl.foundation import RESPONSE_COMMANDS
from commshub.codecs.zigbee.zcl.frame import ZCL_HEADER
from commshub.codecs.zigbee.zcl.schema import Attribute, CommandDef
from commshub.codecs.zigbee.zcl.types import UTC_TIME_INVALID, UtcTime, type_name, utc_to_datetime
from commshub.errors import CodecError

__all__ = ["decode_ota", "decode_zcl", "describe_ota_file", "describe_zcl_frame"]

# Cluster identifier used when the user gives none: reserved in ZCL, so no cluster matches and
# cluster-specific payloads stay raw.
_NO_CLUSTER = 0xFFFF
_DIRECTIONS = {"client": Direction.CLIENT_TO_SERVER, "server": Direction.SERVER_TO_CLIENT}
# Bytes of a sub-element or image shown in the tree.
_PREVIEW_BYTES = 16


@functools.cache
def _utc_field_names() -> frozenset[str]:
    """Names of every declared payload field encoded as a ZCL UTCTime."""
    names: set[str] = set()
    seen: set[int] = set()

    def walk(con: Any, name: str | None) -> None:
        if id(con) in seen and name is None:
            return
        seen.add(id(con))
        if con is UtcTime and name:
            names.add(name)
            return
        if isinstance(con, construct.Renamed):
            walk(con.subcon, con.name or name)
        elif isinstance(con, construct.Struct):
            for sub in con.subcons:
                walk(sub, None)
        elif isinstance(con, Maybe):
            walk(con.thensubcon, name)
        elif isinstance(con, construct.Switch):
            # Typed values: their meaning follows the record's type field, not the name.
            return
        elif isinstance(con, (construct.Subconstruct, CountedList)):
            walk(con.subcon, name)

    declared: list[CommandDef] = list(GLOBAL_COMMANDS.values())
    for cluster in CLUSTERS.values():
        declared.extend(cluster.commands_to_server.values())
        declared.extend(cluster.commands_to_client.values())
    for command in declared:
        walk(command.payload, None)
    return frozenset(names)


def _utc_meaning(seconds: int) -> str:
    if seconds == UTC_TIME_INVALID:
        return "invalid (0xFFFFFFFF)"
    moment = utc_to_datetime(seconds)
    return moment.isoformat().replace("+00:00", "Z") if moment else ""


class _Describer:
    """Builder of the Node tree of one decoded ZCL frame."""

    def __init__(self, frame: ZclFrame) -> None:
        self.frame = frame
        cluster = CLUSTERS.get(frame.cluster_id)
        self.attributes: Mapping[int, Attribute] = {}
        if cluster is not None and frame.is_global:
            sender = frame.command_id in RESPONSE_COMMANDS
            self.attributes = cluster.attribute_table(frame.direction, sender_side=sender)
        self.utc_fields = _utc_field_names()

    def value(self, parent: Node, name: str, value: Any, record: Mapping[str, Any] | None = None) -> None:
        if isinstance(value, Mapping):
            node = parent.add(name)
            for key, item in value.items():
                if not str(key).startswith("_"):
                    self.value(node, str(key), item, value)
            return
        if isinstance(value, list):
            node = parent.add(name, meaning=f"{len(value)} entries")
            for index, item in enumerate(value):
                self.value(node, f"[{index}]", item, record)
            return
        parent.add(name, value=self._plain(value), meaning=self.meaning(name, value, record))

    @staticmethod
    def _plain(value: Any) -> Any:
        if isinstance(value, ZclText):
            return str(value)
        if isinstance(value, (bytes, bytearray)):
            return bytes(value).hex().upper()
        return value

    def meaning(self, name: str, value: Any, record: Mapping[str, Any] | None) -> str | None:
        if value is None:
            return "absent or invalid"
        if isinstance(value, ZclText) and value.raw != str(value).encode():
            return f"raw {value.raw.hex().upper()}"
        if isinstance(value, bool) or not isinstance(value, int):
            return None
        if name == "attribute_id":
            attribute = self.attributes.get(value)
            return attribute.name if attribute else None
        if name in ("type", "element_type"):
            return type_name(value)
        if name == "status" and (self.frame.is_global or self.frame.cluster_id == OTA_UPGRADE.id):
            return _status_name(value)
        if name == "command_id" and self.frame.is_global and self.frame.command_id == 0x0B:
            return _command_name(self.frame, value)
        typed_utc = name in ("value", "reportable_change") and record is not None \
            and record.get("type") == DataType.UTC_TIME
        if name in self.utc_fields or typed_utc:
            return _utc_meaning(value)
        if name in ("valid_from", "valid_to") and record is not None:
            return _certificate_validity(name, value, record)
        return None


# Suite 2 certificate validity as Wireshark 4.0 reads it (packet-zbee-zcl-se.c): valid_from in
# Unix seconds, valid_to in seconds after valid_from, 0xFFFFFFFF for no expiry.
_NO_EXPIRY = 0xFFFFFFFF


def _certificate_validity(name: str, value: int, record: Mapping[str, Any]) -> str:
    if name == "valid_to" and value == _NO_EXPIRY:
        return "does not expire (0xFFFFFFFF)"
    seconds = value if name == "valid_from" else int(record["valid_from"]) + value
    try:
        moment = datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, ValueError, OSError):
        return f"beyond the dates Python represents ({seconds} s after 1970)"
    text = moment.isoformat().replace("+00:00", "Z")
    return f"{text} (Unix time)" if name == "valid_from" else f"{text} (seconds after valid_from)"


def _status_name(value: int) -> str:
    try:
        return Status(value).name
    except ValueError:
        return f"status 0x{value:02X}"


def _command_name(frame: ZclFrame, command_id: int) -> str | None:
    # A Default Response replies to a command sent the other way, global or cluster-specific.
    cluster = CLUSTERS.get(frame.cluster_id)
    if cluster is not None:
        command = cluster.commands(frame.direction.reverse()).get(command_id)
        if command is not None:
            return f"{command.name} (or global {GLOBAL_COMMANDS[command_id].name})" \
                if command_id in GLOBAL_COMMANDS else command.name
    command_def = GLOBAL_COMMANDS.get(command_id)
    return command_def.name if command_def else None


def _header_nodes(root: Node, data: bytes, frame: ZclFrame) -> None:
    header = root.add("header", raw=data[: 5 if frame.manufacturer_code is not None else 3])
    control = header.add("frame_control", raw=data[:1])
    kind = FrameType(frame.frame_type).name.lower() if frame.frame_type <= 1 else "reserved"
    control.add("frame_type", value=int(frame.frame_type), meaning=kind)
    control.add("manufacturer_specific", value=frame.manufacturer_code is not None)
    control.add("direction", value=int(frame.direction), meaning=frame.direction.name.lower())
    control.add("disable_default_response", value=frame.disable_default_response)
    if frame.reserved:
        control.add("reserved", value=frame.reserved, meaning="reserved bits set")
    offset = 1
    if frame.manufacturer_code is not None:
        header.add("manufacturer_code", raw=data[1:3], value=frame.manufacturer_code,
                   meaning=f"0x{frame.manufacturer_code:04X}")
        offset = 3
    header.add("tsn", raw=data[offset:offset + 1], value=frame.tsn)
    command = command_of(frame.frame_type, frame.cluster_id, frame.direction, frame.command_id,
                         frame.manufacturer_code)
    name = command.name if command else "not declared: payload kept raw"
    header.add("command_id", raw=data[offset + 1:offset + 2], value=frame.command_id, meaning=name)


def describe_zcl_frame(frame: ZclFrame, data: bytes) -> Node:
    """Build the decode tree of ``frame``, decoded from ``data``."""
    root = Node("zcl", raw=data, meaning=cluster_name(frame.cluster_id))
    _header_nodes(root, data, frame)
    payload_size = len(data) - len(frame.trailing)
    header_size = 5 if frame.manufacturer_code is not None else 3
    payload_raw = data[header_size:payload_size]
    if isinstance(frame.payload, (bytes, bytearray)):
        reason = "manufacturer-specific" if frame.manufacturer_code is not None else "not declared"
        root.add("payload", raw=payload_raw, value=bytes(frame.payload).hex().upper(), meaning=f"raw ({reason})")
    else:
        payload = root.add("payload", raw=payload_raw)
        describer = _Describer(frame)
        for key, item in frame.payload.items():
            if not str(key).startswith("_"):
                describer.value(payload, str(key), item, frame.payload)
    if frame.trailing:
        root.add("trailing", raw=frame.trailing, meaning="bytes after the declared payload")
    return root


def _record(ok: bool, error: str | None, tree: Node | None, **extra: Any) -> DecodeResult:
    record: dict[str, Any] = {"ok": ok, "error": error, **extra}
    if tree is not None:
        record["frame"] = tree.to_json()
    return DecodeResult(record, tree)


def decode_zcl(data: bytes, options: DecodeOptions) -> DecodeResult:
    """Decode one ZCL frame for the CLI; ``options.cluster`` and ``options.direction`` apply."""
    cluster_id = options.cluster if options.cluster is not None else _NO_CLUSTER
    direction = _DIRECTIONS.get(options.direction) if options.direction else None
    try:
        frame = parse_zcl(data, cluster_id, direction=direction)
    except CodecError as exc:
        return _record(False, str(exc), _partial_header(data))
    tree = describe_zcl_frame(frame, data)
    if options.cluster is None and not frame.is_global:
        tree.meaning = "no --cluster given: cluster-specific payload kept raw"
    command = command_of(frame.frame_type, frame.cluster_id, frame.direction, frame.command_id,
                         frame.manufacturer_code)
    return _record(True, None, tree, round_trip=build_zcl(frame) == data,
                   cluster=f"0x{cluster_id:04X}", command=command.name if command else None)


def _partial_header(data: bytes) -> Node | None:
    try:
        header = ZCL_HEADER.parse(data)
    except (construct.ConstructError, ValueError):
        return None
    root = Node("zcl", raw=data)
    node = root.add("header", raw=data[:5 if header.manufacturer_code is not None else 3])
    node.add("tsn", value=header.tsn)
    node.add("command_id", value=header.command_id)
    return root


def _hex_preview(data: bytes) -> str:
    preview = data[:_PREVIEW_BYTES].hex(" ").upper()
    return preview + (" ..." if len(data) > _PREVIEW_BYTES else "")


def _header_tree(root: Node, header: ota_file.OtaHeader) -> None:
    node = root.add("header", raw=header.to_bytes())
    node.add("header_version", value=header.header_version, meaning=f"0x{header.header_version:04X}")
    node.add("header_length", value=header.header_length)
    control = header.field_control or 0
    flags = [flag.name for flag in ota_file.FieldControl if control & flag and flag.name]
    node.add("field_control", value=control, meaning=" | ".join(flags) or "no optional fields")
    node.add("manufacturer_code", value=header.manufacturer_code, meaning=f"0x{header.manufacturer_code:04X}")
    node.add("image_type", value=header.image_type, meaning=f"0x{header.image_type:04X}")
    node.add("file_version", value=header.file_version, meaning=f"0x{header.file_version:08X}")
    node.add("zigbee_stack_version", value=header.zigbee_stack_version)
    node.add("header_string", value=str(header.header_string))
    node.add("total_image_size", value=header.total_image_size, meaning="bytes")
    for name in ("security_credential_version", "upgrade_file_destination",
                 "minimum_hardware_version", "maximum_hardware_version"):
        value = getattr(header, name)
        if value is not None:
            node.add(name, value=value, meaning=f"0x{value:04X}" if "hardware" in name else None)
    if header.header_extension:
        node.add("header_extension", raw=header.header_extension, meaning="bytes beyond the known fields")


def _element_nodes(root: Node, elements: tuple[ota_file.SubElement, ...]) -> Iterator[Node]:
    node = root.add("sub_elements", meaning=f"{len(elements)} elements")
    for index, element in enumerate(elements):
        child = node.add(f"[{index}]", meaning=element.tag_name)
        child.add("tag", value=element.tag, meaning=f"0x{element.tag:04X}")
        child.add("length", value=len(element.data), meaning="bytes")
        child.add("data", value=_hex_preview(element.data),
                  meaning=ota_file.payload_format(element.data))
        yield child


def describe_ota_file(image: ota_file.OtaFile) -> Node:
    """Build the decode tree of an OTA file."""
    root = Node("ota")
    _header_tree(root, image.header)
    if image.elements is not None:
        for _ in _element_nodes(root, image.elements):
            pass
    if image.upgrade_image is not None:
        body = image.upgrade_image
        node = root.add("gbcs_upgrade_image", meaning="manufacturer image, force replace, 0x40, signature")
        node.add("manufacturer_image", value=_hex_preview(body.manufacturer_image),
                 meaning=f"{len(body.manufacturer_image)} bytes")
        node.add("manufacturer_image_hash", value=body.manufacturer_image_hash.hex().upper(), meaning="SHA-256")
        node.add("force_replace", value=body.force_replace)
        node.add("signature", value=body.signature.hex().upper(), meaning="ECDSA P-256 r || s")
    elif image.elements is None:
        root.add("body", value=_hex_preview(image.body), meaning=f"{len(image.body)} bytes, raw")
    if image.trailing:
        root.add("trailing", value=_hex_preview(image.trailing), meaning=f"{len(image.trailing)} bytes after the image")
    for warning in image.warnings:
        root.add("warning", meaning=warning)
    return root


def decode_ota(data: bytes, options: DecodeOptions) -> DecodeResult:
    """Decode one OTA upgrade file for the CLI."""
    try:
        image = ota_file.read_ota_file(data)
    except CodecError as exc:
        tree = None
        try:
            header = ota_file.read_ota_header(data)
        except CodecError:
            pass
        else:
            tree = Node("ota")
            _header_tree(tree, header)
        return _record(False, str(exc), tree)
    extra: dict[str, Any] = {"warnings": list(image.warnings)}
    if image.upgrade_image is not None:
        extra["manufacturer_image_hash"] = image.upgrade_image.manufacturer_image_hash.hex().upper()
    return _record(True, None, describe_ota_file(image), round_trip=image.to_bytes() == data, **extra)
