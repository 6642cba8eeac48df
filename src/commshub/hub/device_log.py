"""The CHF device log (the HAN whitelist) and the CHF historic device log.

Facts from the GBCS use-case tables for CCS01, CCS02, CCS03 and CS14:

- The device log holds up to 16 devices (arrays ``[0..16]`` in CS14 and CCS06).
- CCS01 adds a device with its 16-byte install code (sent without its CRC); a device already in
  the log keeps its entry and the command still succeeds.
- CCS02 removes a device. If it had established a TC link key, the CHF first records
  {EUI, TC link key} in the historic device log (updating an entry for the same EUI); with 15
  entries there already, the oldest is overwritten.
- A device added again by CCS01 while in the historic log may join with its historic key.

The TC link key itself is the key derived from the install code (AES-MMO of code and CRC);
commshub does not emulate CBKE, so no other key replaces it. CS14 and CCS07 carry the
AES-MMO hash of that key, never the key.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from typing import Any

from commshub.codecs.zigbee.security import aes_mmo_hash
from commshub.hub.persistence import Records, dump_json, load_json

__all__ = [
    "DEVICE_LOG_MAX",
    "GPF_DEVICE_TYPE",
    "HISTORIC_LOG_MAX",
    "AddOutcome",
    "DeviceLog",
    "HistoricDevice",
    "HistoricLog",
    "LoggedDevice",
    "hash_link_key",
]

DEVICE_LOG_MAX = 16  # GBCS CS14/CCS06 arrays [0..16]
HISTORIC_LOG_MAX = 15  # GBCS CCS02: "If there are already 15 entries ... overwrite the oldest"
# register_device device_type (DLMS enumeration in CCS01): the CHF "shall support 254 for GPF".
GPF_DEVICE_TYPE = 254


@dataclass(frozen=True, slots=True)
class LoggedDevice:
    """One entry of the CHF device log.

    ``install_code`` is the 16-byte code without CRC (empty for entries restored by CCS03).
    ``tc_link_key`` is the key the device joined with (empty before it joins). An entry
    restored by CCS03 carries only ``restored_hash``, the hash from the backup, until the device
    joins again. ``historic_key`` is a TC link key from the historic log that the device may
    join with after CCS01 added it back.
    """

    eui: bytes
    device_type: int
    install_code: bytes
    added_at: int
    tc_link_key: bytes = b""
    restored_hash: bytes = b""
    historic_key: bytes = b""

    @property
    def key_hash(self) -> bytes:
        """The hashed TC link key CS14 and CCS07 report: empty until the device has joined."""
        if self.tc_link_key:
            return hash_link_key(self.tc_link_key)
        return self.restored_hash

    def to_record(self) -> bytes:
        return dump_json({
            "eui": self.eui, "device_type": self.device_type, "install_code": self.install_code,
            "added_at": self.added_at, "tc_link_key": self.tc_link_key,
            "restored_hash": self.restored_hash, "historic_key": self.historic_key,
        })

    @classmethod
    def from_record(cls, data: bytes) -> LoggedDevice:
        value: dict[str, Any] = load_json(data)
        return cls(
            bytes.fromhex(value["eui"]), value["device_type"],
            bytes.fromhex(value["install_code"]), value["added_at"],
            bytes.fromhex(value["tc_link_key"]), bytes.fromhex(value["restored_hash"]),
            bytes.fromhex(value["historic_key"]),
        )

    def __repr__(self) -> str:
        # Keys and install codes stay out of logs and tracebacks.
        return f"LoggedDevice({self.eui.hex()}, type={self.device_type}, joined={bool(self.tc_link_key)})"


def hash_link_key(link_key: bytes) -> bytes:
    """Return the hashed TC link key of CS14 and CCS07: the AES-MMO hash of the key.

    NOTE: GBCS defines the hash in a clause that no public source quotes; commshub uses the
    ZigBee AES-MMO hash (the one install codes use), which gives the 16 octets the use cases carry.
    """
    return aes_mmo_hash(link_key)


@dataclass(frozen=True, slots=True)
class HistoricDevice:
    """One entry of the CHF historic device log: a removed device's TC link key.

    ``sequence`` orders the entries by when they were written, so the oldest can be
    overwritten.
    """

    eui: bytes
    tc_link_key: bytes
    sequence: int

    def to_record(self) -> bytes:
        return dump_json({"eui": self.eui, "tc_link_key": self.tc_link_key, "sequence": self.sequence})

    @classmethod
    def from_record(cls, data: bytes) -> HistoricDevice:
        value: dict[str, Any] = load_json(data)
        return cls(bytes.fromhex(value["eui"]), bytes.fromhex(value["tc_link_key"]), value["sequence"])

    def __repr__(self) -> str:
        return f"HistoricDevice({self.eui.hex()}, sequence={self.sequence})"


class AddOutcome(enum.Enum):
    ADDED = "added"
    ALREADY_PRESENT = "already_present"
    FULL = "full"


class HistoricLog:
    """The CHF historic device log: up to 15 {EUI, TC link key}, oldest overwritten."""

    def __init__(self, entries: dict[bytes, HistoricDevice] | None = None) -> None:
        self._entries: dict[bytes, HistoricDevice] = dict(entries or {})

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, eui: object) -> bool:
        return eui in self._entries

    def get(self, eui: bytes) -> HistoricDevice | None:
        return self._entries.get(eui)

    def entries(self) -> list[HistoricDevice]:
        """Return the entries, oldest first."""
        return sorted(self._entries.values(), key=lambda entry: entry.sequence)

    def record(self, eui: bytes, tc_link_key: bytes) -> HistoricDevice | None:
        """Record or update ``eui``; return the entry overwritten to make room, if any."""
        sequence = max((entry.sequence for entry in self._entries.values()), default=0) + 1
        evicted = None
        if eui not in self._entries and len(self._entries) >= HISTORIC_LOG_MAX:
            evicted = self.entries()[0]
            del self._entries[evicted.eui]
        self._entries[eui] = HistoricDevice(eui, tc_link_key, sequence)
        return evicted

    def records(self) -> Records:
        return {entry.eui.hex(): entry.to_record() for entry in self._entries.values()}

    @classmethod
    def from_records(cls, records: Records) -> HistoricLog:
        entries = (HistoricDevice.from_record(value) for value in records.values())
        return cls({entry.eui: entry for entry in entries})


class DeviceLog:
    """The CHF device log: up to 16 devices in the order they were added."""

    def __init__(self, entries: list[LoggedDevice] | None = None) -> None:
        self._entries: dict[bytes, LoggedDevice] = {entry.eui: entry for entry in entries or []}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, eui: object) -> bool:
        return eui in self._entries

    def __iter__(self) -> Any:
        return iter(list(self._entries.values()))

    def get(self, eui: bytes) -> LoggedDevice | None:
        return self._entries.get(eui)

    def add(self, device: LoggedDevice) -> AddOutcome:
        if device.eui in self._entries:
            return AddOutcome.ALREADY_PRESENT
        if len(self._entries) >= DEVICE_LOG_MAX:
            return AddOutcome.FULL
        self._entries[device.eui] = device
        return AddOutcome.ADDED

    def remove(self, eui: bytes) -> LoggedDevice | None:
        return self._entries.pop(eui, None)

    def set_link_key(self, eui: bytes, tc_link_key: bytes) -> tuple[bool, bool]:
        """Record the TC link key ``eui`` joined with.

        Returns (entry changed, hashed key changed): CS14 is due only when the hash changed.
        """
        entry = self._entries[eui]
        updated = replace(entry, tc_link_key=tc_link_key, restored_hash=b"", historic_key=b"")
        self._entries[eui] = updated
        return updated != entry, updated.key_hash != entry.key_hash

    def replace_all(self, entries: list[LoggedDevice]) -> None:
        if len(entries) > DEVICE_LOG_MAX:
            raise ValueError(f"a device log has at most {DEVICE_LOG_MAX} devices, got {len(entries)}")
        self._entries = {entry.eui: entry for entry in entries}

    def records(self) -> Records:
        # Keys carry the position so that a rebuilt log keeps the order devices were added in.
        return {
            f"{index:02d}:{entry.eui.hex()}": entry.to_record()
            for index, entry in enumerate(self._entries.values())
        }

    @classmethod
    def from_records(cls, records: Records) -> DeviceLog:
        return cls([LoggedDevice.from_record(records[key]) for key in sorted(records)])
