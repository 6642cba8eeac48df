"""A-XDR encoding of COSEM data (IEC 62056-6-2, IEC 61334-6): the ``Data`` CHOICE.

COSEM data is recursive (arrays and structures of any type), which construct can only express
through LazyBound and which its compiler cannot speed up. So this one module contains the
decoder and the encoder side by side, each driven by the same per-type tables, and the property tests
prove them symmetric: ``decode_data(encode_data(x)) == x`` and ``encode_data(decode_data(b)) ==
b`` for every valid ``b``.

A length written in a needlessly long form (``09 81 05 ...`` where ``09 05`` would do) is kept in
the parsed value so that it rebuilds byte for byte. Strings, bit strings, arrays and structures
keep it in :attr:`Data.length_form`, and the lengths inside a compact-array in the
``length_form`` of :class:`CompactArray` and :class:`TypeDescription`. Values built from scratch
use the shortest form. Equality ignores the recorded form, because two values that differ only
in it mean the same.

Values are :class:`Data` pairs of a :class:`DataType` and a Python value:

=====================================  ===============================================
type                                   value
=====================================  ===============================================
null-data, dont-care                   None
array, structure                       tuple of Data
boolean                                bool (another non-zero octet stays an int 2..255)
bit-string                             BitString (length in bits and the octets)
integer types, enum, bcd               int
octet-string                           bytes
visible-string                         str (each octet one Latin-1 character)
utf8-string                            str (invalid UTF-8 kept with surrogateescape)
float32, float64                       float (a NaN keeps its raw IEEE 754 octets)
date-time, date, time                  CosemDateTime, CosemDate, CosemTime
compact-array                          CompactArray (type description and elements)
=====================================  ===============================================
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, NamedTuple

from commshub.codecs.dlms.cosem_time import (
    DATE_LAYOUT,
    DATE_TIME_LAYOUT,
    TIME_LAYOUT,
    CosemDate,
    CosemDateTime,
    CosemTime,
)
from commshub.errors import CodecError

__all__ = [
    "MAX_NESTING",
    "BitString",
    "CompactArray",
    "Data",
    "DataType",
    "TypeDescription",
    "build_data",
    "decode_data",
    "encode_data",
    "length_form",
    "parse_data",
    "read_length",
    "takes_no_octets",
    "write_length",
]

# Nesting limit for arrays, structures and type descriptions. Real COSEM objects nest a few
# levels; the limit keeps hostile input from exhausting the interpreter's stack.
MAX_NESTING = 48


class DataType(IntEnum):
    """Tags of the COSEM ``Data`` CHOICE (IEC 62056-6-2)."""

    NULL_DATA = 0
    ARRAY = 1
    STRUCTURE = 2
    BOOLEAN = 3
    BIT_STRING = 4
    DOUBLE_LONG = 5
    DOUBLE_LONG_UNSIGNED = 6
    OCTET_STRING = 9
    VISIBLE_STRING = 10
    UTF8_STRING = 12
    BCD = 13
    INTEGER = 15
    LONG = 16
    UNSIGNED = 17
    LONG_UNSIGNED = 18
    COMPACT_ARRAY = 19
    LONG64 = 20
    LONG64_UNSIGNED = 21
    ENUM = 22
    FLOAT32 = 23
    FLOAT64 = 24
    DATE_TIME = 25
    DATE = 26
    TIME = 27
    DONT_CARE = 255

    @property
    def standard_name(self) -> str:
        """The name as the standard spells it, e.g. ``double-long-unsigned``."""
        return self.name.lower().replace("_", "-")


class Data(NamedTuple):
    """One COSEM data value: its A-XDR type and the Python value (see the module table)."""

    type: DataType
    value: Any = None

    def __repr__(self) -> str:
        return f"Data({self.type.name}, {self.value!r})"

    @property
    def length_form(self) -> int | None:
        """Number of length octets after the 0x80 | n octet when the wire used a needlessly long
        length form, or None for the shortest form. Equality ignores it."""
        return None

    def with_length_form(self, form: int | None) -> Data:
        """Return this value with its length encoded in ``form`` octets (None: the shortest).

        Only octet-string, visible-string, utf8-string, bit-string, array and structure have a
        length after their tag.
        """
        if form is None:
            return _new_data(Data, (self.type, self.value))
        if not _LENGTH_AFTER_TAG[self.type]:
            raise CodecError(f"{DataType(self.type).standard_name} has no length after its tag, so it "
                             "takes no length form", path=(DataType(self.type).standard_name,))
        if not 1 <= form <= _MAX_LENGTH_OCTETS:
            raise CodecError(f"a long-form length has 1 to {_MAX_LENGTH_OCTETS} octets, found {form}",
                             path=("length",))
        item = _new_data(_LongFormData, (self.type, self.value))
        item._form = form
        return item


class _LongFormData(Data):
    """A Data value whose length the wire wrote in a needlessly long form, kept for the rebuild.

    Instances come from :meth:`Data.with_length_form` and the decoder. A subclass keeps the
    common case, plain ``Data``, free of an extra field and as fast as a bare tuple.
    """

    _form: int | None = None

    def __repr__(self) -> str:
        if self._form is None:
            return super().__repr__()
        return f"Data({self.type.name}, {self.value!r}, length_form={self._form})"

    @property
    def length_form(self) -> int | None:
        return self._form


@dataclass(frozen=True, slots=True)
class BitString:
    """An A-XDR bit-string: ``length`` in bits and the octets, unused trailing bits kept."""

    length: int
    octets: bytes

    def __post_init__(self) -> None:
        if len(self.octets) != (self.length + 7) // 8:
            raise CodecError(f"a bit-string of {self.length} bits needs {(self.length + 7) // 8} "
                             f"octets, got {len(self.octets)}", path=("bit-string",))

    @classmethod
    def from_bits(cls, bits: str) -> BitString:
        """Build from a string of '0' and '1', first bit = most significant bit of octet 0."""
        padded = bits + "0" * (-len(bits) % 8)
        octets = int(padded, 2).to_bytes(len(padded) // 8, "big") if padded else b""
        return cls(len(bits), octets)

    def bits(self) -> str:
        if not self.octets:
            return ""
        return format(int.from_bytes(self.octets, "big"), f"0{len(self.octets) * 8}b")[: self.length]


@dataclass(frozen=True, slots=True)
class TypeDescription:
    """The type description of a compact-array (IEC 62056-6-2).

    A simple type has only ``type``. An array has ``count`` (Unsigned16) and one element
    description; a structure has one description per element.
    """

    type: DataType
    elements: tuple[TypeDescription, ...] = ()
    count: int = 0
    # Form of a structure's element count when the wire used a needlessly long one (see
    # Data.length_form); equality ignores it.
    length_form: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class CompactArray:
    """A compact-array: the element type description and the elements as Data values."""

    description: TypeDescription
    elements: tuple[Data, ...] = ()
    # Form of the contents length when the wire used a needlessly long one (see
    # Data.length_form); equality ignores it.
    length_form: int | None = field(default=None, compare=False)


# ---------------------------------------------------------------------------------------------
# A-XDR lengths (IEC 61334-6): one octet below 0x80, else 0x80 | n and n octets.

_MAX_LENGTH_OCTETS = 4


def read_length(buf: bytes | bytearray, pos: int, path: str = "length") -> tuple[int, int]:
    """Read an A-XDR length at ``pos``; return (length, position after it)."""
    if pos >= len(buf):
        raise CodecError("missing length octet", path=(path,), offset=pos, data=bytes(buf))
    first = buf[pos]
    if first < 0x80:
        return first, pos + 1
    count = first & 0x7F
    if count == 0 or count > _MAX_LENGTH_OCTETS:
        raise CodecError(f"invalid length form 0x{first:02X} (1 to {_MAX_LENGTH_OCTETS} "
                         "length octets expected)", path=(path,), offset=pos, data=bytes(buf))
    end = pos + 1 + count
    if end > len(buf):
        raise CodecError(f"length needs {count} octets after 0x{first:02X}, found "
                         f"{len(buf) - pos - 1}", path=(path,), offset=pos, data=bytes(buf))
    return int.from_bytes(buf[pos + 1 : end], "big"), end


def write_length(length: int, out: bytearray, form: int | None = None) -> None:
    """Append ``length`` in the shortest A-XDR form, or in the long form with ``form`` length
    octets; raise CodecError when it does not fit."""
    if form is None:
        if length < 0x80:
            if length < 0:
                raise CodecError(f"negative length {length}", path=("length",))
            out.append(length)
            return
        form = (length.bit_length() + 7) // 8
        if form > _MAX_LENGTH_OCTETS:
            raise CodecError(f"length {length} does not fit in {_MAX_LENGTH_OCTETS} octets",
                             path=("length",))
    elif not 1 <= form <= _MAX_LENGTH_OCTETS or not 0 <= length < 1 << (8 * form):
        raise CodecError(f"length {length} does not fit in a long form of {form} octets",
                         path=("length",))
    out.append(0x80 | form)
    out += length.to_bytes(form, "big")


def length_form(buf: bytes | bytearray, pos: int) -> int | None:
    """Return the form of the valid A-XDR length at ``pos``: None for the shortest form, else the
    number of length octets after the 0x80 | n octet."""
    first = buf[pos]
    if first <= 0x80:
        return None
    count = first & 0x7F
    length = int.from_bytes(buf[pos + 1 : pos + 1 + count], "big")
    if length >= 0x80 and (length.bit_length() + 7) // 8 == count:
        return None
    return count


def _long_form_data(kind: DataType, value: Any, form: int) -> Data:
    item = _new_data(_LongFormData, (kind, value))
    item._form = form
    return item


def _write_with_form(writer: _Writer, item: Data, out: bytearray, depth: int) -> None:
    """Write ``item`` with ``writer``, then rewrite the shortest length that follows the tag in
    the item's recorded form."""
    kind = item[0]
    if not _LENGTH_AFTER_TAG[kind]:
        raise CodecError(f"{DataType(kind).standard_name} has no length after its tag, so it takes "
                         "no length form", path=(DataType(kind).standard_name,))
    start = len(out)
    writer(item[1], out, depth)
    length, end = read_length(out, start)
    prefix = bytearray()
    write_length(length, prefix, item.length_form)
    out[start:end] = prefix


