"""A COSEM object model: interface objects by (class id, logical name), with their attributes.

The model is immutable: every change returns a new model, so a device can compute the result
of a whole access-request and keep it only if nothing failed.

Profile generic objects (class 7) keep their buffer in a :class:`Buffer`: the entries captured
while the device runs, plus an optional synthetic :class:`History` that stands for the entries
a meter in service already holds. GBCS profile entries start with a capture time in
double-long-unsigned seconds since 2000-01-01 00:00:00 UTC, and so do synthetic ones.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from commshub.codecs.dlms.axdr import BitString, CompactArray, Data, DataType, TypeDescription

__all__ = [
    "Buffer",
    "CosemModel",
    "CosemObject",
    "History",
    "ObjectKey",
    "obis",
    "obis_text",
    "synthesise",
]

ObjectKey = tuple[int, bytes]

_OBIS = re.compile(r"^(\d+)-(\d+):(\d+)\.(\d+)\.(\d+)\.(\d+)$")
_INTEGER_BITS = {
    DataType.INTEGER: 7, DataType.UNSIGNED: 8, DataType.LONG: 15, DataType.LONG_UNSIGNED: 16,
    DataType.DOUBLE_LONG: 31, DataType.DOUBLE_LONG_UNSIGNED: 32, DataType.LONG64: 63,
    DataType.LONG64_UNSIGNED: 64, DataType.ENUM: 8,
}


def obis(text: str) -> bytes:
    """Return the 6-octet logical name written ``A-B:C.D.E.F`` (each a decimal 0..255)."""
    match = _OBIS.match(text.strip())
    if match is None:
        raise ValueError(f"not an OBIS code of the form A-B:C.D.E.F: {text!r}")
    groups = [int(group) for group in match.groups()]
    if any(group > 0xFF for group in groups):
        raise ValueError(f"OBIS value groups must be 0..255: {text!r}")
    return bytes(groups)


def obis_text(logical_name: bytes) -> str:
    """Write a 6-octet logical name as ``A-B:C.D.E.F``."""
    a, b, c, d, e, f = logical_name
    return f"{a}-{b}:{c}.{d}.{e}.{f}"


@dataclass(frozen=True, slots=True)
class History:
    """Synthetic entries captured every ``period`` seconds from ``start`` up to, not
    including, ``end`` (seconds since 2000); ``end`` None means the capture goes on while the
    device runs, up to the time of the read. ``codes`` are the values of an event log's
    event-code column, drawn in turn; an empty tuple leaves that column synthetic."""

    period: int
    start: int
    end: int | None
    codes: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.period <= 0:
            raise ValueError(f"history period must be positive, got {self.period}")

    def times(self, first: int, last: int) -> Iterator[int]:
        """Yield the capture times within [first, last]."""
        low = max(first, self.start)
        if low > last:
            return
        index = -(-(low - self.start) // self.period)
        moment = self.start + index * self.period
        while moment <= last and (self.end is None or moment < self.end):
            yield moment
            moment += self.period


def _pseudo(seed: bytes, moment: int, column: int, modulo: int) -> int:
    digest = hashlib.sha256(seed + moment.to_bytes(8, "big", signed=True) + bytes([column])).digest()
    return int.from_bytes(digest[:8], "big") % modulo


def synthesise(description: TypeDescription, moment: int, *, seed: bytes, column: int = 0,
               codes: tuple[int, ...] = ()) -> Data:
    """Return a value of ``description`` for a synthetic entry captured at ``moment``.

    The first column of an entry is the capture time itself; other numbers are small
    deterministic pseudo-random readings; event logs take their code from ``codes``.
    """
    kind = description.type
    if kind == DataType.STRUCTURE:
        return Data(kind, tuple(
            synthesise(element, moment, seed=seed, column=index, codes=codes)
            for index, element in enumerate(description.elements)
        ))
    if kind == DataType.ARRAY:
        element = description.elements[0]
        return Data(kind, tuple(
            synthesise(element, moment, seed=seed + bytes([column]), column=index + 1)
            for index in range(description.count)
        ))
    if column == 0 and kind == DataType.DOUBLE_LONG_UNSIGNED:
        return Data(kind, moment)
    if column == 1 and codes and kind == DataType.LONG_UNSIGNED:
        return Data(kind, codes[_pseudo(seed, moment, column, len(codes))])
    if kind in _INTEGER_BITS:
        limit = 1 << min(_INTEGER_BITS[kind], 10)
        return Data(kind, _pseudo(seed, moment, column, limit) if kind != DataType.ENUM else 0)
    if kind == DataType.BOOLEAN:
        return Data(kind, False)
    if kind == DataType.OCTET_STRING:
        return Data(kind, b"")
    if kind == DataType.VISIBLE_STRING:
        return Data(kind, "")
    if kind == DataType.BIT_STRING:
        return Data(kind, BitString(0, b""))
    return Data(DataType.NULL_DATA, None)


@dataclass(frozen=True, slots=True)
class Buffer:
    """A profile generic's buffer.

    ``description`` is the type of one entry; ``entries`` the entries captured while the
    device ran, oldest first, at most ``capacity`` of them; ``history`` the synthetic entries
    before them. ``seed`` makes synthetic readings differ between objects.
    """

    description: TypeDescription
    capacity: int
    entries: tuple[Data, ...] = ()
    history: History | None = None
    seed: bytes = b""

    def capture(self, entry: Data) -> Buffer:
        """Return the buffer with ``entry`` appended, the oldest dropped when full."""
        entries = (*self.entries, entry)[-self.capacity:]
        return replace(self, entries=entries)

    def cleared(self) -> Buffer:
        """Return an empty buffer (profile generic method 1, reset)."""
        return replace(self, entries=(), history=None)

    def select(self, first: int | None = None, last: int | None = None, *,
               now: int | None = None) -> tuple[Data, ...]:
        """Return the entries captured within [first, last] and up to ``now`` (all seconds
        since 2000), oldest first, at most ``capacity`` of them."""
        low = 0 if first is None else first
        high = (1 << 32) - 1 if last is None else last
        if now is not None:
            high = min(high, now)
        found: list[Data] = []
        if self.history is not None:
            for moment in self.history.times(low, high):
                found.append(synthesise(self.description, moment, seed=self.seed,
                                        codes=self.history.codes))
        for entry in self.entries:
            captured = entry.value[0].value if entry.type == DataType.STRUCTURE and entry.value else None
            if isinstance(captured, int) and low <= captured <= high:
                found.append(entry)
        return tuple(found[-self.capacity:])

    def entries_in_use(self, now: int | None = None) -> int:
        return len(self.select(now=now))

    def as_data(self, entries: Iterable[Data]) -> Data:
        """Encode entries as GBCS meters return a buffer: a compact-array."""
        return Data(DataType.COMPACT_ARRAY, CompactArray(self.description, tuple(entries)))


@dataclass(frozen=True, slots=True)
class CosemObject:
    """One interface object: class id, logical name (6 octets), attributes by id.

    Attribute 1, the logical name, is implied. ``buffer`` is set for profile generic objects.
    ``internal`` keeps state a method needs that is no attribute, such as the clock's preset
    adjusting time.
    """

    class_id: int
    logical_name: bytes
    attributes: Mapping[int, Data] = field(default_factory=dict)
    buffer: Buffer | None = None
    internal: Mapping[str, Data] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.logical_name) != 6:
            raise ValueError(f"a logical name is 6 octets, got {self.logical_name.hex()!r}")
        object.__setattr__(self, "attributes", MappingProxyType(dict(self.attributes)))
        object.__setattr__(self, "internal", MappingProxyType(dict(self.internal)))

    @property
    def key(self) -> ObjectKey:
        return (self.class_id, self.logical_name)

    @property
    def name(self) -> str:
        return f"{self.class_id}/{obis_text(self.logical_name)}"

    def with_attribute(self, attribute_id: int, value: Data) -> CosemObject:
        return replace(self, attributes={**self.attributes, attribute_id: value})

    def with_buffer(self, buffer: Buffer) -> CosemObject:
        return replace(self, buffer=buffer)

    def with_internal(self, name: str, value: Data) -> CosemObject:
        return replace(self, internal={**self.internal, name: value})


@dataclass(frozen=True, slots=True)
class CosemModel:
    """The object list of a device."""

    objects: Mapping[ObjectKey, CosemObject]

    def __post_init__(self) -> None:
        object.__setattr__(self, "objects", MappingProxyType(dict(self.objects)))

    @classmethod
    def of(cls, objects: Iterable[CosemObject]) -> CosemModel:
        table: dict[ObjectKey, CosemObject] = {}
        for item in objects:
            if item.key in table:
                raise ValueError(f"object {item.name} declared twice")
            table[item.key] = item
        return cls(table)

    def find(self, class_id: int, logical_name: bytes) -> CosemObject | None:
        return self.objects.get((class_id, bytes(logical_name)))

    def get(self, class_id: int, text: str) -> CosemObject:
        """Return the object ``class_id``/``text`` (an OBIS string); KeyError when absent."""
        found = self.find(class_id, obis(text))
        if found is None:
            raise KeyError(f"no object {class_id}/{text}")
        return found

    def replaced(self, item: CosemObject) -> CosemModel:
        """Return the model with ``item`` in place of the object with the same key."""
        return CosemModel({**self.objects, item.key: item})

    def with_objects(self, items: Iterable[CosemObject]) -> CosemModel:
        """Return the model with ``items`` added or replacing objects with the same key."""
        table = dict(self.objects)
        for item in items:
            table[item.key] = item
        return CosemModel(table)

    def __len__(self) -> int:
        return len(self.objects)
