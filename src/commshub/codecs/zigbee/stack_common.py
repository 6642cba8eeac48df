"""Building blocks shared by the 802.15.4, NWK and APS declarations: bit-field words, bounded
sub-streams, terminated lists, the 16-bit CRCs and EUI-64 formatting."""

from __future__ import annotations

import binascii
import io
from collections.abc import Callable, Mapping
from typing import Any

import construct
from construct import Adapter, Construct, Container, EnumIntegerString, ListContainer

from commshub.codecs.common import build
from commshub.errors import CodecError

__all__ = [
    "AllButLast",
    "BitFields",
    "TerminatedList",
    "crc16_kermit",
    "crc16_x25",
    "enum_int",
    "format_eui64",
    "parse_eui64",
    "stream_remaining",
]

# Each byte with its bit order reversed: a reflected CRC equals the plain CRC of the
# bit-reversed input, bit-reversed at the end, which lets binascii.crc_hqx (CRC-16/XMODEM,
# written in C) compute the reflected variants.
_REVERSED_BYTES = bytes(int(f"{value:08b}"[::-1], 2) for value in range(256))


def _reverse16(value: int) -> int:
    return (_REVERSED_BYTES[value & 0xFF] << 8) | _REVERSED_BYTES[value >> 8]


def crc16_kermit(data: bytes) -> int:
    """CRC-16/KERMIT (poly 0x1021 reflected, init 0, no final XOR): the IEEE 802.15.4 FCS.

    Check value for b"123456789" is 0x2189 (the CRC RevEng catalogue).
    """
    return _reverse16(binascii.crc_hqx(bytes(data).translate(_REVERSED_BYTES), 0))


def crc16_x25(data: bytes) -> int:
    """CRC-16/X-25 (poly 0x1021 reflected, init 0xFFFF, final XOR 0xFFFF): the install-code CRC.

    Check value for b"123456789" is 0x906E (the CRC RevEng catalogue).
    """
    return _reverse16(binascii.crc_hqx(bytes(data).translate(_REVERSED_BYTES), 0xFFFF)) ^ 0xFFFF


def format_eui64(value: int) -> str:
    """Format an EUI-64 held as an int the way Wireshark and zigpy print it: ``00:0f:ff:...``."""
    return ":".join(f"{byte:02x}" for byte in value.to_bytes(8, "big"))


def parse_eui64(text: str) -> int:
    """Parse an EUI-64 written most significant byte first, with or without separators."""
    cleaned = text.replace(":", "").replace("-", "").replace(" ", "")
    if cleaned.lower().startswith("0x"):
        cleaned = cleaned[2:]
    if len(cleaned) != 16:
        raise ValueError(f"an EUI-64 has 16 hex digits, found {len(cleaned)} in {text!r}")
    return int(cleaned, 16)


def enum_int(value: Any, names: Mapping[int, str]) -> int:
    """Return the number of an enum field given as a number, a parsed EnumIntegerString or a
    name from ``names`` (values built by hand may use plain names)."""
    if isinstance(value, str) and not isinstance(value, EnumIntegerString):
        for number, text in names.items():
            if text == value:
                return number
        raise construct.ExplicitError(f"unknown name {value!r}; expected one of "
                                      f"{sorted(names.values())}")
    return int(value)


def to_container(value: Any) -> Any:
    """Return ``value`` with every mapping turned into a construct Container (and every list
    into a ListContainer), so that hand-made dict values build like parsed ones."""
    if isinstance(value, Mapping):
        return Container((key, to_container(item)) for key, item in value.items())
    if isinstance(value, list):
        return ListContainer(to_container(item) for item in value)
    return value


def build_value(con: Construct, value: Any, *, root: str, **context: Any) -> bytes:
    """Build ``value`` (parsed Containers or plain dicts) with ``con``; a missing key raises
    CodecError naming it, like every other build fault."""
    try:
        return build(con, to_container(value), root=root, **context)
    except KeyError as exc:
        raise CodecError(f"missing field {exc.args[0]!r}: every field of the frame needs a "
                         f"value, None where the field is absent", path=(root,)) from None


FieldSpec = tuple[str, int] | tuple[str, int, Mapping[int, str]]