# ---------------------------------------------------------------------------------------------
# Decoder and encoder tables. Each reader takes (buffer, position after the tag, depth) and
# returns (value, new position). Each writer takes (value, output, depth) and appends the content
# without the tag. _decode and _encode handle the tag itself.

_Reader = Callable[[bytes, int, int], tuple[Any, int]]
_Writer = Callable[[Any, bytearray, int], None]

_new_data = tuple.__new__
_TYPES: list[DataType | None] = [None] * 256
for _member in DataType:
    _TYPES[_member] = _member
# Types whose tag is followed by a length or count, by tag.
_LENGTH_AFTER_TAG = [False] * 256
for _member in (DataType.ARRAY, DataType.STRUCTURE, DataType.BIT_STRING, DataType.OCTET_STRING,
                DataType.VISIBLE_STRING, DataType.UTF8_STRING):
    _LENGTH_AFTER_TAG[_member] = True


def _truncated(kind: DataType, pos: int, needed: int, buf: bytes) -> CodecError:
    return CodecError(f"expected {needed} octets, found {max(0, len(buf) - pos)}",
                      path=(kind.standard_name,), offset=pos, data=buf)


def _fixed_reader(kind: DataType, layout: struct.Struct) -> _Reader:
    size = layout.size
    unpack = layout.unpack_from

    def read(buf: bytes, pos: int, depth: int) -> tuple[Any, int]:
        end = pos + size
        if end > len(buf):
            raise _truncated(kind, pos, size, buf)
        return unpack(buf, pos)[0], end

    return read


