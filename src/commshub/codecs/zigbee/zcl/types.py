"""ZCL data types (ZigBee Cluster Library, revision 6, section 2.6.2): the type identifiers, one
construct declaration per type, and the Python values they decode to.

Decoded values: integers, bitmaps, enumerations and identifiers are int, and an EUI-64 is an
int read little-endian from the wire. Octet strings are bytes, character strings
:class:`ZclText`, floats float and booleans bool. UTC time is seconds since 2000-01-01 UTC (see
:func:`utc_to_datetime`). The length 0xFF (0xFFFF for long strings, arrays, sets, bags and
structures) means "invalid" and decodes to None.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from typing import Any, Self

import construct
from construct import (
    Adapter,
    Bytes,
    BytesInteger,
    Construct,
    Int8ul,
    Int16ul,
    Int32ul,
    Int64ul,
    LazyBound,
    Pass,
    Struct,
    Switch,
    this,
)

from commshub.codecs.zigbee.zcl.constructs import CountedList

__all__ = [
    "ANALOG_TYPES",
    "UTC_TIME_INVALID",
    "VALUE",
    "ZIGBEE_EPOCH",
    "Bitmap24",
    "Bitmap48",
    "Boolean",
    "CharacterString",
    "DataType",
    "Eui64",
    "Int24",
    "Int48",
    "NanFloat",
    "OctetString",
    "TypeValue",
    "UInt24",
    "UInt40",
    "UInt48",
    "UtcTime",
    "ZclText",
    "datetime_to_utc",
    "is_analog",
    "type_name",
    "utc_to_datetime",
    "value_construct",
]

# ZigBee time counts seconds from 2000-01-01 00:00:00 UTC (ZCL revision 6).
ZIGBEE_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
# The UTCTime non-value (ZCL revision 6).
UTC_TIME_INVALID = 0xFFFFFFFF
# Length prefixes that mean "invalid string or list" (ZCL revision 6).
_SHORT_INVALID = 0xFF
_LONG_INVALID = 0xFFFF


class DataType(IntEnum):
    """ZCL data type identifiers (ZCL revision 6)."""

    NO_DATA = 0x00
    DATA8 = 0x08
    DATA16 = 0x09
    DATA24 = 0x0A
    DATA32 = 0x0B
    DATA40 = 0x0C
    DATA48 = 0x0D
    DATA56 = 0x0E
    DATA64 = 0x0F
    BOOLEAN = 0x10
    BITMAP8 = 0x18
    BITMAP16 = 0x19
    BITMAP24 = 0x1A
    BITMAP32 = 0x1B
    BITMAP40 = 0x1C
    BITMAP48 = 0x1D
    BITMAP56 = 0x1E
    BITMAP64 = 0x1F
    UINT8 = 0x20
    UINT16 = 0x21
    UINT24 = 0x22
    UINT32 = 0x23
    UINT40 = 0x24
    UINT48 = 0x25
    UINT56 = 0x26
    UINT64 = 0x27
    INT8 = 0x28
    INT16 = 0x29
    INT24 = 0x2A
    INT32 = 0x2B
    INT40 = 0x2C
    INT48 = 0x2D
    INT56 = 0x2E
    INT64 = 0x2F
    ENUM8 = 0x30
    ENUM16 = 0x31
    SEMI_FLOAT = 0x38
    SINGLE_FLOAT = 0x39
    DOUBLE_FLOAT = 0x3A
    OCTET_STRING = 0x41
    CHARACTER_STRING = 0x42
    LONG_OCTET_STRING = 0x43
    LONG_CHARACTER_STRING = 0x44
    ARRAY = 0x48
    STRUCTURE = 0x4C
    SET = 0x50
    BAG = 0x51
    TIME_OF_DAY = 0xE0
    DATE = 0xE1
    UTC_TIME = 0xE2
    CLUSTER_ID = 0xE8
    ATTRIBUTE_ID = 0xE9
    BACNET_OID = 0xEA
    IEEE_ADDRESS = 0xF0
    SECURITY_KEY = 0xF1
    UNKNOWN = 0xFF


# Types whose attributes report on a change of value rather than on any change, so that a
# reporting configuration carries a "reportable change" field (ZCL revision 6).
ANALOG_TYPES = frozenset(
    [*range(DataType.UINT8, DataType.INT64 + 1),
     *(int(type_id) for type_id in (DataType.SEMI_FLOAT, DataType.SINGLE_FLOAT, DataType.DOUBLE_FLOAT,
                                    DataType.TIME_OF_DAY, DataType.DATE, DataType.UTC_TIME))]
)


def is_analog(type_id: int) -> bool:
    """Tell whether ``type_id`` is an analog type (one with a reportable change)."""
    return type_id in ANALOG_TYPES


def type_name(type_id: int) -> str:
    """Name a data type identifier, e.g. ``uint48`` or ``type 0x99`` when unknown."""
    try:
        return DataType(type_id).name.lower()
    except ValueError:
        return f"type 0x{type_id:02X}"


def utc_to_datetime(seconds: int) -> datetime | None:
    """Convert a ZCL UTCTime to an aware datetime; the non-value 0xFFFFFFFF gives None."""
    if seconds == UTC_TIME_INVALID:
        return None
    return ZIGBEE_EPOCH + timedelta(seconds=seconds)


def datetime_to_utc(moment: datetime) -> int:
    """Convert an aware datetime to a ZCL UTCTime (whole seconds since 2000-01-01 UTC)."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime is ambiguous; give one with a time zone")
    seconds = int((moment - ZIGBEE_EPOCH).total_seconds())
    if not 0 <= seconds < UTC_TIME_INVALID:
        raise ValueError(f"{moment.isoformat()} is outside the ZCL UTCTime range 2000..2136")
    return seconds


