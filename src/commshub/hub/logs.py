"""Bounded logs kept in non-volatile memory: the CHF event log and the CHF security log.

Each entry is {UTC time, GBCS event or alert code, other information}, the layout that ECS35c
returns from the CHF event log (DLMS profile generic 0-0:99.98.0.255) and ECS35d from the
security log (0-0:99.98.1.255). When a log is full the oldest entry is overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from commshub.hub.persistence import Records, dump_json, load_json

__all__ = ["BoundedLog", "EventCode", "LogEntry"]


class EventCode:
    """GBCS event and alert codes the CHF writes to its own logs (GBCS alert code table)."""

    DEVICE_JOINING_FAILED = 0x8F48
    DEVICE_JOINING_SUCCEEDED = 0x8F49
    DEVICE_UNJOINING_SUCCEEDED = 0x8F4B
    CHF_DEVICE_LOG_CHANGED = 0x8F12
    EVENT_LOG_CLEARED = 0x8F52
    FIRMWARE_VERIFICATION_FAILED = 0x8F1C
    FIRMWARE_VERIFICATION_SUCCESSFUL = 0x8F72
    FIRMWARE_VERSION_CHANGED = 0x8F43
    SOURCE_NOT_AUTHORISED = 0x8F30
    TRUSTED_SOURCE_AUTHENTICATION_FAILURE = 0x8F3D
    COMMAND_INTEGRITY_FAILED = 0x8F1E
    AUTHENTICATION_OR_AUTHORISATION_FAILED = 0x8F53
    UNAUTHORISED_COMMUNICATION_ACCESS = 0x8F3E
    CLOCK_ADJUSTED = 0x8145
    GSME_COMMAND_NOT_RETRIEVED = 0x819D


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One log entry; ``sequence`` orders entries written in the same second."""

    sequence: int
    at: int
    code: int
    info: bytes = b""

    def to_record(self) -> bytes:
        return dump_json({"sequence": self.sequence, "at": self.at, "code": self.code, "info": self.info})

    @classmethod
    def from_record(cls, data: bytes) -> LogEntry:
        value: dict[str, Any] = load_json(data)
        return cls(value["sequence"], value["at"], value["code"], bytes.fromhex(value["info"]))


class BoundedLog:
    """A log of at most ``capacity`` entries; appending to a full log drops the oldest."""

    def __init__(self, capacity: int, entries: list[LogEntry] | None = None) -> None:
        if capacity < 1:
            raise ValueError(f"log capacity must be >= 1, got {capacity}")
        self.capacity = capacity
        self._entries: list[LogEntry] = sorted(entries or [], key=lambda e: e.sequence)[-capacity:]
        self._next = self._entries[-1].sequence + 1 if self._entries else 1

    def __len__(self) -> int:
        return len(self._entries)

    def append(self, at: int, code: int, info: bytes = b"") -> LogEntry:
        entry = LogEntry(self._next, at, code, info)
        self._next += 1
        self._entries.append(entry)
        if len(self._entries) > self.capacity:
            del self._entries[0]
        return entry

    def entries(self, start: int | None = None, end: int | None = None) -> list[LogEntry]:
        """Entries oldest first, limited to ``start <= at <= end`` when given."""
        return [
            entry for entry in self._entries
            if (start is None or entry.at >= start) and (end is None or entry.at <= end)
        ]

    def clear(self) -> int:
        """Remove every entry; return how many there were."""
        count = len(self._entries)
        self._entries.clear()
        return count

    def records(self) -> Records:
        records = {f"{entry.sequence:012d}": entry.to_record() for entry in self._entries}
        # The sequence counter survives an empty log, so entries stay ordered after a clear.
        records["next"] = str(self._next).encode()
        return records

    @classmethod
    def from_records(cls, capacity: int, records: Records) -> BoundedLog:
        log = cls(capacity, [LogEntry.from_record(v) for k, v in records.items() if k != "next"])
        if "next" in records:
            log._next = max(log._next, int(records["next"]))
        return log
