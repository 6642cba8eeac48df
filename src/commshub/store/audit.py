"""The audit trail: every request, response and alert through the gateway, every firmware
delivery and every scheduled-read retrieval, with UTC timestamps, in SQLite.

Each record is committed (WAL, synchronous=FULL) before :meth:`AuditTrail.append` or
:meth:`AuditWriter.record` returns, so a caller that releases an action only after that call
returns never releases an action whose record a crash could lose. SQLite commits are atomic:
after SIGKILL a record is either wholly present or absent.
"""

from __future__ import annotations

import asyncio
import csv
import json
import logging
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from ipaddress import IPv6Address
from os import PathLike
from typing import Any, Literal, Self, TextIO

from commshub.store.sqlite import StoreError, open_database, transaction

__all__ = [
    "EXPORT_COLUMNS",
    "INTERRUPTED",
    "AuditKind",
    "AuditOutcome",
    "AuditRecord",
    "AuditTrail",
    "AuditWriter",
    "UseCaseName",
    "export_records",
    "normalise_hub",
    "parse_use_case",
    "unconcluded_requests",
]

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1

# A callable that names the use case of a GBCS message code ("CCS01"), or returns None.
UseCaseName = Callable[[int], str | None]


class AuditKind(StrEnum):
    """The kind of step an audit record describes."""

    REQUEST = "request"  # a request from a remote party, accepted or rejected by the gateway
    RESPONSE = "response"  # a response from a hub, or the failure to get one
    ALERT = "alert"  # an alert handed up by a hub
    FIRMWARE_DELIVERY = "firmware_delivery"  # a Category 1 delivery to one hub
    SCHEDULED_READ = "scheduled_read"  # a Category 2 retrieval of cached scheduled reads


