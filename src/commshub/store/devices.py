"""The virtual devices' own non-volatile memory: one SQLite file per hub, one row per device.

A real meter is a separate box with its own memory: a restart of the hub process must not
take it back to the factory. :class:`DeviceMemory` keeps, per device EUI-64, the JSON snapshot
the device gives (``Meter.snapshot``: firmware version, held image, accepted originator
counters, join state), written in one committed transaction before anything the device did
leaves the driver, so a SIGKILL loses nothing the bench has seen.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Mapping
from os import PathLike
from types import TracebackType
from typing import Any, Self

from commshub.store.sqlite import StoreError, open_database, transaction

__all__ = ["SCHEMA_VERSION", "DeviceMemory"]

LOGGER = logging.getLogger(__name__)

SCHEMA_VERSION = 1

_SCHEMA = [
    ("CREATE TABLE device_memory (eui TEXT PRIMARY KEY, kind TEXT NOT NULL, "
     "snapshot TEXT NOT NULL) WITHOUT ROWID"),
]


class DeviceMemory:
    """The snapshots of a hub's virtual devices in one SQLite file (WAL, synchronous=FULL)."""

    def __init__(self, path: str | PathLike[str]) -> None:
        self.path = path
        self._db = open_database(path, schema=_SCHEMA, version=SCHEMA_VERSION, name="device memory")
        self._written: dict[str, str] = {}

    def save(self, eui: bytes, kind: str, snapshot: Mapping[str, Any]) -> bool:
        """Store a device's snapshot if it changed since the last save; return whether it did."""
        key = eui.hex().upper()
        text = json.dumps(snapshot, sort_keys=True, separators=(",", ":"))
        if self._written.get(key) == text:
            return False
        try:
            with transaction(self._db):
                self._db.execute("INSERT OR REPLACE INTO device_memory (eui, kind, snapshot) "
                                 "VALUES (?, ?, ?)", (key, kind, text))
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write the device memory {self.path}: {exc}") from exc
        self._written[key] = text
        LOGGER.debug("device memory %s: %s %s saved", self.path, kind, key)
        return True

    def load(self, eui: bytes) -> dict[str, Any] | None:
        """Return the stored snapshot of a device, or None if it has none or it is unreadable."""
        key = eui.hex().upper()
        row = self._db.execute("SELECT snapshot FROM device_memory WHERE eui = ?", (key,)).fetchone()
        if row is None:
            return None
        try:
            value = json.loads(row[0])
        except ValueError as exc:
            LOGGER.warning("device memory %s: snapshot of %s unreadable (%s)", self.path, key, exc)
            return None
        if not isinstance(value, dict):
            LOGGER.warning("device memory %s: snapshot of %s is not an object", self.path, key)
            return None
        self._written[key] = row[0]
        return value

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