def _fixed_writer(kind: DataType, layout: struct.Struct) -> _Writer:
    pack = layout.pack

    def write(value: Any, out: bytearray, depth: int) -> None:
        if not isinstance(value, int):
            raise CodecError(f"expected an int, got {type(value).__name__}",
                             path=(kind.standard_name,))
        try:
            out += pack(value)
        except struct.error:
            raise CodecError(f"{value} is out of range", path=(kind.standard_name,)) from None

    return write


def _float_reader(kind: DataType, layout: struct.Struct) -> _Reader:
    read_number = _fixed_reader(kind, layout)

    def read(buf: bytes, pos: int, depth: int) -> tuple[Any, int]:
        value, end = read_number(buf, pos, depth)
        if math.isnan(value):  # keep the payload bits, which a float round trip may change
            return bytes(buf[pos:end]), end
        return value, end

    return read


def _float_writer(kind: DataType, layout: struct.Struct) -> _Writer:
    size = layout.size
    pack = layout.pack

    def write(value: Any, out: bytearray, depth: int) -> None:
        if isinstance(value, (bytes, bytearray)):
            if len(value) != size:
                raise CodecError(f"raw {kind.standard_name} must be {size} octets, got "
                                 f"{len(value)}", path=(kind.standard_name,))
            out += value
            return
        if not isinstance(value, (int, float)):
            raise CodecError(f"expected a float, got {type(value).__name__}",
                             path=(kind.standard_name,))
        try:
            out += pack(value)
        except (struct.error, OverflowError):
            raise CodecError(f"{value} is out of range", path=(kind.standard_name,)) from None

    return write


