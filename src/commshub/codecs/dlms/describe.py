"""Decode trees for ``commshub decode --as dlms|hdlc`` and for DLMS payloads inside GBCS frames.

``apdu_tree`` and ``data_tree`` turn parsed values into :class:`Node` trees (field name, raw
octets, value, meaning); ``decode_dlms`` and ``decode_hdlc`` are the CLI layer decoders.
"""

from __future__ import annotations

import dataclasses
import re
from enum import IntEnum
from typing import Any

from commshub.cli.layers import DecodeOptions, DecodeResult
from commshub.codecs.common import Node
from commshub.codecs.dlms.apdu import APDU_TAGS, build_apdu, parse_apdu
from commshub.codecs.dlms.axdr import (
    BitString,
    CompactArray,
    Data,
    DataType,
    build_data,
    parse_data,
)
from commshub.codecs.dlms.cosem_time import CosemDate, CosemDateTime, CosemTime
from commshub.codecs.dlms.hdlc import (
    LLC_REQUEST,
    LLC_RESPONSE,
    FrameKind,
    HdlcFrame,
    build_frame,
    parse_frame,
)
from commshub.codecs.dlms.xdlms import Apdu
from commshub.errors import CodecError

__all__ = [
    "INTERFACE_CLASSES",
    "apdu_tree",
    "data_tree",
    "decode_dlms",
    "decode_hdlc",
    "hdlc_tree",
    "obis_text",
]

# COSEM interface classes by class id (IEC 62056-6-2), plus the GB "GBCS Extended Data" class.
INTERFACE_CLASSES: dict[int, str] = {
    1: "Data", 3: "Register", 4: "Extended register", 5: "Demand register",
    6: "Register activation", 7: "Profile generic", 8: "Clock", 9: "Script table",
    10: "Schedule", 11: "Special days table", 12: "Association SN", 15: "Association LN",
    17: "SAP assignment", 18: "Image transfer", 19: "IEC local port setup",
    20: "Activity calendar", 21: "Register monitor", 22: "Single action schedule",
    23: "IEC HDLC setup", 26: "Utility tables", 28: "Auto answer", 29: "Auto connect",
    30: "Data protection", 40: "Push setup", 41: "TCP-UDP setup", 42: "IPv4 setup",
    45: "GPRS modem setup", 61: "Register table", 63: "Status mapping", 64: "Security setup",
    70: "Disconnect control", 71: "Limiter", 72: "M-Bus client", 101: "ZigBee SAS startup",
    104: "ZigBee network control", 111: "Account", 112: "Credit", 113: "Charge",
    115: "Token gateway", 9000: "GBCS Extended Data",
}

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def obis_text(instance_id: bytes) -> str:
    """Format a 6-octet logical name as an OBIS code, e.g. ``0-0:1.0.0.255``."""
    if len(instance_id) != 6:
        return instance_id.hex().upper()
    a, b, c, d, e, f = instance_id
    return f"{a}-{b}:{c}.{d}.{e}.{f}"


def _kebab(name: str) -> str:
    return _CAMEL.sub("-", name).lower().replace("_", "-")


def data_tree(item: Data, name: str = "data") -> Node:
    """Return the tree of one COSEM Data value, whose ``raw`` is its A-XDR encoding."""
    kind, value = item
    kind = DataType(kind)
    node = Node(name, build_data(item), meaning=kind.standard_name)
    if kind in (DataType.ARRAY, DataType.STRUCTURE):
        node.value = f"{len(value)} elements"
        for index, element in enumerate(value):
            node.children.append(data_tree(element, f"[{index}]"))
    elif kind is DataType.COMPACT_ARRAY:
        assert isinstance(value, CompactArray)
        node.value = f"{len(value.elements)} elements"
        node.add("type-description", value=_description_text(value.description))
        for index, element in enumerate(value.elements):
            node.children.append(data_tree(element, f"[{index}]"))
    elif kind is DataType.OCTET_STRING:
        node.value = value.hex().upper()
        reading = _octet_string_reading(value)
        if reading:
            node.meaning = f"octet-string, {reading}"
    elif kind is DataType.BOOLEAN:
        # Any non-zero octet is true, as in BER. The parsed value keeps an octet other than
        # 0x00 or 0x01 as an int so that it rebuilds exactly.
        node.value = bool(value)
        if not isinstance(value, bool):
            node.meaning = f"boolean, true written as 0x{value:02X}"
    else:
        node.value = _scalar_value(value)
    form = item.length_form
    if form is None and isinstance(value, CompactArray):
        form = value.length_form
    if form is not None:
        node.meaning = f"{node.meaning}, length in long form 0x{0x80 | form:02X}"
    return node