class BitFields(Adapter):  # type: ignore[misc]
    """An unsigned integer word split into named bit fields, listed from bit 0 upwards.

    One-bit fields without names decode to bool. Fields with a name table decode to
    construct's EnumIntegerString when the value is named and to a plain int otherwise
    (tolerant parse). Building accepts names or ints; an unknown name, a value too wide for its
    field, a missing field or a key that is not a field raises (strict build); only fields
    named ``reserved...`` may be left out and build as 0.
    """

    def __init__(self, subcon: Construct, *fields: FieldSpec) -> None:
        super().__init__(subcon)
        layout = []
        shift = 0
        for spec in fields:
            name, width = spec[0], spec[1]
            names: Mapping[int, str] | None = spec[2] if len(spec) > 2 else None
            by_name = {text: number for number, text in names.items()} if names else None
            layout.append((name, shift, (1 << width) - 1, names, by_name))
            shift += width
        if shift != subcon.sizeof() * 8:
            raise ValueError(f"bit fields cover {shift} bits of a {subcon.sizeof() * 8}-bit word")
        self.layout = tuple(layout)
        self.field_names = frozenset(entry[0] for entry in layout)

    def _decode(self, obj: int, context: Any, path: str) -> Container:
        result = Container()
        for name, shift, mask, names, _ in self.layout:
            value = (obj >> shift) & mask
            if names is not None:
                text = names.get(value)
                result[name] = EnumIntegerString.new(value, text) if text is not None else value
            elif mask == 1:
                result[name] = bool(value)
            else:
                result[name] = value
        return result

    def _encode(self, obj: Mapping[str, Any], context: Any, path: str) -> int:
        unknown = [key for key in obj if not key.startswith("_") and key not in self.field_names]
        if unknown:
            raise construct.ExplicitError(f"unknown bit fields {sorted(unknown)}", path=path)
        word = 0
        for name, shift, mask, _, by_name in self.layout:
            if name not in obj and not name.startswith("reserved"):
                raise construct.ExplicitError(f"missing bit field {name!r}", path=path)
            value = obj.get(name, 0)
            if isinstance(value, EnumIntegerString):
                value = value.intvalue
            elif isinstance(value, str):
                if by_name is None or value not in by_name:
                    raise construct.ExplicitError(f"{name}: unknown name {value!r}", path=path)
                value = by_name[value]
            value = int(value)
            if not 0 <= value <= mask:
                raise construct.ExplicitError(
                    f"{name}: {value} does not fit in {mask.bit_length()} bits", path=path)
            word |= value << shift
        return word


def stream_remaining(stream: io.BufferedIOBase, path: str) -> int:
    """Return how many bytes of ``stream`` are left to read."""
    position = construct.stream_tell(stream, path)
    end = construct.stream_size(stream)
    return int(end - position)


class AllButLast(construct.Subconstruct):  # type: ignore[misc]
    """Run ``subcon`` on the rest of the stream, which it may not read beyond the stream's last
    ``count`` bytes.

    ``count`` may be a context function. Used for payloads followed by a MIC or an FCS whose
    length is known only from the header.
    """

    def __init__(self, count: int | Callable[[Any], int], subcon: Construct) -> None:
        super().__init__(subcon)
        self.count = count
        self.flagbuildnone = subcon.flagbuildnone

    def _parse(self, stream: Any, context: Any, path: str) -> Any:
        count = construct.evaluate(self.count, context)
        length = stream_remaining(stream, path) - count
        if length < 0:
            raise construct.StreamError(
                f"expected at least {count} bytes, found {length + count}", path=path)
        start = construct.stream_tell(stream, path)
        bounded = io.BytesIO(construct.stream_read(stream, length, path))
        value = self.subcon._parsereport(bounded, context, path)
        # Bytes the subcon left unread stay in the outer stream for the fields that follow.
        construct.stream_seek(stream, start + bounded.tell(), 0, path)
        return value

    def _build(self, obj: Any, stream: Any, context: Any, path: str) -> Any:
        return self.subcon._build(obj, stream, context, path)

    def _sizeof(self, context: Any, path: str) -> int:
        raise construct.SizeofError("the size depends on the frame length", path=path)


class TerminatedList(construct.Subconstruct):  # type: ignore[misc]
    """A list of ``subcon`` elements that ends after an element for which ``is_last`` is true,
    or at the end of the stream.

    Information element lists of IEEE 802.15.4-2015 end this way: a termination IE when more
    fields follow, nothing when the list runs to the end of the frame.
    """

    def __init__(self, subcon: Construct, is_last: Callable[[Any], bool]) -> None:
        super().__init__(subcon)
        self.is_last = is_last

    def _parse(self, stream: Any, context: Any, path: str) -> ListContainer:
        items = ListContainer()
        while stream_remaining(stream, path) > 0:
            item = self.subcon._parsereport(stream, context, path)
            items.append(item)
            if self.is_last(item):
                break
        return items

    def _build(self, obj: Any, stream: Any, context: Any, path: str) -> Any:
        for index, item in enumerate(obj):
            if self.is_last(item) and index != len(obj) - 1:
                raise construct.ExplicitError(
                    f"a termination element may only end the list (found at index {index})",
                    path=path)
            self.subcon._build(item, stream, context, path)
        return obj

    def _sizeof(self, context: Any, path: str) -> int:
        raise construct.SizeofError("the list length depends on the data", path=path)