def _read_null(buf: bytes, pos: int, depth: int) -> tuple[Any, int]:
    return None, pos


def _write_null(value: Any, out: bytearray, depth: int) -> None:
    if value is not None:
        raise CodecError(f"expected None, got {value!r}", path=("null-data",))


def _read_boolean(buf: bytes, pos: int, depth: int) -> tuple[Any, int]:
    if pos >= len(buf):
        raise _truncated(DataType.BOOLEAN, pos, 1, buf)
    octet = buf[pos]
    return (octet == 1 if octet < 2 else octet), pos + 1


def _write_boolean(value: Any, out: bytearray, depth: int) -> None:
    if not isinstance(value, int) or not 0 <= value <= 0xFF:
        raise CodecError(f"expected a bool or an octet value, got {value!r}", path=("boolean",))
    out.append(int(value))


def _read_octets(kind: DataType, buf: bytes, pos: int) -> tuple[bytes, int]:
    length, pos = read_length(buf, pos, kind.standard_name)
    end = pos + length
    if end > len(buf):
        raise _truncated(kind, pos, length, buf)
    return buf[pos:end], end


def _read_octet_string(buf: bytes, pos: int, depth: int) -> tuple[Any, int]:
    return _read_octets(DataType.OCTET_STRING, buf, pos)


def _write_octet_string(value: Any, out: bytearray, depth: int) -> None:
    if not isinstance(value, (bytes, bytearray)):
        raise CodecError(f"expected bytes, got {type(value).__name__}", path=("octet-string",))
    write_length(len(value), out)
    out += value


def _read_visible_string(buf: bytes, pos: int, depth: int) -> tuple[Any, int]:
    octets, end = _read_octets(DataType.VISIBLE_STRING, buf, pos)
    return octets.decode("latin-1"), end


def _write_visible_string(value: Any, out: bytearray, depth: int) -> None:
    try:
        octets = value.encode("latin-1")
    except (AttributeError, UnicodeEncodeError) as exc:
        raise CodecError(f"expected a Latin-1 str: {exc}", path=("visible-string",)) from None
    write_length(len(octets), out)
    out += octets


def _read_utf8_string(buf: bytes, pos: int, depth: int) -> tuple[Any, int]:
    octets, end = _read_octets(DataType.UTF8_STRING, buf, pos)
    return octets.decode("utf-8", "surrogateescape"), end


