"""Construct building blocks for ZCL payloads: lists that run to the end of the frame,
count-prefixed lists, fields whose presence a flag or the frame length decides, and a
wrapper that parses through construct's compiler while keeping precise error paths."""

from __future__ import annotations

import io
import struct
from collections.abc import Mapping
from typing import Any

import construct
from construct import Construct, ListContainer, Subconstruct

__all__ = [
    "CountedList",
    "Fast",
    "FixedLength",
    "Maybe",
    "PresenceFlags",
    "RecordsToEnd",
    "Trailing",
]

# Exceptions that construct's compiled parsers raise for bad input: compiled code unpacks with
# the struct module directly, so a short read surfaces as struct.error instead of StreamError.
_COMPILED_PARSE_ERRORS = (
    construct.ConstructError, struct.error, ValueError, IndexError, KeyError, TypeError,
)


def _short_read(expected: int, found: int) -> construct.StreamError:
    return construct.StreamError(
        f"stream read less than specified amount, expected {expected}, found {found}", path="(parsing)")


class StrictBytesIO(io.BytesIO):
    """A BytesIO whose ``read(n)`` raises StreamError when fewer than ``n`` bytes remain.

    construct's compiled parsers read fixed-size fields with a bare ``io.read(n)`` and do not
    check the length for Bytes and BytesInteger, so a truncated frame would decode short.
    """

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        if size is not None and size >= 0 and len(data) != size:
            raise _short_read(size, len(data))
        return data


