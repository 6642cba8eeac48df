"""How the hub's non-volatile state becomes records, and how changes become PersistState.

The hub's non-volatile state is a set of tables, each a mapping from a text key to a bytes
value. Every part of the hub that lives in non-volatile memory implements :class:`Stored`:
it renders itself as records and is rebuilt from them. :class:`RecordTracker` remembers what
was last written and, for the tables a handler marked dirty, turns the difference into
:class:`~commshub.hub.actions.NvmWrite` records.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from commshub.hub.actions import NvmWrite, PersistState

__all__ = ["Image", "RecordTracker", "Records", "Stored", "dump_json", "load_json"]

Records = dict[str, bytes]
Image = dict[str, Records]


class Stored(Protocol):
    """A part of the hub that lives in non-volatile memory, as one table of records."""

    def records(self) -> Records: ...


def dump_json(value: Any) -> bytes:
    """Encode ``value`` as canonical JSON (sorted keys, no spaces), bytes as hex strings."""
    return json.dumps(_encode(value), sort_keys=True, separators=(",", ":")).encode()


def load_json(data: bytes) -> Any:
    """Decode a record written by :func:`dump_json` (bytes stay hex strings)."""
    return json.loads(data)


def _encode(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


class RecordTracker:
    """Compute the writes that bring non-volatile memory up to date with the hub.

    ``written`` is the image as NVM has it after the last PersistState.
    """

    def __init__(self, written: Mapping[str, Mapping[str, bytes]]) -> None:
        self._written: Image = {table: dict(records) for table, records in written.items()}

    def diff(self, tables: Iterable[tuple[str, Records]]) -> PersistState | None:
        """Return a PersistState for the tables given as (name, current records), or None."""
        writes: list[NvmWrite] = []
        for table, current in tables:
            before = self._written.setdefault(table, {})
            for key, value in current.items():
                old = before.get(key)
                if old is None or (old is not value and old != value):
                    writes.append(NvmWrite(table, key, value))
            for key in before.keys() - current.keys():
                writes.append(NvmWrite(table, key, None))
            self._written[table] = dict(current)
        return PersistState(tuple(writes)) if writes else None

    def image(self) -> Image:
        """Return a copy of the NVM image that the writes so far have produced."""
        return {table: dict(records) for table, records in self._written.items() if records}
