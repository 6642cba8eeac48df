"""construct building blocks for xDLMS APDUs: A-XDR lengths, octet strings, optionals, sequences,
tagged choices, COSEM data and records that parse straight into frozen dataclasses.

Every block parses, builds and sizes through construct's interface and also emits code for
construct's compiler, so an APDU declaration compiles into one Python function. The emitted code
reads with plain ``io.read`` calls and raises whatever Python raises on bad input. So on any
failure ``parse_with`` re-parses with the interpreted declaration, whose errors carry the field
path. Building
always runs the interpreted declaration.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable, Mapping, Sequence
from enum import IntEnum
from typing import Any

import construct

from commshub.codecs import common
from commshub.codecs.dlms.axdr import Data, decode_data, encode_data, write_length
from commshub.codecs.dlms.cosem_time import CosemDateTime
from commshub.errors import CodecError

__all__ = [
    "AxdrDefault",
    "AxdrOctetString",
    "AxdrOptional",
    "Block",
    "Compiled",
    "DataField",
    "EnumField",
    "FixedBytes",
    "Integer",
    "OptionalDateTime",
    "Record",
    "SequenceOf",
    "TaggedChoice",
    "parse_with",
    "record",
]


class Block(construct.Construct):  # type: ignore[misc]  # construct ships no type hints
    """A construct whose parse is a plain ``read(io)`` method, shared by both modes.

    Subclasses implement ``read`` (raise :class:`construct.ConstructError` subclasses on bad
    input, or let Python errors escape, which the interpreted path converts) and ``_build``.
    """

    def read(self, stream: Any) -> Any:
        raise NotImplementedError

    def _parse(self, stream: Any, context: Any, path: Any) -> Any:
        try:
            return self.read(stream)
        except construct.ConstructError as exc:
            if exc.path is None:
                raise type(exc)(str(exc), path=path) from None
            raise
        except CodecError:
            raise
        except (ValueError, IndexError, TypeError, KeyError) as exc:
            raise construct.StreamError(f"{type(exc).__name__}: {exc}", path=path) from None

    def _emitparse(self, code: Any) -> str:
        code.linkedinstances[id(self)] = self
        return f"linkedinstances[{id(self)}].read(io)"

    def _sizeof(self, context: Any, path: Any) -> int:
        raise construct.SizeofError("variable size", path=path)


def _octets(count: int) -> str:
    return f"{count} octet" if count == 1 else f"{count} octets"


def _read_exact(stream: Any, size: int) -> bytes:
    """Read ``size`` octets; on a short read rewind so the error offset is the field's start."""
    data: bytes = stream.read(size)
    if len(data) != size:
        stream.seek(-len(data), io.SEEK_CUR)
        raise construct.StreamError(f"expected {_octets(size)}, found {len(data)}")
    return data


def _read_exact_at(stream: Any, size: int, path: str) -> bytes:
    try:
        return _read_exact(stream, size)
    except construct.StreamError as exc:
        raise construct.StreamError(str(exc), path=path) from None


def _read_axdr_length(stream: Any) -> int:
    first = _read_exact(stream, 1)[0]
    if first < 0x80:
        return first
    count = first & 0x7F
    if count == 0 or count > 4:
        raise construct.StreamError(f"invalid length form 0x{first:02X}")
    return int.from_bytes(_read_exact(stream, count), "big")


# NOTE: these APDU fields rebuild every length in the shortest form, so a needlessly long form on
# the wire does not round-trip here; A-XDR data and ACSE APDUs keep the form they read.
def _length_octets(length: int) -> bytes:
    out = bytearray()
    write_length(length, out)
    return bytes(out)


class Integer(Block):
    """A big-endian integer of ``size`` octets (Unsigned8 ... Unsigned32, Integer8, Integer16)."""

    def __init__(self, size: int, *, signed: bool = False) -> None:
        super().__init__()
        self.size = size
        self.signed = signed
        self.minimum = -(1 << (8 * size - 1)) if signed else 0
        self.maximum = (1 << (8 * size - 1)) - 1 if signed else (1 << (8 * size)) - 1

    def read(self, stream: Any) -> int:
        return int.from_bytes(_read_exact(stream, self.size), "big", signed=self.signed)

    def _build(self, obj: Any, stream: Any, context: Any, path: Any) -> Any:
        if not isinstance(obj, int) or not self.minimum <= obj <= self.maximum:
            raise construct.ExplicitError(
                f"expected an int from {self.minimum} to {self.maximum}, got {obj!r}", path=path)
        construct.stream_write(stream, obj.to_bytes(self.size, "big", signed=self.signed),
                               self.size, path)
        return obj

    def _sizeof(self, context: Any, path: Any) -> int:
        return self.size