class ZclText(str):
    """The text of a ZCL character string, with the exact bytes it came from in ``raw``.

    Devices pad strings with NULs and garbage and send bytes that are not UTF-8, so the text
    stops at the first NUL and undecodable bytes become U+FFFD; ``raw`` keeps the wire bytes so
    that the string builds back unchanged. It compares equal to a plain str of the same text.
    """

    raw: bytes

    def __new__(cls, raw: bytes) -> Self:
        text = raw.split(b"\x00", 1)[0].decode("utf-8", errors="replace")
        instance = super().__new__(cls, text)
        instance.raw = bytes(raw)
        return instance

    def __reduce__(self) -> tuple[Any, ...]:
        return (ZclText, (self.raw,))


class NanFloat(float):
    """A float NaN that keeps its wire bytes, because NaN payload bits do not survive Python floats."""

    raw: bytes

    def __new__(cls, raw: bytes) -> Self:
        instance = super().__new__(cls, math.nan)
        instance.raw = bytes(raw)
        return instance

    def __reduce__(self) -> tuple[Any, ...]:
        return (NanFloat, (self.raw,))


class _ZclString(Construct):  # type: ignore[misc]
    """A ZCL string: a length prefix of 1 or 2 bytes, then the bytes; the all-ones length is None."""

    def __init__(self, prefix_size: int, *, text: bool) -> None:
        super().__init__()
        self.prefix = Int8ul if prefix_size == 1 else Int16ul
        self.invalid = _SHORT_INVALID if prefix_size == 1 else _LONG_INVALID
        self.text = text
        self.flagbuildnone = True

    def _parse(self, stream: Any, context: Any, path: str) -> Any:
        length = self.prefix._parsereport(stream, context, path)
        if length == self.invalid:
            return None
        data = construct.stream_read(stream, length, path)
        return ZclText(data) if self.text else data

    def _build(self, obj: Any, stream: Any, context: Any, path: str) -> Any:
        if obj is None:
            self.prefix._build(self.invalid, stream, context, path)
            return None
        if isinstance(obj, ZclText):
            data = obj.raw
        elif isinstance(obj, str):
            if not self.text:
                raise construct.StringError("an octet string takes bytes, not str", path=path)
            data = obj.encode("utf-8")
        elif isinstance(obj, (bytes, bytearray)):
            data = bytes(obj)
        else:
            raise construct.StringError(f"expected str or bytes, found {type(obj).__name__}", path=path)
        if len(data) >= self.invalid:
            raise construct.StringError(
                f"{len(data)} bytes do not fit: the length {self.invalid:#x} means 'invalid'", path=path)
        self.prefix._build(len(data), stream, context, path)
        construct.stream_write(stream, data, len(data), path)
        return obj

    def _sizeof(self, context: Any, path: str) -> int:
        raise construct.SizeofError("a string has no fixed size", path=path)