def _write_utf8_string(value: Any, out: bytearray, depth: int) -> None:
    try:
        octets = value.encode("utf-8", "surrogateescape")
    except (AttributeError, UnicodeEncodeError) as exc:
        raise CodecError(f"expected a str: {exc}", path=("utf8-string",)) from None
    write_length(len(octets), out)
    out += octets


def _read_bit_string(buf: bytes, pos: int, depth: int) -> tuple[Any, int]:
    bits, pos = read_length(buf, pos, "bit-string")
    size = (bits + 7) // 8
    end = pos + size
    if end > len(buf):
        raise _truncated(DataType.BIT_STRING, pos, size, buf)
    return BitString(bits, buf[pos:end]), end


def _write_bit_string(value: Any, out: bytearray, depth: int) -> None:
    if not isinstance(value, BitString):
        raise CodecError(f"expected a BitString, got {type(value).__name__}", path=("bit-string",))
    write_length(value.length, out)
    out += value.octets


def _layout_reader(kind: DataType, layout: struct.Struct, cls: Any) -> _Reader:
    size = layout.size
    unpack = layout.unpack_from

    def read(buf: bytes, pos: int, depth: int) -> tuple[Any, int]:
        end = pos + size
        if end > len(buf):
            raise _truncated(kind, pos, size, buf)
        return cls(*unpack(buf, pos)), end

    return read


def _layout_writer(kind: DataType, cls: Any) -> _Writer:
    def write(value: Any, out: bytearray, depth: int) -> None:
        if not isinstance(value, cls):
            raise CodecError(f"expected a {cls.__name__}, got {type(value).__name__}",
                             path=(kind.standard_name,))
        out += value.to_bytes()

    return write


def _read_sequence(kind: DataType, buf: bytes, pos: int, depth: int) -> tuple[Any, int]:
    if depth >= MAX_NESTING:
        raise CodecError(f"data nested deeper than {MAX_NESTING} levels",
                         path=(kind.standard_name,), offset=pos, data=buf)
    count, pos = read_length(buf, pos, kind.standard_name)
    items: list[Data] = []
    append = items.append
    depth += 1
    index = 0
    try:
        for index in range(count):
            item, pos = _decode(buf, pos, depth)
            append(item)
    except CodecError as exc:
        raise exc.within(f"{kind.standard_name}[{index}]") from None
    return tuple(items), pos


def _read_array(buf: bytes, pos: int, depth: int) -> tuple[Any, int]:
    return _read_sequence(DataType.ARRAY, buf, pos, depth)


def _read_structure(buf: bytes, pos: int, depth: int) -> tuple[Any, int]:
    return _read_sequence(DataType.STRUCTURE, buf, pos, depth)


def _sequence_writer(kind: DataType) -> _Writer:
    name = kind.standard_name

    def write(value: Any, out: bytearray, depth: int) -> None:
        if not isinstance(value, (tuple, list)):
            raise CodecError(f"expected a tuple of Data, got {type(value).__name__}", path=(name,))
        if depth >= MAX_NESTING:
            raise CodecError(f"data nested deeper than {MAX_NESTING} levels", path=(name,))
        write_length(len(value), out)
        for index, item in enumerate(value):
            try:
                _encode(item, out, depth + 1)
            except CodecError as exc:
                raise exc.within(f"{name}[{index}]") from None

    return write


# ---------------------------------------------------------------------------------------------
# Compact array: a type description, then the elements without their tags inside one octet string.