class AuditOutcome(StrEnum):
    """The outcome of the audited step."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    SUCCESS = "success"
    FAILURE = "failure"
    COLLAPSED = "collapsed"  # a duplicate alert that was counted but not handed on


_SCHEMA = (
    f"""
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ({", ".join(repr(k.value) for k in AuditKind)})),
        outcome TEXT NOT NULL
            CHECK (outcome IN ({", ".join(repr(o.value) for o in AuditOutcome)})),
        hub TEXT,
        hub_id TEXT,
        client TEXT,
        correlation_id INTEGER,
        category INTEGER CHECK (category BETWEEN 0 AND 255),
        message_code INTEGER CHECK (message_code BETWEEN 0 AND 65535),
        use_case TEXT,
        size INTEGER NOT NULL CHECK (size >= 0),
        frame BLOB,
        detail TEXT NOT NULL
    )
    """,
    "CREATE INDEX audit_at ON audit (at)",
    "CREATE INDEX audit_hub ON audit (hub)",
    "CREATE INDEX audit_hub_id ON audit (hub_id)",
    "CREATE INDEX audit_message_code ON audit (message_code)",
    "CREATE INDEX audit_use_case ON audit (use_case COLLATE NOCASE)",
)

_COLUMNS = (
    "id", "at", "kind", "outcome", "hub", "hub_id", "client", "correlation_id", "category",
    "message_code", "use_case", "size", "frame", "detail",
)

# Timestamps are stored as fixed-width ISO 8601 UTC text, so text order is time order.
_AT_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"

_UINT64_LIMIT = 1 << 64
_INT64_LIMIT = 1 << 63


@dataclass(frozen=True)
class AuditRecord:
    """One audit trail row.

    ``hub`` is the hub's network address (or the group selector of a bulk request), ``hub_id``
    the CHF EUI-64 in hex when known, ``client`` the remote party's client name, ``frame`` the
    bytes carried (None when no frame was carried) and ``id`` the row number once stored.
    """

    kind: AuditKind
    outcome: AuditOutcome
    at: datetime
    hub: str | None = None
    hub_id: str | None = None
    client: str | None = None
    correlation_id: int | None = None
    category: int | None = None
    message_code: int | None = None
    use_case: str | None = None
    frame: bytes | None = field(default=None, repr=False)
    detail: str = ""
    id: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", AuditKind(self.kind))
        object.__setattr__(self, "outcome", AuditOutcome(self.outcome))
        if self.at.tzinfo is None:
            raise ValueError("audit timestamps must be timezone-aware (UTC)")
        if self.correlation_id is not None and not 0 <= self.correlation_id < _UINT64_LIMIT:
            raise ValueError(f"correlation id {self.correlation_id} is not an unsigned 64-bit value")

    @property
    def size(self) -> int:
        """Length in bytes of the frame carried (0 when none)."""
        return len(self.frame) if self.frame is not None else 0

    def to_json(self, *, include_frame: bool = False) -> dict[str, Any]:
        """Return the record as a JSON-ready dict with the keys of :data:`EXPORT_COLUMNS`."""
        out: dict[str, Any] = {
            "id": self.id,
            "at": _format_at(self.at),
            "kind": self.kind.value,
            "outcome": self.outcome.value,
            "hub": self.hub,
            "hub_id": self.hub_id,
            "client": self.client,
            "correlation_id": self.correlation_id,
            "category": self.category,
            "message_code": None if self.message_code is None else f"0x{self.message_code:04X}",
            "use_case": self.use_case,
            "size": self.size,
            "detail": self.detail,
        }
        if include_frame:
            out["frame"] = None if self.frame is None else self.frame.hex().upper()
        return out


EXPORT_COLUMNS = (
    "id", "at", "kind", "outcome", "hub", "hub_id", "client", "correlation_id", "category",
    "message_code", "use_case", "size", "detail",
)


def _format_at(at: datetime) -> str:
    return at.astimezone(UTC).strftime(_AT_FORMAT)


def _to_datetime(value: datetime | float) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"timestamp {value.isoformat()} has no time zone; give it in UTC")
        return value.astimezone(UTC)
    return datetime.fromtimestamp(value, UTC)


def _to_millisecond(moment: datetime) -> datetime:
    # A virtual clock's float seconds carry binary noise (12.449999 for 12.45): round it away.
    milliseconds = round(moment.microsecond / 1000)
    return moment.replace(microsecond=0) + timedelta(milliseconds=milliseconds)


def _to_signed(value: int | None) -> int | None:
    # SQLite integers are signed 64-bit; unsigned values from the top half are stored negative.
    if value is None:
        return None
    return value - _UINT64_LIMIT if value >= _INT64_LIMIT else value


def _to_unsigned(value: int | None) -> int | None:
    if value is None:
        return None
    return value + _UINT64_LIMIT if value < 0 else value


def normalise_hub(text: str) -> str:
    """Return the stored spelling of a hub: the compressed IPv6 form, the upper-case EUI-64 in
    hex, or other text (a group selector) unchanged."""
    text = text.strip()
    try:
        return str(IPv6Address(text))
    except ValueError:
        pass
    eui = re.sub(r"[-:\s]", "", text)
    return eui.upper() if _EUI_PATTERN.match(eui) else text


_EUI_PATTERN = re.compile(r"^[0-9a-fA-F]{16}$")
_CODE_PATTERN = re.compile(r"^(0[xX][0-9a-fA-F]{1,4}|[0-9]{1,5})$")


def parse_use_case(text: str) -> tuple[int | None, str | None]:
    """Split a use case filter into (message code, name): ``"0x0001"`` or ``"1"`` give a code,
    anything else (``"CCS01"``) a name."""
    text = text.strip()
    if _CODE_PATTERN.match(text):
        code = int(text, 0)
        if code > 0xFFFF:
            raise ValueError(f"message code {text} does not fit in 2 bytes")
        return code, None
    return None, text


class AuditTrail:
    """The audit trail database: append records, query them, export them.

    ``use_case_name`` names a message code when a record carries a code but no use case.
    ``clock`` gives the time (Unix seconds) for records appended without one. Methods are
    thread-safe; each append is one transaction, committed when the call returns.
    """

    def __init__(
        self,
        path: str | PathLike[str],
        *,
        use_case_name: UseCaseName | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = path
        self._use_case_name = use_case_name
        self._clock = clock
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = open_database(
            path, schema=_SCHEMA, version=SCHEMA_VERSION, name="audit trail"
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database; later calls raise StoreError."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"the audit trail {self.path} is closed")
        return self._conn

    def record(
        self,
        kind: AuditKind | str,
        outcome: AuditOutcome | str,
        *,
        at: datetime | float | None = None,
        **fields: Any,
    ) -> AuditRecord:
        """Append one record built from the arguments; return it with its id once committed."""
        record = self.make_record(kind, outcome, at=at, **fields)
        return self.append([record])[0]

    def make_record(
        self,
        kind: AuditKind | str,
        outcome: AuditOutcome | str,
        *,
        at: datetime | float | None = None,
        **fields: Any,
    ) -> AuditRecord:
        """Build a record (not stored) stamped with ``at`` or the trail's clock, to the
        millisecond."""
        when = _to_millisecond(_to_datetime(self._clock() if at is None else at))
        return AuditRecord(AuditKind(kind), AuditOutcome(outcome), when, **fields)

    def append(self, records: Sequence[AuditRecord]) -> list[AuditRecord]:
        """Store ``records`` in one transaction; return them with ids, after the commit."""
        rows = [self._row(record) for record in records]
        with self._lock:
            conn = self._connection()
            stored: list[AuditRecord] = []
            try:
                with transaction(conn):
                    for record, row in zip(records, rows):
                        cursor = conn.execute(
                            f"INSERT INTO audit ({', '.join(_COLUMNS[1:])}) "
                            f"VALUES ({', '.join('?' * (len(_COLUMNS) - 1))})",
                            row,
                        )
                        stored.append(replace(record, id=cursor.lastrowid, use_case=row[9]))
            except sqlite3.Error as exc:
                raise StoreError(f"cannot write to the audit trail {self.path}: {exc}") from exc
        return stored

    def _row(self, record: AuditRecord) -> tuple[Any, ...]:
        use_case = record.use_case
        if use_case is None and record.message_code is not None and self._use_case_name:
            use_case = self._use_case_name(record.message_code)
        return (
            _format_at(record.at), record.kind.value, record.outcome.value, record.hub,
            record.hub_id, record.client, _to_signed(record.correlation_id), record.category,
            record.message_code, use_case, record.size, record.frame, record.detail,
        )

    def query(
        self,
        *,
        hub: str | None = None,
        use_case: str | int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        outcome: AuditOutcome | str | Iterable[AuditOutcome | str] | None = None,
        kind: AuditKind | str | Iterable[AuditKind | str] | None = None,
        limit: int | None = None,
    ) -> list[AuditRecord]:
        """Return matching records in the order they were stored.

        ``hub`` matches the network address or the CHF EUI-64. ``use_case`` is a message code
        (int, ``"0x0001"``) or a name (``"CCS01"``, case-insensitive). ``since`` is inclusive,
        ``until`` exclusive.
        """
        clauses: list[str] = []
        params: list[Any] = []
        if hub is not None:
            clauses.append("(hub = ? OR hub_id = ?)")
            params += [normalise_hub(hub), normalise_hub(hub)]
        if use_case is not None:
            code, name = (use_case, None) if isinstance(use_case, int) else parse_use_case(use_case)
            if code is not None:
                clauses.append("message_code = ?")
                params.append(code)
            else:
                clauses.append("use_case = ? COLLATE NOCASE")
                params.append(name)
        if since is not None:
            clauses.append("at >= ?")
            params.append(_format_at(_to_datetime(since)))
        if until is not None:
            clauses.append("at < ?")
            params.append(_format_at(_to_datetime(until)))
        for column, value, enum in (("outcome", outcome, AuditOutcome), ("kind", kind, AuditKind)):
            if value is None:
                continue
            values = [value] if isinstance(value, str) else list(value)
            checked = [enum(v).value for v in values]
            clauses.append(f"{column} IN ({', '.join('?' * len(checked))})")
            params += checked
        sql = f"SELECT {', '.join(_COLUMNS)} FROM audit"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self._lock:
            rows = self._connection().execute(sql, params).fetchall()
        return [_record_from_row(row) for row in rows]


def _record_from_row(row: Sequence[Any]) -> AuditRecord:
    values = dict(zip(_COLUMNS, row))
    return AuditRecord(
        kind=AuditKind(values["kind"]),
        outcome=AuditOutcome(values["outcome"]),
        at=datetime.fromisoformat(values["at"]),
        hub=values["hub"],
        hub_id=values["hub_id"],
        client=values["client"],
        correlation_id=_to_unsigned(values["correlation_id"]),
        category=values["category"],
        message_code=values["message_code"],
        use_case=values["use_case"],
        frame=None if values["frame"] is None else bytes(values["frame"]),
        detail=values["detail"],
        id=values["id"],
    )


def export_records(
    records: Iterable[AuditRecord],
    stream: TextIO,
    fmt: Literal["csv", "jsonl"],
    *,
    include_frames: bool = False,
) -> int:
    """Write ``records`` to ``stream`` as CSV (with a header row) or JSON lines; return the count.

    Frames are written as upper-case hex in a ``frame`` column when ``include_frames`` is set.
    """
    columns = [*EXPORT_COLUMNS, "frame"] if include_frames else list(EXPORT_COLUMNS)
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(stream, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for record in records:
            row = record.to_json(include_frame=include_frames)
            writer.writerow({key: "" if row[key] is None else row[key] for key in columns})
            count += 1
    elif fmt == "jsonl":
        for record in records:
            stream.write(json.dumps(record.to_json(include_frame=include_frames)) + "\n")
            count += 1
    else:
        raise ValueError(f"unknown export format {fmt!r}; expected 'csv' or 'jsonl'")
    return count


# Detail prefix of the failure recorded for a request a restart interrupted; such a record
# concludes every open delivery of its request, a group request's included.
INTERRUPTED = "INTERRUPTED"
_TARGETS = re.compile(r"^(\d+) target hub")


def unconcluded_requests(records: Iterable[AuditRecord]) -> list[AuditRecord]:
    """Return the accepted requests among ``records`` (in stored order) that no record
    concludes: a request to N hubs is concluded by N final responses or failures carrying its
    client and correlation id, or by one failure whose detail starts with ``INTERRUPTED``.

    A process killed while requests were in flight leaves these behind; the gateway that
    starts next concludes them (see docs/wan-interface.md, "Restarts").
    """
    open_: dict[tuple[str | None, int | None], list[Any]] = {}
    for record in records:
        key = (record.client, record.correlation_id)
        if record.kind is AuditKind.REQUEST and record.outcome is AuditOutcome.ACCEPTED:
            match = _TARGETS.match(record.detail)
            open_[key] = [record, int(match.group(1)) if match else 1]
            continue
        entry = open_.get(key)
        if entry is None or record.kind is not AuditKind.RESPONSE:
            continue
        if record.outcome is AuditOutcome.FAILURE and record.detail.startswith(INTERRUPTED):
            entry[1] = 0
        elif record.outcome is AuditOutcome.FAILURE or (
                record.outcome is AuditOutcome.SUCCESS and record.detail == "final"):
            entry[1] -= 1
        if entry[1] <= 0:
            del open_[key]
    return sorted((entry[0] for entry in open_.values()), key=lambda r: r.id or 0)


_Pending = tuple[AuditRecord, "asyncio.Future[AuditRecord]", asyncio.AbstractEventLoop]


class AuditWriter:
    """An asyncio front end to an :class:`AuditTrail` that commits in groups.

    ``await writer.record(record)`` returns once the record is committed. Records submitted
    while a commit is in progress are committed together in the next transaction (group
    commit), so one fsync covers many records without weakening the guarantee. The commits run
    in one background thread so the event loop never waits on the disk.
    """

    def __init__(self, trail: AuditTrail, *, max_batch: int = 512) -> None:
        self.trail = trail
        self._max_batch = max_batch
        self._pending: list[_Pending] = []
        self._condition = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
        self._thread.start()

    async def record(self, record: AuditRecord) -> AuditRecord:
        """Commit ``record``; return it with its id. Raises StoreError if the write fails."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[AuditRecord] = loop.create_future()
        with self._condition:
            if self._closed:
                raise StoreError(f"the audit writer for {self.trail.path} is closed")
            self._pending.append((record, future, loop))
            self._condition.notify()
        return await future

    def make_record(
        self, kind: AuditKind | str, outcome: AuditOutcome | str, **fields: Any
    ) -> AuditRecord:
        """Build a record (not stored); see :meth:`AuditTrail.make_record`."""
        return self.trail.make_record(kind, outcome, **fields)

    async def close(self) -> None:
        """Commit what is pending, then stop the writer thread. The trail stays open."""
        with self._condition:
            self._closed = True
            self._condition.notify()
        await asyncio.to_thread(self._thread.join)

    def _run(self) -> None:
        while True:
            with self._condition:
                while not self._pending and not self._closed:
                    self._condition.wait()
                if not self._pending:
                    return
                batch = self._pending[: self._max_batch]
                del self._pending[: self._max_batch]
            try:
                stored = self.trail.append([record for record, _, _ in batch])
            except StoreError as exc:
                logger.error("audit trail write of %d records failed: %s", len(batch), exc)
                for _, future, loop in batch:
                    _resolve(loop, future, exc)
                continue
            for (_, future, loop), record in zip(batch, stored):
                _resolve(loop, future, record)


def _resolve(
    loop: asyncio.AbstractEventLoop,
    future: asyncio.Future[AuditRecord],
    outcome: AuditRecord | BaseException,
) -> None:
    def settle() -> None:
        if future.done():  # the awaiting task was cancelled; the record is stored regardless
            return
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)

    try:
        loop.call_soon_threadsafe(settle)
    except RuntimeError:
        # The loop closed while the commit ran; nobody is waiting for the result.
        pass