def _octet_string_reading(value: bytes) -> str | None:
    """Return a reading of octets that look like text or a date-time, which COSEM objects often
    carry in octet-strings (GBCS alert timestamps, for example); None when neither fits."""
    if value and all(0x20 <= octet < 0x7F for octet in value):
        return f"text {value.decode('ascii')!r}"
    if len(value) == 12:
        date_time = CosemDateTime.from_bytes(value)
        try:
            date_time.to_datetime()
        except (ValueError, OverflowError):
            return None
        return f"date-time {date_time}"
    return None


def _description_text(description: Any) -> str:
    kind = DataType(description.type)
    if kind is DataType.ARRAY:
        return f"array[{description.count}] of {_description_text(description.elements[0])}"
    if kind is DataType.STRUCTURE:
        inner = ", ".join(_description_text(element) for element in description.elements)
        return f"structure{{{inner}}}"
    return kind.standard_name


def _scalar_value(value: Any) -> Any:
    if isinstance(value, (CosemDateTime, CosemDate, CosemTime)):
        return str(value) if isinstance(value, CosemDateTime) else repr(value)
    if isinstance(value, BitString):
        return value.bits()
    if isinstance(value, IntEnum):
        return int(value)
    return value


def apdu_tree(apdu: Apdu, name: str | None = None, *, raw: bytes | None = None) -> Node:
    """Return the tree of a parsed APDU; ``raw`` defaults to the APDU's own encoding."""
    title = name or _kebab(type(apdu).__name__)
    octets = raw if raw is not None else build_apdu(apdu)
    tag = apdu.apdu_tag
    node = Node(title, octets, meaning=APDU_TAGS.get(tag, f"APDU tag 0x{tag:02X}"))
    _add_fields(node, apdu)
    return node


def _add_fields(node: Node, obj: Any) -> None:
    for field in dataclasses.fields(obj):
        value = getattr(obj, field.name)
        if field.name == "length_forms":
            _add_length_forms(node, value)
        else:
            _add_value(node, field.name.replace("_", "-"), value)


def _add_length_forms(node: Node, forms: tuple[tuple[str, int], ...]) -> None:
    """Show the needlessly long BER lengths of an ACSE APDU, if it has any."""
    if not forms:
        return
    child = node.add("length-forms", meaning="needlessly long lengths, kept for the rebuild")
    for place, form in forms:
        child.add(place.replace("_", "-") or "apdu", value=form, meaning=f"long form 0x{0x80 | form:02X}")


def _add_value(node: Node, name: str, value: Any) -> None:
    if isinstance(value, Data):
        node.children.append(data_tree(value, name))
    elif isinstance(value, Apdu) and dataclasses.is_dataclass(value):
        node.children.append(apdu_tree(value, name))
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        child = node.add(name, meaning=_kebab(type(value).__name__))
        if isinstance(value, CosemDateTime):
            child.raw = value.to_bytes()
            child.value = str(value)
            child.meaning = "date-time"
            return
        _add_fields(child, value)
        class_id = getattr(value, "class_id", None)
        if class_id is not None:
            child.meaning = INTERFACE_CLASSES.get(class_id, f"class {class_id}")
    elif isinstance(value, tuple):
        child = node.add(name, value=f"{len(value)} items")
        for index, item in enumerate(value):
            _add_value(child, f"[{index}]", item)
    elif isinstance(value, IntEnum):
        node.add(name, value=int(value), meaning=value.name.lower().replace("_", "-"))
    elif isinstance(value, (bytes, bytearray)):
        meaning = obis_text(bytes(value)) if name == "instance-id" else None
        node.add(name, bytes(value), value=bytes(value).hex().upper(), meaning=meaning)
    elif value is None:
        node.add(name, meaning="absent")
    else:
        node.add(name, value=value)