def _read_description(buf: bytes, pos: int, depth: int) -> tuple[TypeDescription, int]:
    if depth >= MAX_NESTING:
        raise CodecError(f"type description nested deeper than {MAX_NESTING} levels",
                         path=("type-description",), offset=pos, data=buf)
    if pos >= len(buf):
        raise CodecError("missing type tag", path=("type-description",), offset=pos, data=buf)
    kind = _TYPES[buf[pos]]
    if kind is None or kind is DataType.COMPACT_ARRAY:
        raise CodecError(f"invalid type tag {buf[pos]} in a type description",
                         path=("type-description",), offset=pos, data=buf)
    pos += 1
    if kind is DataType.ARRAY:
        if pos + 2 > len(buf):
            raise _truncated(kind, pos, 2, buf)
        count = int.from_bytes(buf[pos : pos + 2], "big")
        element, pos = _read_description(buf, pos + 2, depth + 1)
        return TypeDescription(kind, (element,), count), pos
    if kind is DataType.STRUCTURE:
        count_pos = pos
        count, pos = read_length(buf, pos, "type-description")
        elements = []
        for _ in range(count):
            element, pos = _read_description(buf, pos, depth + 1)
            elements.append(element)
        return TypeDescription(kind, tuple(elements), length_form=length_form(buf, count_pos)), pos
    return TypeDescription(kind), pos


def _write_description(description: TypeDescription, out: bytearray, depth: int) -> None:
    kind = description.type
    if depth >= MAX_NESTING:
        raise CodecError(f"type description nested deeper than {MAX_NESTING} levels",
                         path=("type-description",))
    if _TYPES[kind] is None or kind == DataType.COMPACT_ARRAY:
        raise CodecError(f"invalid type {kind!r} in a type description", path=("type-description",))
    out.append(kind)
    if kind == DataType.ARRAY:
        if len(description.elements) != 1 or not 0 <= description.count <= 0xFFFF:
            raise CodecError("an array description needs one element description and a count "
                             "of 0 to 65535", path=("type-description",))
        out += description.count.to_bytes(2, "big")
        _write_description(description.elements[0], out, depth + 1)
    elif kind == DataType.STRUCTURE:
        write_length(len(description.elements), out, description.length_form)
        for element in description.elements:
            _write_description(element, out, depth + 1)
    elif description.elements or description.count:
        raise CodecError(f"a {kind.name} description has no elements or count",
                         path=("type-description",))


def takes_no_octets(description: TypeDescription) -> bool:
    """Tell whether values of this description take no octets, so that a compact-array of them
    cannot say how many elements it has."""
    kind = description.type
    if kind in (DataType.NULL_DATA, DataType.DONT_CARE):
        return True
    if kind == DataType.ARRAY:
        return description.count == 0 or takes_no_octets(description.elements[0])
    if kind == DataType.STRUCTURE:
        return all(takes_no_octets(element) for element in description.elements)
    return False


def _decode_described(description: TypeDescription, buf: bytes, pos: int,
                      depth: int) -> tuple[Data, int]:
    kind = description.type
    if kind == DataType.ARRAY or kind == DataType.STRUCTURE:
        if kind == DataType.ARRAY:
            element_descriptions: Sequence[TypeDescription] = (
                description.elements * description.count)
        else:
            element_descriptions = description.elements
        items = []
        for index, element in enumerate(element_descriptions):
            try:
                item, pos = _decode_described(element, buf, pos, depth + 1)
            except CodecError as exc:
                raise exc.within(f"{kind.standard_name}[{index}]") from None
            items.append(item)
        return _new_data(Data, (kind, tuple(items))), pos
    value, end = _READERS[kind](buf, pos, depth)  # type: ignore[misc]
    if _LENGTH_AFTER_TAG[kind] and buf[pos] > 0x80:
        form = length_form(buf, pos)
        if form is not None:
            return _long_form_data(kind, value, form), end
    return _new_data(Data, (kind, value)), end