class _Boolean(Adapter):  # type: ignore[misc]
    """0x00 False, 0x01 True, 0xFF invalid (None); other bytes decode as int (tolerant parse)."""

    def _decode(self, obj: int, context: Any, path: str) -> bool | int | None:
        if obj <= 1:
            return bool(obj)
        return None if obj == _SHORT_INVALID else obj

    def _encode(self, obj: Any, context: Any, path: str) -> int:
        if obj is None:
            return _SHORT_INVALID
        if isinstance(obj, bool):
            return int(obj)
        if isinstance(obj, int) and 0 <= obj <= 0xFF:
            return obj
        raise construct.ExplicitError(f"not a ZCL boolean: {obj!r}", path=path)


class _Float(Adapter):  # type: ignore[misc]
    """IEEE 754 float of 2, 4 or 8 bytes; a NaN keeps its exact bits in a :class:`NanFloat`."""

    def __init__(self, size: int) -> None:
        super().__init__(Bytes(size))
        self.format = {2: "<e", 4: "<f", 8: "<d"}[size]

    def _decode(self, obj: bytes, context: Any, path: str) -> float:
        value: float = construct.core.struct.unpack(self.format, obj)[0]
        return NanFloat(obj) if math.isnan(value) else value

    def _encode(self, obj: Any, context: Any, path: str) -> bytes:
        if isinstance(obj, NanFloat):
            return obj.raw
        if not isinstance(obj, (int, float)) or isinstance(obj, bool):
            raise construct.ExplicitError(f"not a number: {obj!r}", path=path)
        try:
            packed: bytes = construct.core.struct.pack(self.format, obj)
        except (OverflowError, construct.core.struct.error) as exc:
            raise construct.ExplicitError(f"{obj!r} does not fit: {exc}", path=path) from None
        return packed


class _UnknownType(Construct):  # type: ignore[misc]
    """The Switch default: a type identifier without a declaration cannot be sized, so it raises."""

    def __init__(self, type_field: str) -> None:
        super().__init__()
        self.type_field = type_field

    def _fail(self, context: Any, path: str) -> Any:
        type_id = context.get(self.type_field)
        shown = f"0x{type_id:02X}" if isinstance(type_id, int) else repr(type_id)
        raise construct.ExplicitError(f"unknown ZCL data type {shown}", path=path)

    def _parse(self, stream: Any, context: Any, path: str) -> Any:
        return self._fail(context, path)

    def _build(self, obj: Any, stream: Any, context: Any, path: str) -> Any:
        return self._fail(context, path)


def _unsigned(size: int) -> Construct:
    return {1: Int8ul, 2: Int16ul, 4: Int32ul, 8: Int64ul}.get(size) or BytesInteger(size, swapped=True)


def _signed(size: int) -> Construct:
    named = {1: construct.Int8sl, 2: construct.Int16sl, 4: construct.Int32sl, 8: construct.Int64sl}
    return named.get(size) or BytesInteger(size, signed=True, swapped=True)


# Time of day: hours, minutes, seconds, hundredths; 0xFF in a field means "unspecified".
_TIME_OF_DAY = Struct("hours" / Int8ul, "minutes" / Int8ul, "seconds" / Int8ul, "hundredths" / Int8ul)
# Date: years since 1900, month, day of month, day of week (1 = Monday); 0xFF = unspecified.
_DATE = Struct("years_since_1900" / Int8ul, "month" / Int8ul, "day" / Int8ul, "day_of_week" / Int8ul)

