"""The hub's non-volatile memory: SQLite in WAL mode, one table per kind of record.

A hub's state reaches this store only through :class:`~commshub.hub.actions.PersistState`
actions: :meth:`Nvm.apply` writes all records of one action in one transaction, so a process
killed at any moment leaves either all of them or none. :meth:`Nvm.load` returns the image
that ``Hub.restore`` rebuilds a hub from.

Tables are created when first written. Each holds ``key TEXT PRIMARY KEY, value BLOB``: the
hub decides what a key and a value mean (device logs, keys, counters, firmware chunks, cached
reads, queues, outage record, event and security logs, the outbox).
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

from commshub.errors import CommshubError
from commshub.hub.actions import PersistState

__all__ = ["NvmError", "Nvm", "MemoryNvm"]

LOGGER = logging.getLogger(__name__)

# Table names come from the hub, but they end up in SQL text, so only plain names pass.
_TABLE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
_CATALOG = "nvm_tables"


class NvmError(CommshubError):
    """The non-volatile memory cannot be opened or written."""


def _checked(table: str) -> str:
    if not _TABLE_NAME.match(table):
        raise NvmError(f"invalid NVM table name {table!r}: expected lower-case letters, digits and _")
    return f"t_{table}"


class Nvm:
    """A hub's non-volatile memory in one SQLite file (WAL journal).

    ``synchronous`` is SQLite's PRAGMA synchronous: FULL (the default) makes every applied
    PersistState survive a power cut of the machine, NORMAL only a crash of the process.
    """

    def __init__(self, path: str | Path, *, synchronous: str = "FULL") -> None:
        if synchronous not in ("FULL", "NORMAL", "EXTRA"):
            raise ValueError(f"synchronous must be FULL, NORMAL or EXTRA, got {synchronous!r}")
        self.path = Path(path)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None)
            mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            self._db.execute(f"PRAGMA synchronous={synchronous}")
            self._db.execute(f"CREATE TABLE IF NOT EXISTS {_CATALOG} (name TEXT PRIMARY KEY)")
        except sqlite3.Error as exc:
            raise NvmError(f"cannot open NVM {self.path}: {exc}") from exc
        if mode.lower() != "wal":
            raise NvmError(f"cannot open NVM {self.path} in WAL mode (SQLite chose {mode!r})")
        self._known: set[str] = {row[0] for row in self._db.execute(f"SELECT name FROM {_CATALOG}")}

    def apply(self, persist: PersistState) -> None:
        """Write every record of ``persist`` in one transaction (all or nothing)."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
            for write in persist.writes:
                table = self._ensure(write.table)
                if write.value is None:
                    self._db.execute(f"DELETE FROM {table} WHERE key = ?", (write.key,))
                else:
                    self._db.execute(
                        f"INSERT OR REPLACE INTO {table} (key, value) VALUES (?, ?)",
                        (write.key, write.value),
                    )
            self._db.execute("COMMIT")
        except BaseException as exc:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            self._known = {row[0] for row in self._db.execute(f"SELECT name FROM {_CATALOG}")}
            if isinstance(exc, sqlite3.Error):
                raise NvmError(f"cannot write NVM {self.path}: {exc}") from exc
            raise
        LOGGER.debug("NVM %s: applied %d writes", self.path, len(persist.writes))

    def load(self) -> dict[str, dict[str, bytes]]:
        """Return every non-empty table as {table: {key: value}}."""
        image: dict[str, dict[str, bytes]] = {}
        for name in sorted(self._known):
            rows = self._db.execute(f"SELECT key, value FROM {_checked(name)}").fetchall()
            if rows:
                image[name] = {key: bytes(value) for key, value in rows}
        return image

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "Nvm":
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _ensure(self, table: str) -> str:
        sql_name = _checked(table)
        if table not in self._known:
            self._db.execute(
                f"CREATE TABLE IF NOT EXISTS {sql_name} (key TEXT PRIMARY KEY, value BLOB NOT NULL)"
            )
            self._db.execute(f"INSERT OR IGNORE INTO {_CATALOG} (name) VALUES (?)", (table,))
            self._known.add(table)
        return sql_name


class MemoryNvm:
    """Non-volatile memory in a dict, with the same interface as :class:`Nvm`, for tests."""

    def __init__(self, image: Mapping[str, Mapping[str, bytes]] | None = None) -> None:
        self._image: dict[str, dict[str, bytes]] = {
            table: dict(records) for table, records in (image or {}).items()
        }

    def apply(self, persist: PersistState) -> None:
        for write in persist.writes:
            _checked(write.table)
            table = self._image.setdefault(write.table, {})
            if write.value is None:
                table.pop(write.key, None)
            else:
                table[write.key] = write.value

    def load(self) -> dict[str, dict[str, bytes]]:
        return {table: dict(records) for table, records in self._image.items() if records}

    def close(self) -> None:
        pass