def _encode_described(description: TypeDescription, item: Data, out: bytearray,
                      depth: int) -> None:
    kind = description.type
    if not isinstance(item, tuple) or item[0] != kind:
        found = item[0] if isinstance(item, tuple) and item else item
        raise CodecError(f"element type {found!r} does not match the description {kind.name}",
                         path=("compact-array",))
    if kind == DataType.ARRAY or kind == DataType.STRUCTURE:
        expected = description.count if kind == DataType.ARRAY else len(description.elements)
        values = item[1]
        if not isinstance(values, (tuple, list)) or len(values) != expected:
            raise CodecError(f"{kind.standard_name} needs {expected} elements per its description",
                             path=("compact-array",))
        for index, value in enumerate(values):
            element = description.elements[0 if kind == DataType.ARRAY else index]
            try:
                _encode_described(element, value, out, depth + 1)
            except CodecError as exc:
                raise exc.within(f"{kind.standard_name}[{index}]") from None
        return
    writer = _WRITERS[kind]
    if item.__class__ is _LongFormData:
        _write_with_form(writer, item, out, depth)  # type: ignore[arg-type]
    else:
        writer(item[1], out, depth)  # type: ignore[misc]


def _read_compact_array(buf: bytes, pos: int, depth: int) -> tuple[Any, int]:
    description, pos = _read_description(buf, pos, depth + 1)
    length_pos = pos
    contents, end = _read_octets(DataType.COMPACT_ARRAY, buf, pos)
    contents_start = end - len(contents)
    if contents and takes_no_octets(description):
        raise CodecError("compact-array contents are not empty but its elements take no octets",
                         path=("compact-array",), offset=contents_start, data=buf)
    elements = []
    # Element positions stay relative to the whole buffer so that errors point at the input.
    cursor = contents_start
    bounded = buf[:end]
    index = 0
    try:
        while cursor < end:
            element, cursor = _decode_described(description, bounded, cursor, depth + 1)
            elements.append(element)
            index += 1
    except CodecError as exc:
        raise exc.within(f"compact-array[{index}]") from None
    return CompactArray(description, tuple(elements), length_form(buf, length_pos)), end


def _write_compact_array(value: Any, out: bytearray, depth: int) -> None:
    if not isinstance(value, CompactArray):
        raise CodecError(f"expected a CompactArray, got {type(value).__name__}",
                         path=("compact-array",))
    _write_description(value.description, out, depth + 1)
    if value.elements and takes_no_octets(value.description):
        raise CodecError("elements whose description takes no octets cannot be encoded",
                         path=("compact-array",))
    contents = bytearray()
    for index, element in enumerate(value.elements):
        try:
            _encode_described(value.description, element, contents, depth + 1)
        except CodecError as exc:
            raise exc.within(f"compact-array[{index}]") from None
    write_length(len(contents), out, value.length_form)
    out += contents


# ---------------------------------------------------------------------------------------------
# The tables, indexed by tag.

_READERS: list[_Reader | None] = [None] * 256
_WRITERS: list[_Writer | None] = [None] * 256

_INTEGER_LAYOUTS = {
    DataType.DOUBLE_LONG: struct.Struct(">i"),
    DataType.DOUBLE_LONG_UNSIGNED: struct.Struct(">I"),
    DataType.BCD: struct.Struct(">b"),  # bcd [13] Integer8
    DataType.INTEGER: struct.Struct(">b"),
    DataType.LONG: struct.Struct(">h"),
    DataType.UNSIGNED: struct.Struct(">B"),
    DataType.LONG_UNSIGNED: struct.Struct(">H"),
    DataType.LONG64: struct.Struct(">q"),
    DataType.LONG64_UNSIGNED: struct.Struct(">Q"),
    DataType.ENUM: struct.Struct(">B"),
}
for _kind, _layout in _INTEGER_LAYOUTS.items():
    _READERS[_kind] = _fixed_reader(_kind, _layout)
    _WRITERS[_kind] = _fixed_writer(_kind, _layout)
for _kind, _layout in ((DataType.FLOAT32, struct.Struct(">f")),
                       (DataType.FLOAT64, struct.Struct(">d"))):
    _READERS[_kind] = _float_reader(_kind, _layout)
    _WRITERS[_kind] = _float_writer(_kind, _layout)