class _StrictReader:
    """The same check over any stream, for compiled parsers handed a plain stream."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def read(self, size: int | None = -1) -> bytes:
        data: bytes = self._stream.read(size)
        if size is not None and size >= 0 and len(data) != size:
            raise _short_read(size, len(data))
        return data

    def tell(self) -> int:
        position: int = self._stream.tell()
        return position

    def seek(self, offset: int, whence: int = 0) -> int:
        position: int = self._stream.seek(offset, whence)
        return position


class _Lenient:
    """A view of a stream without the short-read check, for the plain parse after a failure.

    construct's own ``stream_read`` checks lengths and names what it expected and found, so the
    plain declarations give the better message on an unchecked stream.
    """

    def __init__(self, stream: Any) -> None:
        self._stream = stream._stream if isinstance(stream, _StrictReader) else stream

    def read(self, size: int | None = -1) -> bytes:
        if isinstance(self._stream, StrictBytesIO):
            return io.BytesIO.read(self._stream, size)
        data: bytes = self._stream.read(size)
        return data

    def tell(self) -> int:
        position: int = self._stream.tell()
        return position

    def seek(self, offset: int, whence: int = 0) -> int:
        position: int = self._stream.seek(offset, whence)
        return position


def _stream_size(stream: Any) -> int:
    position: int = stream.tell()
    end: int = stream.seek(0, 2)
    stream.seek(position)
    return end


class Fast(Subconstruct):  # type: ignore[misc]
    """Parse with the compiled form of ``subcon``; build and size with ``subcon`` itself.

    Compilation happens on first use. When the compiled parser fails, the input is parsed again
    with the plain declaration so that the error names the exact field. That slow path runs only
    for bad input. A declaration that construct cannot compile is parsed plainly.
    """

    def __init__(self, subcon: Construct) -> None:
        super().__init__(subcon)
        self._compiled: Construct | None = None

    def _compiled_subcon(self) -> Construct:
        if self._compiled is None:
            try:
                self._compiled = self.subcon.compile()
            except (NotImplementedError, SyntaxError, construct.ConstructError):
                self._compiled = self.subcon
        return self._compiled

    def _parse(self, stream: Any, context: Any, path: str) -> Any:
        if isinstance(stream, _Lenient):
            # Inside the plain parse of an enclosing Fast: stay plain for exact error paths.
            return self.subcon._parsereport(stream, context, path)
        compiled = self._compiled_subcon()
        if not isinstance(stream, (StrictBytesIO, _StrictReader)):
            stream = _StrictReader(stream)
        start = stream.tell()
        try:
            return compiled._parsereport(stream, context, path)
        except _COMPILED_PARSE_ERRORS:
            stream.seek(start)
            return self.subcon._parsereport(_Lenient(stream), context, path)

    def _build(self, obj: Any, stream: Any, context: Any, path: str) -> Any:
        return self.subcon._build(obj, stream, context, path)

    def _sizeof(self, context: Any, path: str) -> int:
        size: int = self.subcon._sizeof(context, path)
        return size


def _require_list(items: Any, path: str) -> None:
    if not isinstance(items, (list, tuple)):
        raise construct.ListError(f"expected a list, found {type(items).__name__}", path=path)


def _build_items(subcon: Construct, items: Any, stream: Any, context: Any, path: str) -> Any:
    built = ListContainer()
    for index, item in enumerate(items):
        context._index = index
        built.append(subcon._build(item, stream, context, f"{path} -> [{index}]"))
    return built


class RecordsToEnd(Subconstruct):  # type: ignore[misc]
    """Records of ``subcon`` repeated up to the end of the stream, as in most ZCL commands.

    Unlike construct's GreedyRange, a record that fails half-way raises with its index in the
    path instead of silently ending the list.
    """

    def __init__(self, subcon: Construct) -> None:
        super().__init__(subcon if isinstance(subcon, Fast) else Fast(subcon))

    def _parse(self, stream: Any, context: Any, path: str) -> Any:
        end = _stream_size(stream)
        records = ListContainer()
        index = 0
        while stream.tell() < end:
            context._index = index
            records.append(self.subcon._parsereport(stream, context, f"{path} -> [{index}]"))
            index += 1
        return records

    def _build(self, obj: Any, stream: Any, context: Any, path: str) -> Any:
        if obj is None:
            obj = []
        _require_list(obj, path)
        return _build_items(self.subcon, obj, stream, context, path)

    def _sizeof(self, context: Any, path: str) -> int:
        raise construct.SizeofError("a record list that runs to the end of the frame has no fixed size", path=path)


class CountedList(Construct):  # type: ignore[misc]
    """A list preceded by its element count; the count is computed when building.

    With ``invalid`` set, that count value stands for "no list" and decodes to None (ZCL arrays,
    sets and bags use 0xFFFF for their non-value).
    """

    def __init__(self, count: Construct, subcon: Construct, *, invalid: int | None = None) -> None:
        super().__init__()
        self.count = count
        self.subcon = subcon if isinstance(subcon, Fast) else Fast(subcon)
        self.invalid = invalid
        self.flagbuildnone = invalid is not None

    def _parse(self, stream: Any, context: Any, path: str) -> Any:
        count = self.count._parsereport(stream, context, path)
        if self.invalid is not None and count == self.invalid:
            return None
        items = ListContainer()
        for index in range(count):
            context._index = index
            items.append(self.subcon._parsereport(stream, context, f"{path} -> [{index}]"))
        return items

    def _build(self, obj: Any, stream: Any, context: Any, path: str) -> Any:
        if obj is None:
            if self.invalid is None:
                raise construct.ListError("a list is required here; None is not allowed", path=path)
            self.count._build(self.invalid, stream, context, path)
            return None
        _require_list(obj, path)
        if self.invalid is not None and len(obj) >= self.invalid:
            raise construct.ListError(
                f"{len(obj)} elements do not fit: the count {self.invalid:#x} means 'invalid'", path=path)
        self.count._build(len(obj), stream, context, path)
        return _build_items(self.subcon, obj, stream, context, path)

    def _sizeof(self, context: Any, path: str) -> int:
        raise construct.SizeofError("a counted list has no fixed size", path=path)


class Maybe(construct.IfThenElse):  # type: ignore[misc]
    """A field present only when ``condition`` holds; absent fields are None.

    Building is strict: a value given for a field that the condition marks absent raises.
    Omitting an absent field from the dict is fine. A present field builds from its value, so
    leaving it out raises unless None is a valid value of ``subcon``.
    """

    def __init__(self, condition: Any, subcon: Construct) -> None:
        super().__init__(condition, subcon, construct.Pass)
        self.flagbuildnone = True

    def _build(self, obj: Any, stream: Any, context: Any, path: str) -> Any:
        present = construct.evaluate(self.condfunc, context)
        if present:
            return self.thensubcon._build(obj, stream, context, path)
        if obj is not None:
            raise construct.ExplicitError(
                f"value {obj!r} given, but the frame's flags say this field is absent", path=path)
        return None


class Trailing(Subconstruct):  # type: ignore[misc]
    """An optional field at the end of a payload, present when bytes remain.

    Smart Energy commands grew optional fields at their end across revisions; a sender may stop
    after any of them. When building, a None field ends the payload, so a value after a None
    raises: the receiver could not tell which fields were left out.
    """

    _GAP_KEY = "_trailing_gap"

    def __init__(self, subcon: Construct) -> None:
        super().__init__(subcon)
        self.flagbuildnone = True

    def _parse(self, stream: Any, context: Any, path: str) -> Any:
        if stream.tell() >= _stream_size(stream):
            return None
        return self.subcon._parsereport(stream, context, path)

    def _build(self, obj: Any, stream: Any, context: Any, path: str) -> Any:
        if obj is None:
            context[self._GAP_KEY] = True
            return None
        if context.get(self._GAP_KEY):
            raise construct.ExplicitError(
                "an optional trailing field is set after one that is None; set every field before it",
                path=path)
        return self.subcon._build(obj, stream, context, path)

    def _sizeof(self, context: Any, path: str) -> int:
        raise construct.SizeofError("an optional trailing field has no fixed size", path=path)


class PresenceFlags(Subconstruct):  # type: ignore[misc]
    """A flags field whose bits mark which later fields are present.

    ``bits`` maps a bit mask to the name of the field it announces. Building with the flags
    left out (None) computes them from the fields that are not None. Building with explicit flags
    checks them against the fields, so reserved bits survive a round trip but a contradiction
    raises.
    """

    def __init__(self, subcon: Construct, bits: Mapping[int, str]) -> None:
        super().__init__(subcon)
        self.bits = dict(bits)
        self.flagbuildnone = True

    def _build(self, obj: Any, stream: Any, context: Any, path: str) -> Any:
        computed = 0
        for mask, name in self.bits.items():
            if context.get(name) is not None:
                computed |= mask
        if obj is None:
            obj = computed
        else:
            for mask, name in self.bits.items():
                if bool(obj & mask) != bool(computed & mask):
                    state = "set" if obj & mask else "clear"
                    raise construct.ExplicitError(
                        f"flag {mask:#x} is {state} but field {name!r} is "
                        f"{'missing' if obj & mask else 'given'}", path=path)
        return self.subcon._build(obj, stream, context, path)


class FixedLength(Construct):  # type: ignore[misc]
    """Raw bytes whose length must be one of ``lengths`` (the rest of the frame).

    Key establishment data (certificates, ephemeral keys) has one size per crypto suite and no
    length prefix.
    """

    def __init__(self, *lengths: int) -> None:
        super().__init__()
        self.lengths = lengths

    def _check(self, data: bytes, path: str) -> None:
        if len(data) not in self.lengths:
            expected = " or ".join(str(length) for length in self.lengths)
            raise construct.ValidationError(f"expected {expected} bytes, found {len(data)}", path=path)

    def _parse(self, stream: Any, context: Any, path: str) -> bytes:
        data: bytes = stream.read()
        self._check(data, path)
        return data

    def _build(self, obj: Any, stream: Any, context: Any, path: str) -> bytes:
        if not isinstance(obj, (bytes, bytearray)):
            raise construct.StringError(f"expected bytes, found {type(obj).__name__}", path=path)
        data = bytes(obj)
        self._check(data, path)
        stream.write(data)
        return data

    def _sizeof(self, context: Any, path: str) -> int:
        raise construct.SizeofError("size depends on the crypto suite", path=path)



class LoneStatus(Subconstruct):  # type: ignore[misc]
    """Status records that may shrink to a lone status byte.

    Write Attributes Response and its kin hold one record per failed attribute, or, when every
    attribute succeeded, the single byte SUCCESS with no further fields (ZCL revision 6). The lone form decodes to one record whose ``fields`` are None, and such a record
    builds back to one byte. Any other record needs all its fields.
    """

    def __init__(self, records: Construct, fields: tuple[str, ...]) -> None:
        super().__init__(records)
        self.fields = fields

    def _parse(self, stream: Any, context: Any, path: str) -> Any:
        if _stream_size(stream) - stream.tell() == 1:
            record = construct.Container(status=construct.stream_read(stream, 1, path)[0])
            record.update(dict.fromkeys(self.fields))
            return ListContainer([record])
        return self.subcon._parsereport(stream, context, path)

    def _build(self, obj: Any, stream: Any, context: Any, path: str) -> Any:
        if isinstance(obj, (list, tuple)) and len(obj) == 1 and all(obj[0].get(f) is None for f in self.fields):
            construct.Int8ul._build(obj[0]["status"], stream, context, path)
            return obj
        return self.subcon._build(obj, stream, context, path)
