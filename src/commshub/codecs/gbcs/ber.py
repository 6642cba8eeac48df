"""BER definite lengths as GBCS uses them, and construct building blocks around them.

GBCS writes every variable length in the MAC header, grouping header and GBT header as an
ASN.1 BER definite length (X.690 8.1.3): one octet below 0x80, otherwise 0x80 + N followed by
the length in N big-endian octets. Senders normally use the shortest form, but a decoder must
accept the long form for any value, and a byte-exact re-encoder must write the form it read.
A *form* here is ``None`` for the shortest encoding, or N, the number of length octets after
the 0x8N octet.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import construct

from commshub.codecs import common
from commshub.errors import CodecError

__all__ = [
    "MAX_LENGTH_OCTETS",
    "AllButLast",
    "BerLengthForm",
    "BerPrefixed",
    "OptionalAtEnd",
    "Reject",
    "build_whole",
    "decode_length",
    "encode_length",
    "parse_whole",
    "split_path",
]

# Lengths of up to 4 octets (4 GiB) are accepted; anything longer cannot be a GBCS message.
MAX_LENGTH_OCTETS = 4
_LONG_FORM = 0x80

_PATH_PREFIX = re.compile(r"^\((?:parsing|building|sizing|sizeof)\)\s*(?:->\s*)?")


def split_path(path: str | None) -> tuple[str, ...]:
    """Turn a construct path string ("(parsing) -> a -> b") into a tuple of field names."""
    if not path:
        return ()
    path = _PATH_PREFIX.sub("", path.strip())
    return tuple(part.strip() for part in path.split("->") if part.strip())


def encode_length(value: int, form: int | None = None) -> bytes:
    """Encode ``value`` as a BER definite length in the shortest form or with ``form`` octets."""
    if value < 0:
        raise CodecError(f"length must not be negative, found {value}")
    if form is None:
        if value < _LONG_FORM:
            return bytes([value])
        form = max(1, (value.bit_length() + 7) // 8)
    if not 1 <= form <= MAX_LENGTH_OCTETS:
        raise CodecError(f"a long-form length has 1 to {MAX_LENGTH_OCTETS} octets, found {form}")
    if value >= 1 << (8 * form):
        raise CodecError(f"length {value} does not fit in {form} length octets")
    return bytes([_LONG_FORM | form]) + value.to_bytes(form, "big")


def decode_length(data: bytes, offset: int = 0) -> tuple[int, int | None, int]:
    """Decode the BER length at ``offset``; return ``(value, form, offset after the length)``."""
    if offset >= len(data):
        raise CodecError("expected a BER length, found the end of the data", offset=offset, data=data)
    first = data[offset]
    if first < _LONG_FORM:
        return first, None, offset + 1
    octets = first & 0x7F
    if octets == 0:
        raise CodecError("indefinite BER length (0x80) is not allowed here", offset=offset, data=data)
    if octets > MAX_LENGTH_OCTETS:
        raise CodecError(
            f"BER length with {octets} length octets is too long (at most {MAX_LENGTH_OCTETS})",
            offset=offset, data=data,
        )
    end = offset + 1 + octets
    if end > len(data):
        raise CodecError(
            f"expected {octets} length octets, found {len(data) - offset - 1}", offset=offset, data=data
        )
    value = int.from_bytes(data[offset + 1 : end], "big")
    shortest = encode_length(value)
    form = None if len(shortest) == 1 + octets and value >= _LONG_FORM else octets
    return value, form, end


def _read_length(stream: Any, path: str) -> tuple[int, int | None]:
    first = construct.stream_read(stream, 1, path)
    if first[0] < _LONG_FORM:
        return first[0], None
    octets = first[0] & 0x7F
    if octets == 0:
        raise construct.ExplicitError("indefinite BER length (0x80) is not allowed here", path=path)
    if octets > MAX_LENGTH_OCTETS:
        raise construct.ExplicitError(
            f"BER length with {octets} length octets is too long (at most {MAX_LENGTH_OCTETS})",
            path=path,
        )
    rest = construct.stream_read(stream, octets, path)
    value, form, _ = decode_length(first + rest)
    return value, form


class BerLengthForm(construct.Construct):  # type: ignore[misc]
    """The form of a BER length (None for the shortest). Use it under ``Peek`` before a
    :class:`BerPrefixed` field so that the form survives a round trip."""

    def _parse(self, stream: Any, context: Any, path: str) -> int | None:
        return _read_length(stream, path)[1]

    def _build(self, obj: Any, stream: Any, context: Any, path: str) -> Any:
        raise construct.ExplicitError("BerLengthForm only parses; wrap it in Peek", path=path)


class BerPrefixed(construct.Subconstruct):  # type: ignore[misc]
    """A field preceded by its BER length. ``form`` is a context function giving the length
    form to build with (None: shortest).

    The field is parsed from its own bounded stream, so it may be greedy; a CodecError raised
    inside is re-raised with the absolute offset of the fault.
    """

    def __init__(self, subcon: construct.Construct, form: Callable[[Any], int | None] | None = None):
        super().__init__(subcon)
        self.form = form

    def _parse(self, stream: Any, context: Any, path: str) -> Any:
        length, _ = _read_length(stream, path)
        start = construct.stream_tell(stream, path)
        data = construct.stream_read(stream, length, path)
        return _parse_bounded(self.subcon, data, start, context, path)

    def _build(self, obj: Any, stream: Any, context: Any, path: str) -> Any:
        substream = io.BytesIO()
        built = self.subcon._build(obj, substream, context, path)
        data = substream.getvalue()
        form = self.form(context) if self.form is not None else None
        try:
            prefix = encode_length(len(data), form)
        except CodecError as exc:
            raise construct.ExplicitError(exc.reason, path=path) from None
        construct.stream_write(stream, prefix + data, len(prefix) + len(data), path)
        return built


class AllButLast(construct.Subconstruct):  # type: ignore[misc]
    """Parse ``subcon`` from all remaining bytes but the last ``count``, which stay in the stream."""

    def __init__(self, count: int, subcon: construct.Construct):
        super().__init__(subcon)
        self.count = count

    def _parse(self, stream: Any, context: Any, path: str) -> Any:
        start = construct.stream_tell(stream, path)
        remaining = construct.stream_read_entire(stream, path)
        if len(remaining) < self.count:
            raise construct.ExplicitError(
                f"expected at least {self.count} bytes, found {len(remaining)}", path=path
            )
        construct.stream_seek(stream, start + len(remaining) - self.count, 0, path)
        return _parse_bounded(self.subcon, remaining[: len(remaining) - self.count], start, context, path)

    def _build(self, obj: Any, stream: Any, context: Any, path: str) -> Any:
        return self.subcon._build(obj, stream, context, path)


class OptionalAtEnd(construct.Subconstruct):  # type: ignore[misc]
    """``subcon``, or None when the stream is already at its end (builds nothing for None)."""

    flagbuildnone = True

    def _parse(self, stream: Any, context: Any, path: str) -> Any:
        if not _has_more(stream, construct.stream_tell(stream, path), path):
            return None
        return self.subcon._parsereport(stream, context, path)

    def _build(self, obj: Any, stream: Any, context: Any, path: str) -> Any:
        if obj is None:
            return None
        return self.subcon._build(obj, stream, context, path)


class Reject(construct.Construct):  # type: ignore[misc]
    """A construct that always fails with ``message`` (the default branch of a Switch)."""

    def __init__(self, message: str):
        super().__init__()
        self.message = message

    def _parse(self, stream: Any, context: Any, path: str) -> Any:
        raise construct.ExplicitError(self.message, path=path)

    def _build(self, obj: Any, stream: Any, context: Any, path: str) -> Any:
        raise construct.ExplicitError(self.message, path=path)


def _parse_bounded(subcon: construct.Construct, data: bytes, start: int, context: Any, path: str) -> Any:
    """Parse ``subcon`` from ``data``, which began at offset ``start`` of the enclosing stream;
    errors are re-raised as CodecError with offsets in the enclosing stream."""
    substream = io.BytesIO(data)
    try:
        return subcon._parsereport(substream, context, path)
    except construct.ConstructError as exc:
        raise CodecError(
            _message(exc), path=split_path(getattr(exc, "path", None) or path),
            offset=start + substream.tell(),
        ) from None
    except CodecError as exc:
        offset = None if exc.offset is None else start + exc.offset
        raise CodecError(exc.reason, path=exc.path, offset=offset) from None


def parse_whole(con: construct.Construct, data: bytes, *, root: str) -> Any:
    """Parse all of ``data`` with ``con`` (trailing bytes are an error); raise CodecError with
    the field path, the offset and the bytes around it."""
    data = bytes(data)
    try:
        return common.parse(con, data, root=root)
    except CodecError as exc:
        if exc.data is not None:
            raise
        raise CodecError(exc.reason, path=exc.path, offset=exc.offset, data=data) from None


def build_whole(con: construct.Construct, value: Any, *, root: str) -> bytes:
    """Build ``value`` with ``con``; raise CodecError naming the field on failure."""
    return common.build(con, value, root=root)


def _has_more(stream: Any, here: int, path: str) -> bool:
    more = bool(stream.read(1))
    construct.stream_seek(stream, here, 0, path)
    return more


def _message(exc: construct.ConstructError) -> str:
    text = str(exc)
    lines = [line for line in text.split("\n") if line.strip()]
    return lines[-1] if lines else type(exc).__name__