# Array, set and bag: element type, then a count (0xFFFF = invalid) and the elements, each
# decoded by the element type (ZCL revision 6).
_COLLECTION = Struct(
    "element_type" / Int8ul,
    "elements" / CountedList(Int16ul, LazyBound(lambda: _ELEMENT), invalid=_LONG_INVALID),
)
# Structure: a count (0xFFFF = invalid), then (type, value) pairs.
_STRUCTURE = CountedList(Int16ul, LazyBound(lambda: TypeValue), invalid=_LONG_INVALID)

_VALUE_BY_TYPE: dict[int, Construct] = {
    DataType.NO_DATA: Pass,
    **{DataType.DATA8 + n: Bytes(n + 1) for n in range(8)},
    DataType.BOOLEAN: _Boolean(Int8ul),
    **{DataType.BITMAP8 + n: _unsigned(n + 1) for n in range(8)},
    **{DataType.UINT8 + n: _unsigned(n + 1) for n in range(8)},
    **{DataType.INT8 + n: _signed(n + 1) for n in range(8)},
    DataType.ENUM8: Int8ul,
    DataType.ENUM16: Int16ul,
    DataType.SEMI_FLOAT: _Float(2),
    DataType.SINGLE_FLOAT: _Float(4),
    DataType.DOUBLE_FLOAT: _Float(8),
    DataType.OCTET_STRING: _ZclString(1, text=False),
    DataType.CHARACTER_STRING: _ZclString(1, text=True),
    DataType.LONG_OCTET_STRING: _ZclString(2, text=False),
    DataType.LONG_CHARACTER_STRING: _ZclString(2, text=True),
    DataType.ARRAY: _COLLECTION,
    DataType.STRUCTURE: _STRUCTURE,
    DataType.SET: _COLLECTION,
    DataType.BAG: _COLLECTION,
    DataType.TIME_OF_DAY: _TIME_OF_DAY,
    DataType.DATE: _DATE,
    DataType.UTC_TIME: construct.Renamed(Int32ul, newdocs="UTCTime: seconds since 2000-01-01 UTC"),
    DataType.CLUSTER_ID: Int16ul,
    DataType.ATTRIBUTE_ID: Int16ul,
    DataType.BACNET_OID: Int32ul,
    DataType.IEEE_ADDRESS: Int64ul,
    DataType.SECURITY_KEY: Bytes(16),
    DataType.UNKNOWN: Pass,
}
# Plain int keys: construct's compiler writes the keys into generated source with repr().
VALUE: dict[int, Construct] = {int(type_id): con for type_id, con in _VALUE_BY_TYPE.items()}

# Field declarations for command payloads, named after the ZCL types they encode.
UInt24 = VALUE[DataType.UINT24]
UInt40 = VALUE[DataType.UINT40]
UInt48 = VALUE[DataType.UINT48]
Int24 = VALUE[DataType.INT24]
Int48 = VALUE[DataType.INT48]
Bitmap24 = VALUE[DataType.BITMAP24]
Bitmap48 = VALUE[DataType.BITMAP48]
UtcTime = VALUE[DataType.UTC_TIME]
Boolean = VALUE[DataType.BOOLEAN]
OctetString = VALUE[DataType.OCTET_STRING]
CharacterString = VALUE[DataType.CHARACTER_STRING]
Eui64 = VALUE[DataType.IEEE_ADDRESS]
Date = VALUE[DataType.DATE]


def value_construct(type_field: str = "type") -> Construct:
    """Return a construct for a value typed by the sibling field ``type_field``."""
    return Switch(this[type_field], VALUE, default=_UnknownType(type_field))


# A value preceded by its type identifier, as in a structure's members.
TypeValue: Construct = Struct("type" / Int8ul, "value" / value_construct("type"))
# An array, set or bag element, typed by the collection's "element_type".
_ELEMENT: Construct = value_construct("element_type")