class FixedBytes(Block):
    """Exactly ``size`` octets (an OCTET STRING of fixed size, which A-XDR sends unprefixed)."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def read(self, stream: Any) -> bytes:
        return _read_exact(stream, self.size)

    def _build(self, obj: Any, stream: Any, context: Any, path: Any) -> Any:
        if not isinstance(obj, (bytes, bytearray)) or len(obj) != self.size:
            raise construct.ExplicitError(f"expected {self.size} octets, got {obj!r}", path=path)
        construct.stream_write(stream, bytes(obj), self.size, path)
        return obj

    def _sizeof(self, context: Any, path: Any) -> int:
        return self.size


class AxdrOctetString(Block):
    """An A-XDR OCTET STRING: length, then that many octets."""

    def read(self, stream: Any) -> bytes:
        return _read_exact(stream, _read_axdr_length(stream))

    def _build(self, obj: Any, stream: Any, context: Any, path: Any) -> Any:
        if not isinstance(obj, (bytes, bytearray)):
            raise construct.ExplicitError(f"expected bytes, got {type(obj).__name__}", path=path)
        data = _length_octets(len(obj)) + bytes(obj)
        construct.stream_write(stream, data, len(data), path)
        return obj


class OptionalDateTime(Block):
    """The ``date-time OCTET STRING`` of xDLMS APDUs: empty (None) or a 12-octet date-time."""

    def read(self, stream: Any) -> CosemDateTime | None:
        length = _read_axdr_length(stream)
        if length == 0:
            return None
        if length != 12:
            raise construct.ExplicitError(f"date-time must be 0 or 12 octets, found {length}")
        return CosemDateTime.from_bytes(_read_exact(stream, 12))

    def _build(self, obj: Any, stream: Any, context: Any, path: Any) -> Any:
        if obj is None:
            data = b"\x00"
        elif isinstance(obj, CosemDateTime):
            data = b"\x0c" + obj.to_bytes()
        else:
            raise construct.ExplicitError(f"expected a CosemDateTime or None, got {obj!r}",
                                          path=path)
        construct.stream_write(stream, data, len(data), path)
        return obj


class AxdrOptional(Block):
    """An A-XDR OPTIONAL component: 0x00 when absent (None), 0x01 and the value when present."""

    def __init__(self, subcon: construct.Construct) -> None:
        super().__init__()
        self.subcon = subcon

    def read(self, stream: Any) -> Any:
        flag = _read_exact(stream, 1)[0]
        if flag == 0:
            return None
        if flag != 1:
            raise construct.ExplicitError(f"OPTIONAL flag must be 0x00 or 0x01, found 0x{flag:02X}")
        return self.subcon._parsereport(stream, None, "(optional)")

    def _parse(self, stream: Any, context: Any, path: Any) -> Any:
        flag = _read_exact_at(stream, 1, f"{path} -> present")
        if flag[0] == 0:
            return None
        if flag[0] != 1:
            raise construct.ExplicitError(
                f"OPTIONAL flag must be 0x00 or 0x01, found 0x{flag[0]:02X}", path=path)
        return self.subcon._parsereport(stream, context, path)

    def _emitparse(self, code: Any) -> str:
        inner = self.subcon._compileparse(code)
        fname = f"parse_optional_{code.allocateId()}"
        code.append(f"""
            def {fname}(io, this):
                flag = io.read(1)[0]
                if flag == 0:
                    return None
                if flag != 1:
                    raise ValueError(flag)
                return {inner}
        """)
        return f"{fname}(io, this)"

    def _build(self, obj: Any, stream: Any, context: Any, path: Any) -> Any:
        if obj is None:
            construct.stream_write(stream, b"\x00", 1, path)
        else:
            construct.stream_write(stream, b"\x01", 1, path)
            self.subcon._build(obj, stream, context, path)
        return obj


class AxdrDefault(Block):
    """An A-XDR component with a DEFAULT: 0x00 means the default (None), else 0x01 and a value."""

    def __init__(self, subcon: construct.Construct) -> None:
        super().__init__()
        self.optional = AxdrOptional(subcon)

    def read(self, stream: Any) -> Any:
        return self.optional.read(stream)

    def _parse(self, stream: Any, context: Any, path: Any) -> Any:
        return self.optional._parse(stream, context, path)

    def _emitparse(self, code: Any) -> str:
        return self.optional._emitparse(code)

    def _build(self, obj: Any, stream: Any, context: Any, path: Any) -> Any:
        return self.optional._build(obj, stream, context, path)


class SequenceOf(Block):
    """An A-XDR SEQUENCE OF: a length-coded count, then the items (a tuple)."""

    def __init__(self, subcon: construct.Construct) -> None:
        super().__init__()
        self.subcon = subcon

    def _parse(self, stream: Any, context: Any, path: Any) -> Any:
        try:
            count = _read_axdr_length(stream)
        except construct.ConstructError as exc:
            raise type(exc)(str(exc), path=f"{path} -> count") from None
        return tuple(self.subcon._parsereport(stream, context, f"{path} -> [{index}]")
                     for index in range(count))

    def _emitparse(self, code: Any) -> str:
        code.linkedinstances[id(self)] = self
        inner = self.subcon._compileparse(code)
        fname = f"parse_sequence_{code.allocateId()}"
        code.append(f"""
            def {fname}(io, this):
                count = linkedinstances[{id(self)}].read_count(io)
                return tuple([{inner} for _ in range(count)])
        """)
        return f"{fname}(io, this)"

    def read_count(self, stream: Any) -> int:
        return _read_axdr_length(stream)

    def _build(self, obj: Any, stream: Any, context: Any, path: Any) -> Any:
        if not isinstance(obj, (tuple, list)):
            raise construct.ExplicitError(f"expected a tuple, got {type(obj).__name__}", path=path)
        prefix = _length_octets(len(obj))
        construct.stream_write(stream, prefix, len(prefix), path)
        for index, item in enumerate(obj):
            self.subcon._build(item, stream, context, f"{path} -> [{index}]")
        return obj


class DataField(Block):
    """One COSEM Data value, decoded by the hand-written A-XDR codec in ``axdr``."""

    def read(self, stream: Any) -> Data:
        buf = stream.getvalue()
        item, end = decode_data(buf, stream.tell())
        stream.seek(end)
        return item

    def _parse(self, stream: Any, context: Any, path: Any) -> Any:
        try:
            return self.read(stream)
        except CodecError as exc:
            raise exc.within(*_path_parts(path)) from None

    def _build(self, obj: Any, stream: Any, context: Any, path: Any) -> Any:
        out = bytearray()
        try:
            encode_data(obj, out)
        except CodecError as exc:
            raise exc.within(*_path_parts(path)) from None
        construct.stream_write(stream, bytes(out), len(out), path)
        return obj


class EnumField(Block):
    """One octet read as an IntEnum member; unknown values stay plain ints (tolerant parse)."""

    def __init__(self, enum: type[IntEnum]) -> None:
        super().__init__()
        self.enum = enum
        self.members: dict[int, Any] = {int(member): member for member in enum}

    def read(self, stream: Any) -> Any:
        value = _read_exact(stream, 1)[0]
        return self.members.get(value, value)

    def _build(self, obj: Any, stream: Any, context: Any, path: Any) -> Any:
        if isinstance(obj, str):
            try:
                obj = self.enum[obj]
            except KeyError:
                raise construct.ExplicitError(f"unknown {self.enum.__name__} {obj!r}",
                                              path=path) from None
        if not isinstance(obj, int) or not 0 <= obj <= 0xFF:
            raise construct.ExplicitError(f"expected an octet value, got {obj!r}", path=path)
        construct.stream_write(stream, bytes((int(obj),)), 1, path)
        return obj

    def _sizeof(self, context: Any, path: Any) -> int:
        return 1


class TaggedChoice(Block):
    """A CHOICE sent as a one-octet tag and the chosen alternative.

    ``alternatives`` maps tags to constructs. To build, ``select(obj)`` returns the tag; by
    default it is found from the record class of ``obj``.
    """

    def __init__(self, name: str, alternatives: Mapping[int, construct.Construct],
                 select: Callable[[Any], int] | None = None) -> None:
        super().__init__()
        self.choice_name = name
        self.alternatives = dict(alternatives)
        self.select = select
        self.tags_by_class: dict[type, int] = {}
        for tag, alternative in self.alternatives.items():
            for cls in record_classes(alternative):
                self.tags_by_class.setdefault(cls, tag)

    def _parse(self, stream: Any, context: Any, path: Any) -> Any:
        tag = _read_exact_at(stream, 1, f"{path} -> {self.choice_name}")[0]
        alternative = self.alternatives.get(tag)
        if alternative is None:
            stream.seek(-1, io.SEEK_CUR)
            raise construct.ExplicitError(f"unknown {self.choice_name} tag {tag} (0x{tag:02X})",
                                          path=path)
        return alternative._parsereport(stream, context, path)

    def _emitparse(self, code: Any) -> str:
        number = code.allocateId()
        table = f"choice_table_{number}"
        entries = []
        for tag, alternative in self.alternatives.items():
            inner = alternative._compileparse(code)
            code.append(f"""
                def parse_choice_{number}_{tag}(io, this):
                    return {inner}
            """)
            entries.append(f"{tag}: parse_choice_{number}_{tag}")
        code.append(f"{table} = {{{', '.join(entries)}}}")
        return f"{table}[io.read(1)[0]](io, this)"

    def tag_for(self, obj: Any) -> int:
        if self.select is not None:
            return self.select(obj)
        tag = self.tags_by_class.get(type(obj))
        if tag is None:
            raise construct.ExplicitError(f"{type(obj).__name__} is not a {self.choice_name}")
        return tag

    def _build(self, obj: Any, stream: Any, context: Any, path: Any) -> Any:
        try:
            tag = self.tag_for(obj)
        except (construct.ExplicitError, TypeError, AttributeError) as exc:
            raise construct.ExplicitError(str(exc), path=path) from None
        alternative = self.alternatives.get(tag)
        if alternative is None:
            raise construct.ExplicitError(f"unknown {self.choice_name} tag {tag}", path=path)
        construct.stream_write(stream, bytes((tag,)), 1, path)
        alternative._build(obj, stream, context, path)
        return obj


class Record(Block):
    """A SEQUENCE whose components parse, in order, into the fields of a frozen dataclass."""

    def __init__(self, cls: type, fields: Sequence[tuple[str, construct.Construct]]) -> None:
        super().__init__()
        self.cls = cls
        self.fields = list(fields)
        names = [field.name for field in dataclasses.fields(cls) if field.init]
        declared = [name for name, _ in self.fields]
        if names != declared:
            raise TypeError(f"{cls.__name__}: fields {names} differ from the declaration {declared}")

    def _parse(self, stream: Any, context: Any, path: Any) -> Any:
        values = [subcon._parsereport(stream, context, f"{path} -> {name}")
                  for name, subcon in self.fields]
        return self.cls(*values)

    def _emitparse(self, code: Any) -> str:
        code.linkedinstances[id(self)] = self
        arguments = ", ".join(subcon._compileparse(code) for _, subcon in self.fields)
        return f"linkedinstances[{id(self)}].cls({arguments})"

    def _build(self, obj: Any, stream: Any, context: Any, path: Any) -> Any:
        if not isinstance(obj, self.cls):
            raise construct.ExplicitError(
                f"expected {self.cls.__name__}, got {type(obj).__name__}", path=path)
        for name, subcon in self.fields:
            subcon._build(getattr(obj, name), stream, context, f"{path} -> {name}")
        return obj

    def _sizeof(self, context: Any, path: Any) -> int:
        return sum(subcon._sizeof(context, path) for _, subcon in self.fields)


def record(cls: type, **fields: construct.Construct) -> Record:
    """Declare the wire layout of dataclass ``cls``: its fields in order, each with a construct."""
    return Record(cls, list(fields.items()))


def record_classes(con: construct.Construct) -> list[type]:
    """Return the dataclasses a construct can parse into (for choosing a choice alternative)."""
    if isinstance(con, Record):
        return [con.cls]
    if isinstance(con, TaggedChoice):
        return [cls for alternative in con.alternatives.values()
                for cls in record_classes(alternative)]
    return []


def _path_parts(path: Any) -> tuple[str, ...]:
    if not path:
        return ()
    text = str(path)
    for prefix in ("(parsing)", "(building)", "(sizeof)"):
        text = text.replace(prefix, "")
    return tuple(part.strip() for part in text.split("->") if part.strip())


class Compiled:
    """A declaration and its compiled parser, compiled on first use."""

    def __init__(self, declaration: construct.Construct, root: str) -> None:
        self.declaration = declaration
        self.root = root
        self._parse_function: Callable[[Any, Any], Any] | None = None

    def parse_function(self) -> Callable[[Any, Any], Any]:
        if self._parse_function is None:
            compiled = self.declaration.compile()
            self._parse_function = compiled.parsefunc
        return self._parse_function

    def parse(self, data: bytes) -> Any:
        return parse_with(self, data)

    def build(self, value: Any) -> bytes:
        return common.build(self.declaration, value, root=self.root)


def parse_with(compiled: Compiled, data: bytes) -> Any:
    """Parse ``data`` exactly with the compiled parser; on any failure re-parse interpreted.

    The compiled code omits construct's checks and paths, so its exceptions are not shown: the
    interpreted declaration raises the CodecError with field path, offset and bytes instead.
    """
    data = bytes(data)
    stream = io.BytesIO(data)
    try:
        value = compiled.parse_function()(stream, None)
        complete = stream.tell() == len(data)
    except Exception:  # noqa: BLE001 - compiled code may raise anything; re-parse to explain
        complete = False
    if complete:
        return value
    return common.parse(compiled.declaration, data, root=compiled.root)