for _kind, _layout, _cls in ((DataType.DATE_TIME, DATE_TIME_LAYOUT, CosemDateTime),
                             (DataType.DATE, DATE_LAYOUT, CosemDate),
                             (DataType.TIME, TIME_LAYOUT, CosemTime)):
    _READERS[_kind] = _layout_reader(_kind, _layout, _cls)
    _WRITERS[_kind] = _layout_writer(_kind, _cls)

_READERS[DataType.NULL_DATA] = _read_null
_WRITERS[DataType.NULL_DATA] = _write_null
_READERS[DataType.DONT_CARE] = _read_null
_WRITERS[DataType.DONT_CARE] = _write_null
_READERS[DataType.BOOLEAN] = _read_boolean
_WRITERS[DataType.BOOLEAN] = _write_boolean
_READERS[DataType.BIT_STRING] = _read_bit_string
_WRITERS[DataType.BIT_STRING] = _write_bit_string
_READERS[DataType.OCTET_STRING] = _read_octet_string
_WRITERS[DataType.OCTET_STRING] = _write_octet_string
_READERS[DataType.VISIBLE_STRING] = _read_visible_string
_WRITERS[DataType.VISIBLE_STRING] = _write_visible_string
_READERS[DataType.UTF8_STRING] = _read_utf8_string
_WRITERS[DataType.UTF8_STRING] = _write_utf8_string
_READERS[DataType.ARRAY] = _read_array
_WRITERS[DataType.ARRAY] = _sequence_writer(DataType.ARRAY)
_READERS[DataType.STRUCTURE] = _read_structure
_WRITERS[DataType.STRUCTURE] = _sequence_writer(DataType.STRUCTURE)
_READERS[DataType.COMPACT_ARRAY] = _read_compact_array
_WRITERS[DataType.COMPACT_ARRAY] = _write_compact_array


def _decode(buf: bytes, pos: int, depth: int) -> tuple[Data, int]:
    if pos >= len(buf):
        raise CodecError("missing data type tag", path=("data",), offset=pos, data=buf)
    tag = buf[pos]
    reader = _READERS[tag]
    if reader is None:
        raise CodecError(f"unknown data type tag {tag} (0x{tag:02X})", path=("data",),
                         offset=pos, data=buf)
    value, end = reader(buf, pos + 1, depth)
    if _LENGTH_AFTER_TAG[tag] and buf[pos + 1] > 0x80:
        form = length_form(buf, pos + 1)
        if form is not None:
            return _long_form_data(_TYPES[tag], value, form), end  # type: ignore[arg-type]
    return _new_data(Data, (_TYPES[tag], value)), end


def _encode(item: Data, out: bytearray, depth: int) -> None:
    try:
        kind, value = item
        writer = _WRITERS[kind]
    except (TypeError, ValueError, IndexError):
        raise CodecError(f"expected Data(type, value), got {item!r}", path=("data",)) from None
    if writer is None:
        raise CodecError(f"unknown data type {kind!r}", path=("data",))
    out.append(kind)
    if item.__class__ is _LongFormData:
        _write_with_form(writer, item, out, depth)
    else:
        writer(value, out, depth)


def decode_data(buf: bytes, pos: int = 0) -> tuple[Data, int]:
    """Decode one A-XDR Data value starting at ``pos``; return it and the position after it."""
    return _decode(buf, pos, 0)


def encode_data(item: Data, out: bytearray) -> None:
    """Append the A-XDR encoding of ``item`` (tag and content) to ``out``."""
    _encode(item, out, 0)


def parse_data(data: bytes) -> Data:
    """Decode exactly one Data value; trailing octets are an error."""
    buf = bytes(data)
    try:
        item, end = _decode(buf, 0, 0)
    except CodecError as exc:
        raise exc.within("data") from None
    if end != len(buf):
        raise CodecError(f"{len(buf) - end} trailing octets after the data", path=("data",),
                         offset=end, data=buf)
    return item


def build_data(item: Data) -> bytes:
    """Encode one Data value."""
    out = bytearray()
    _encode(item, out, 0)
    return bytes(out)
