"""The event and security logs of a virtual gas meter (GSME) and its event configuration, as the
ZCL Events and Device Management clusters read and set them (Smart Energy 1.4).

A log holds the meter's own entries (joins, firmware, commands it rejected) and a background of
events the emulator does not model in detail (clock checks, valve and battery events,
communication attempts). That background is a seeded stream: in every six-hour slot an event
may occur at a pseudo-random second, with a code drawn from the log's codes. It runs from the
start of the meter's synthetic history up to the time of a read, so a log reads the same in
every run with the same seed. Clearing a log hides what came before.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace

__all__ = [
    "ALL_EVENTS_OF_GROUP",
    "EVENT_CONFIGURATION",
    "LOG_BITS",
    "LOG_CAPACITY",
    "EventConfiguration",
    "EventLogId",
    "GsmeLogs",
    "LogEntry",
    "events_of_group",
]

LOG_CAPACITY = 100  # entries per log; the GSME's figure is not in the public material
_SLOT = 6 * 3600  # seconds: one background event at most per slot
_SLOT_CHANCE = 192  # of 256: the share of slots that hold a background event
# Security log events of the background: unauthorised communication access attempted, command
# integrity failure, authentication failure, and clock not adjusted (GBCS alert code table).
_SECURITY_CODES: tuple[int, ...] = (0x8F3E, 0x8F1E, 0x8F53, 0x8F0C)


class EventLogId(enum.IntEnum):
    """Log IDs of the Events cluster (Smart Energy 1.4)."""

    ALL = 0x0
    TAMPER = 0x1
    FAULT = 0x2
    GENERAL = 0x3
    SECURITY = 0x4
    NETWORK = 0x5


# Bits 0-2 of an Event Configuration: the log an event goes to, an EventLogId (0: not logged).
LOG_BITS = 0x07


class EventConfiguration(enum.IntFlag):
    """Event Configuration bits above the log ID (Smart Energy 1.4)."""

    PUSH_TO_WAN = 0x08
    PUSH_TO_HAN = 0x10
    RAISE_ALARM_ZIGBEE = 0x20
    RAISE_ALARM_PHYSICAL = 0x40


# The configurable events of the meter with their factory configuration: the GBCS events in
# the 0x81xx range that the reference GSME of the DCC RTDS 4.5.0 reports in GCS20r.
EVENT_CONFIGURATION: Mapping[int, int] = {
    0x810D: 0x18, 0x810E: 0x08, 0x8119: 0x18, 0x8145: 0x03, 0x8154: 0x03, 0x8155: 0x03, 0x8161: 0x03,
    0x8162: 0x03, 0x8168: 0x10, 0x8183: 0x0B, 0x8184: 0x0B, 0x81A0: 0x0B, 0x81A1: 0x0B, 0x81A4: 0x0B,
    0x81A5: 0x0B, 0x81A6: 0x0B, 0x81A7: 0x0B, 0x81A8: 0x0B, 0x81A9: 0x0B, 0x81AA: 0x1B, 0x81AB: 0x1B,
    0x81AC: 0x0B, 0x81AD: 0x0B, 0x81AE: 0x0B, 0x81AF: 0x0B, 0x81B0: 0x0B, 0x81B1: 0x0B, 0x81B2: 0x0B,
    0x81B3: 0x0B, 0x81B4: 0x0B, 0x81B5: 0x0B, 0x81B6: 0x0B, 0x81B9: 0x0B, 0x81BA: 0x0B, 0x81BC: 0x0B,
    0x81BD: 0x0B, 0x81BE: 0x0B, 0x81BF: 0x0B, 0x81C0: 0x0B, 0x81C2: 0x0B, 0x81C3: 0x0B, 0x81C4: 0x1B,
    0x81C5: 0x0B, 0x81C6: 0x03,
}
# An event ID whose low octet is 0xFF names every event of the group in its high octet (the
# DCC RTDS 4.5.0 GCS20r command reads event 0x81FF).
ALL_EVENTS_OF_GROUP = 0xFF


def events_of_group(configuration: Mapping[int, int], event_id: int) -> list[int]:
    """Return the configured events an event ID names: itself, or its whole group."""
    if event_id & 0xFF == ALL_EVENTS_OF_GROUP:
        return sorted(code for code in configuration if code >> 8 == event_id >> 8)
    return [event_id] if event_id in configuration else []


@dataclass(frozen=True)
class LogEntry:
    """One log entry: UTC seconds since 1970, event code and event data."""

    at: int
    code: int
    data: bytes = b""


@dataclass(frozen=True)
class GsmeLogs:
    """The general event log and the security log: the background stream from ``begin`` on,
    the meter's own entries, and when each log was last cleared."""

    seed: int
    begin: int
    general: tuple[LogEntry, ...] = ()
    security: tuple[LogEntry, ...] = ()
    general_cleared: int | None = None
    security_cleared: int | None = None

    def record(self, log_id: EventLogId, entry: LogEntry) -> GsmeLogs:
        """Return the logs with ``entry`` appended to the general or the security log."""
        if log_id is EventLogId.SECURITY:
            return replace(self, security=(*self.security, entry)[-LOG_CAPACITY:])
        return replace(self, general=(*self.general, entry)[-LOG_CAPACITY:])

    def cleared(self, log_id: EventLogId, at: int) -> GsmeLogs:
        """Return the logs with the general or security log (or both, for ALL) emptied at ``at``."""
        logs = self
        if log_id in (EventLogId.ALL, EventLogId.GENERAL):
            logs = replace(logs, general=(), general_cleared=at)
        if log_id in (EventLogId.ALL, EventLogId.SECURITY):
            logs = replace(logs, security=(), security_cleared=at)
        return logs

    def entries(self, log_id: EventLogId, now: int, configuration: Mapping[int, int]) -> list[LogEntry]:
        """Return the entries of a log at ``now``, oldest first, at most :data:`LOG_CAPACITY`."""
        if log_id is EventLogId.SECURITY:
            own, cleared, codes = self.security, self.security_cleared, _SECURITY_CODES
        else:
            own, cleared = self.general, self.general_cleared
            codes = tuple(sorted(code for code, value in configuration.items()
                                 if value & LOG_BITS == EventLogId.GENERAL))
        # Clearing empties the meter's own entries, so only the background needs the bound.
        low = self.begin if cleared is None else max(self.begin, cleared + 1)
        found = [entry for entry in own if entry.at <= now]
        slot = now - now % _SLOT
        background: list[LogEntry] = []
        while slot >= low - _SLOT and len(background) < LOG_CAPACITY and codes:
            entry = self._background(int(log_id), slot, codes)
            if entry is not None and low <= entry.at <= now:
                background.append(entry)
            slot -= _SLOT
        merged = sorted([*found, *background], key=lambda entry: entry.at)
        return merged[-LOG_CAPACITY:]

    def _background(self, log_id: int, slot: int, codes: tuple[int, ...]) -> LogEntry | None:
        digest = hashlib.blake2b(f"{self.seed}:{log_id}:{slot}".encode(), digest_size=8).digest()
        if digest[0] >= _SLOT_CHANCE:
            return None
        offset = int.from_bytes(digest[1:4], "big") % _SLOT
        return LogEntry(slot + offset, codes[int.from_bytes(digest[4:6], "big") % len(codes)])