def decode_dlms(data: bytes, options: DecodeOptions) -> DecodeResult:
    """Decode a bare xDLMS or ACSE APDU, or A-XDR data when the octets are no valid APDU.

    Two first octets open both: 0x01 (initiate-request or array) and 0x0F (data-notification or
    integer). These are tried as an APDU first, then as data, and a failure of both reports the
    APDU's error.
    """
    data = bytes(data)
    kinds = ["apdu"] if data and data[0] in APDU_TAGS else []
    if not kinds or data[0] in _DATA_TAGS:
        kinds.append("data")
    first_error: CodecError | None = None
    for kind in kinds:
        try:
            tree, round_trip = _decode_as(kind, data)
        except CodecError as exc:
            first_error = first_error or exc
            continue
        record = {"ok": True, "error": None, "round_trip": round_trip, "kind": kind,
                  "payload": tree.to_json()}
        return DecodeResult(record, tree)
    return DecodeResult({"ok": False, "error": str(first_error), "round_trip": False,
                         "kind": kinds[0], "payload": None})


_DATA_TAGS = frozenset(DataType)


def _decode_as(kind: str, data: bytes) -> tuple[Node, bool]:
    """Return the tree of ``data`` decoded as an APDU or as A-XDR data, and its round-trip check."""
    if kind == "apdu":
        apdu = parse_apdu(data)
        return apdu_tree(apdu, raw=data), build_apdu(apdu) == data
    item = parse_data(data)
    return data_tree(item), build_data(item) == data



def hdlc_tree(frame: HdlcFrame, raw: bytes) -> Node:
    """Return the tree of an HDLC frame, decoding an APDU behind an LLC header if present."""
    node = Node("hdlc-frame", raw, meaning=_frame_kind_text(frame))
    node.add("segmented", value=frame.segmented)
    node.add("length", value=len(raw) - 2, meaning="octets between the flags")
    for name, address in (("destination", frame.destination), ("source", frame.source)):
        node.add(name, address.to_bytes(), value=address.upper if address.lower is None
                 else f"{address.upper}/{address.lower}",
                 meaning=f"{address.size}-octet address" + (
                     "" if address.lower is None else " (upper/lower)"))
    control = node.add("control", bytes((frame.control,)), value=frame.control,
                       meaning=_frame_kind_text(frame))
    if frame.send_sequence is not None:
        control.add("send-sequence", value=frame.send_sequence)
    if frame.receive_sequence is not None:
        control.add("receive-sequence", value=frame.receive_sequence)
    control.add("poll-final", value=frame.poll_final)
    if frame.information:
        _add_information(node, frame)
    return node


def _frame_kind_text(frame: HdlcFrame) -> str:
    kind = frame.kind
    return kind.name if isinstance(kind, FrameKind) else f"control 0x{frame.control:02X}"


def _add_information(node: Node, frame: HdlcFrame) -> None:
    information = frame.information
    info = node.add("information", information, meaning=f"{len(information)} octets")
    if information[:3] not in (LLC_REQUEST, LLC_RESPONSE) or frame.segmented:
        return
    direction = "client to server" if information[:3] == LLC_REQUEST else "server to client"
    info.add("llc", information[:3], meaning=direction)
    payload = information[3:]
    try:
        apdu = parse_apdu(payload)
    except CodecError as exc:
        info.add("apdu", payload, meaning=f"not decodable: {exc}")
        return
    info.children.append(apdu_tree(apdu, raw=payload))


def decode_hdlc(data: bytes, options: DecodeOptions) -> DecodeResult:
    """Decode one whole HDLC frame (IEC 62056-46), flags included, and the APDU it carries."""
    data = bytes(data)
    try:
        frame = parse_frame(data)
    except CodecError as exc:
        return DecodeResult({"ok": False, "error": str(exc), "round_trip": False,
                             "payload": None})
    tree = hdlc_tree(frame, data)
    record = {"ok": True, "error": None, "round_trip": build_frame(frame) == data,
              "frame_kind": _frame_kind_text(frame), "payload": tree.to_json()}
    return DecodeResult(record, tree)
