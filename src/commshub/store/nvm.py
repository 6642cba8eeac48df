"""The hub's non-volatile memory: SQLite in WAL mode, one table per kind of record.

A hub's state reaches this store only through :class:`~commshub.hub.actions.PersistState`
actions: :meth:`Nvm.apply` writes all records of one action in one transaction, so a process
killed at any moment leaves either all of them or none. :meth:`Nvm.load` returns the image
that ``Hub.restore`` rebuilds a hub from.

There is one table per entry of ``commshub.hub.state.NVM_TABLES`` (identity and keys,
settings, lifecycle, power and outage start, counters, device logs, event and security logs,
outbox, timers, firmware store and chunks, GSME queues and data, Category 2 cache, sub-GHz
settings), each ``key TEXT PRIMARY KEY, value BLOB``: the hub decides what a key and a value
mean.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Mapping
from os import PathLike
from types import TracebackType

from commshub.hub.actions import PersistState
from commshub.hub.state import NVM_TABLES
from commshub.store.sqlite import StoreError, open_database, transaction

__all__ = ["SCHEMA_VERSION", "MemoryNvm", "Nvm", "NvmError"]

LOGGER = logging.getLogger(__name__)

SCHEMA_VERSION = 1


class NvmError(StoreError):
    """The non-volatile memory cannot be opened or written, or a write names no NVM table."""


def _sql_table(table: str) -> str:
    if table not in NVM_TABLES:
        raise NvmError(f"{table!r} is not an NVM table; known: {', '.join(NVM_TABLES)}")
    return f"nvm_{table}"


_SCHEMA = [
    f"CREATE TABLE nvm_{table} (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID"
    for table in NVM_TABLES
]


class Nvm:
    """A hub's non-volatile memory in one SQLite file (WAL journal, synchronous=FULL).

    A PersistState that :meth:`apply` returned from survives SIGKILL of the process and, on
    a disk that honours fsync, a power cut of the machine.
    """

    def __init__(self, path: str | PathLike[str]) -> None:
        self.path = path
        self._db = open_database(path, schema=_SCHEMA, version=SCHEMA_VERSION, name="hub NVM")

    def apply(self, persist: PersistState) -> None:
        """Write every record of ``persist`` in one transaction (all or nothing)."""
        statements: list[tuple[str, tuple[str | bytes, ...]]] = []
        for write in persist.writes:
            table = _sql_table(write.table)
            if write.value is None:
                statements.append((f"DELETE FROM {table} WHERE key = ?", (write.key,)))
            else:
                statements.append((f"INSERT OR REPLACE INTO {table} (key, value) VALUES (?, ?)",
                                   (write.key, write.value)))
        try:
            with transaction(self._db):
                for sql, arguments in statements:
                    self._db.execute(sql, arguments)
        except sqlite3.Error as exc:
            raise NvmError(f"cannot write the hub NVM {self.path}: {exc}") from exc
        LOGGER.debug("NVM %s: applied %d writes", self.path, len(persist.writes))

    def load(self) -> dict[str, dict[str, bytes]]:
        """Return every non-empty table as {table: {key: value}}."""
        image: dict[str, dict[str, bytes]] = {}
        for table in NVM_TABLES:
            rows = self._db.execute(f"SELECT key, value FROM {_sql_table(table)}").fetchall()
            if rows:
                image[table] = {key: bytes(value) for key, value in rows}
        return image

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Nvm:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class MemoryNvm:
    """Non-volatile memory in a dict, with the same interface as :class:`Nvm`, for tests."""

    def __init__(self, image: Mapping[str, Mapping[str, bytes]] | None = None) -> None:
        self._image: dict[str, dict[str, bytes]] = {
            table: dict(records) for table, records in (image or {}).items()
        }

    def apply(self, persist: PersistState) -> None:
        for write in persist.writes:
            _sql_table(write.table)
            table = self._image.setdefault(write.table, {})
            if write.value is None:
                table.pop(write.key, None)
            else:
                table[write.key] = write.value

    def load(self) -> dict[str, dict[str, bytes]]:
        return {table: dict(records) for table, records in self._image.items() if records}

    def close(self) -> None:
        pass
