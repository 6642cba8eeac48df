"""Open SQLite databases for durable stores: WAL journal, full sync, versioned schema.

A commit returns only after SQLite has synced the write-ahead log, so a row that a caller has
seen committed survives SIGKILL of the process and, on a disk that honours fsync, power loss.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from os import PathLike

from commshub.errors import CommshubError

__all__ = ["StoreError", "open_database", "transaction"]

logger = logging.getLogger(__name__)

# Seconds a writer waits for another connection's write lock before SQLite raises "database is
# locked". That is long enough for a writer that fsyncs and short enough to surface a stuck one.
BUSY_TIMEOUT_S = 10.0

MEMORY_PATH = ":memory:"


class StoreError(CommshubError):
    """A database that cannot be opened, has a foreign schema version, or failed to write."""


def open_database(
    path: str | PathLike[str],
    *,
    schema: Sequence[str],
    version: int,
    name: str,
) -> sqlite3.Connection:
    """Open (creating if needed) the database at ``path`` in WAL mode with synchronous=FULL.

    A new database gets every statement of ``schema`` and ``PRAGMA user_version = version`` in
    one transaction. An existing database must carry the same ``version``; ``name`` labels the
    store in error messages. The connection runs in autocommit mode: group writes with
    :func:`transaction`. It may be shared between threads if the caller serialises its use.
    ``":memory:"`` opens a private, non-durable database (tests only).
    """
    if version <= 0:
        raise ValueError(f"schema version must be positive, got {version}")
    try:
        conn = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_S
        )
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the {name} database {path}: {exc}") from exc
    try:
        _configure(conn, path, name)
        _apply_schema(conn, path, schema=schema, version=version, name=name)
    except BaseException:
        conn.close()
        raise
    return conn


def _configure(conn: sqlite3.Connection, path: str | PathLike[str], name: str) -> None:
    try:
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
    except sqlite3.Error as exc:
        raise StoreError(f"cannot configure the {name} database {path}: {exc}") from exc
    expected = "memory" if str(path) == MEMORY_PATH else "wal"
    if str(mode).lower() != expected:
        raise StoreError(
            f"the {name} database {path} could not switch to WAL journal mode (got {mode!r}); "
            "put it on a local file system"
        )


def _apply_schema(
    conn: sqlite3.Connection,
    path: str | PathLike[str],
    *,
    schema: Sequence[str],
    version: int,
    name: str,
) -> None:
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current == version:
        return
    if current != 0:
        raise StoreError(
            f"the {name} database {path} has schema version {current}, but this commshub "
            f"reads version {version}; use a new file or the commshub release that wrote it"
        )
    with transaction(conn):
        for statement in schema:
            conn.execute(statement)
        # PRAGMA does not take parameters; version is an int checked above.
        conn.execute(f"PRAGMA user_version = {int(version)}")
    logger.info("created %s database %s (schema version %d)", name, path, version)


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run the block in one write transaction: commit on success, roll back on any exception.

    BEGIN IMMEDIATE takes the write lock up front, so the block never fails half-way on a lock
    that another connection holds. Nested use is not supported.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
