"""Everything a hub remembers, split into what survives a power cut and what does not.

:class:`HubState` contains the parts; each non-volatile part maps to one NVM table (see
:data:`NVM_TABLES`). Code that changes a non-volatile part calls :meth:`HubState.touch` with
the table's name, and the hub turns the touched tables into one PersistState per event.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from commshub.hub.device_log import DeviceLog, HistoricLog
from commshub.hub.logs import BoundedLog
from commshub.hub.outbox import Outbox
from commshub.hub.persistence import Image, Records, dump_json, load_json
from commshub.hub.settings import HubIdentity, HubSettings
from commshub.hub.transitions import (
    JoinState,
    LifecycleState,
    PowerState,
    RunState,
    WanLinkState,
)

__all__ = [
    "NVM_TABLES",
    "VOLATILE_TIMERS",
    "DeviceStats",
    "HubState",
    "Lifecycle",
    "Power",
]

# Timers (by name prefix) that a power cut forgets; every other timer is kept in NVM and
# re-armed on Started.
VOLATILE_TIMERS = ("join_window", "time:")


@dataclass(frozen=True, slots=True)
class Lifecycle:
    """Installation and activation record."""

    state: LifecycleState = LifecycleState.NOT_INSTALLED
    network_address: str | None = None
    installed_at: int | None = None
    strength_dbm: int | None = None
    quality: int | None = None
    packet_loss_percent: float | None = None
    activation_attempts: int = 0
    activated_at: int | None = None

    def to_record(self) -> bytes:
        return dump_json({
            "state": self.state.value, "network_address": self.network_address,
            "installed_at": self.installed_at, "strength_dbm": self.strength_dbm,
            "quality": self.quality, "packet_loss_percent": self.packet_loss_percent,
            "activation_attempts": self.activation_attempts, "activated_at": self.activated_at,
        })

    @classmethod
    def from_record(cls, data: bytes) -> Lifecycle:
        value: dict[str, Any] = load_json(data)
        return cls(LifecycleState(value.pop("state")), **value)


@dataclass(frozen=True, slots=True)
class Power:
    """Mains power record: ``lost_at`` is the last-gasp time of an outage in progress and
    ``alert_sent`` whether its power outage alert went out (so a restore alert is owed)."""

    state: PowerState = PowerState.MAINS_ON
    lost_at: int | None = None
    alert_sent: bool = False

    def to_record(self) -> bytes:
        return dump_json({"state": self.state.value, "lost_at": self.lost_at, "alert_sent": self.alert_sent})

    @classmethod
    def from_record(cls, data: bytes) -> Power:
        value: dict[str, Any] = load_json(data)
        return cls(PowerState(value["state"]), value["lost_at"], value["alert_sent"])


@dataclass(slots=True)
class DeviceStats:
    """Radio statistics of one HAN device since the hub started (for CCS06); not kept in NVM."""

    rssi: list[int] = field(default_factory=list)
    lqi: list[int] = field(default_factory=list)
    last_communication: int | None = None
    successes: int = 0
    failures: int = 0

    def record(self, at: int, rssi: int | None, lqi: int | None) -> None:
        self.last_communication = at
        self.successes += 1
        if rssi is not None:
            self.rssi = (self.rssi + [rssi])[-_STATS_WINDOW:]
        if lqi is not None:
            self.lqi = (self.lqi + [lqi])[-_STATS_WINDOW:]


_STATS_WINDOW = 64  # frames the CCS06 min/avg/max are taken over


class HubState:
    """The parts of one hub. Non-volatile parts are rebuilt by :meth:`from_image`."""

    def __init__(self, identity: HubIdentity, settings: HubSettings) -> None:
        self.identity = identity
        self.settings = settings
        # non-volatile
        self.lifecycle = Lifecycle()
        self.power = Power()
        self.firmware_version = settings.firmware_version
        self.clock_offset = 0
        self.counters: dict[bytes, int] = {}  # remote party -> last accepted originator counter
        self.alert_counter = settings.first_alert_counter
        self.device_log = DeviceLog()
        self.historic_log = HistoricLog()
        self.event_log = BoundedLog(settings.event_log_capacity)
        self.security_log = BoundedLog(settings.security_log_capacity)
        self.outbox = Outbox()
        self.timers: dict[str, int] = {}  # name -> deadline (driver clock, seconds)
        self.extra: dict[str, dict[str, bytes]] = {}  # tables owned by feature modules
        # volatile
        self.run = RunState.HALTED
        self.wan_link = WanLinkState.DOWN
        self.join = JoinState.CLOSED
        self.join_timeout = 0
        self.device_stats: dict[bytes, DeviceStats] = {}
        # Other volatile parts, by feature: open tunnels, OTA transfers, assembled images.
        self.volatile: dict[str, Any] = {}
        self.now = 0  # driver clock of the last event
        self._dirty: set[str] = set()

    # --- dirty tracking ------------------------------------------------------------------

    def touch(self, *tables: str) -> None:
        for table in tables:
            if table not in NVM_TABLES:
                raise KeyError(f"{table!r} is not an NVM table; known: {', '.join(NVM_TABLES)}")
            self._dirty.add(table)

    def take_dirty(self) -> list[str]:
        dirty = sorted(self._dirty)
        self._dirty.clear()
        return dirty

    def touch_all(self) -> None:
        self._dirty.update(NVM_TABLES)

    # --- clock ---------------------------------------------------------------------------

    @property
    def utc(self) -> int:
        """The hub's UTC clock: the driver's clock plus the time client's correction."""
        return self.now + self.clock_offset

    # --- records -------------------------------------------------------------------------

    def records(self, table: str) -> Records:
        return NVM_TABLES[table][0](self)

    def image(self) -> Image:
        """Every non-volatile table as records (empty tables left out)."""
        image = {table: self.records(table) for table in NVM_TABLES}
        return {table: records for table, records in image.items() if records}

    @classmethod
    def from_image(cls, image: Mapping[str, Mapping[str, bytes]]) -> HubState:
        identity = HubIdentity.from_record(image["identity"]["identity"])
        settings = HubSettings.from_record(image["settings"]["settings"])
        state = cls(identity, settings)
        for table, (_, load) in NVM_TABLES.items():
            if table in ("identity", "settings"):
                continue
            load(state, dict(image.get(table, {})))
        return state


def _single(key: str, render: Callable[[HubState], bytes]) -> Callable[[HubState], Records]:
    return lambda state: {key: render(state)}


def _load_lifecycle(state: HubState, records: Records) -> None:
    if "lifecycle" in records:
        state.lifecycle = Lifecycle.from_record(records["lifecycle"])


def _load_power(state: HubState, records: Records) -> None:
    if "power" in records:
        state.power = Power.from_record(records["power"])


def _load_chf(state: HubState, records: Records) -> None:
    if "chf" in records:
        value = load_json(records["chf"])
        state.firmware_version = bytes.fromhex(value["firmware_version"])
        state.clock_offset = value["clock_offset"]


def _load_counters(state: HubState, records: Records) -> None:
    state.counters = {bytes.fromhex(key): int(value) for key, value in records.items()}


def _load_alert_counter(state: HubState, records: Records) -> None:
    if "alert" in records:
        state.alert_counter = int(records["alert"])


def _load_timers(state: HubState, records: Records) -> None:
    state.timers = {key: int(value) for key, value in records.items()}


def _extra(table: str) -> tuple[Callable[[HubState], Records], Callable[[HubState, Records], None]]:
    def render(state: HubState) -> Records:
        return dict(state.extra.get(table, {}))

    def load(state: HubState, records: Records) -> None:
        state.extra[table] = dict(records)

    return render, load


def _set_attr(name: str, factory: Callable[[HubState, Records], Any]) -> Callable[[HubState, Records], None]:
    def load(state: HubState, records: Records) -> None:
        setattr(state, name, factory(state, records))

    return load


NVM_TABLES: Mapping[str, tuple[Callable[[HubState], Records], Callable[[HubState, Records], None]]] = {
    "identity": (_single("identity", lambda s: s.identity.to_record()), lambda s, r: None),
    "settings": (_single("settings", lambda s: s.settings.to_record()), lambda s, r: None),
    "lifecycle": (_single("lifecycle", lambda s: s.lifecycle.to_record()), _load_lifecycle),
    "power": (_single("power", lambda s: s.power.to_record()), _load_power),
    "chf": (
        _single("chf", lambda s: dump_json({
            "firmware_version": s.firmware_version, "clock_offset": s.clock_offset,
        })),
        _load_chf,
    ),
    "counters": (
        lambda s: {party.hex(): str(counter).encode() for party, counter in s.counters.items()},
        _load_counters,
    ),
    "alert_counter": (_single("alert", lambda s: str(s.alert_counter).encode()), _load_alert_counter),
    "device_log": (lambda s: s.device_log.records(), _set_attr("device_log", lambda s, r: DeviceLog.from_records(r))),
    "historic_log": (
        lambda s: s.historic_log.records(),
        _set_attr("historic_log", lambda s, r: HistoricLog.from_records(r)),
    ),
    "event_log": (
        lambda s: s.event_log.records(),
        _set_attr("event_log", lambda s, r: BoundedLog.from_records(s.settings.event_log_capacity, r)),
    ),
    "security_log": (
        lambda s: s.security_log.records(),
        _set_attr("security_log", lambda s, r: BoundedLog.from_records(s.settings.security_log_capacity, r)),
    ),
    "outbox": (lambda s: s.outbox.records(), _set_attr("outbox", lambda s, r: Outbox.from_records(r))),
    "timers": (
        lambda s: {
            name: str(deadline).encode() for name, deadline in s.timers.items()
            if not name.startswith(VOLATILE_TIMERS)
        },
        _load_timers,
    ),
    # Tables whose records the feature modules (firmware, gas proxy, Category 2 cache,
    # sub-GHz) keep themselves in HubState.extra.
    **{table: _extra(table) for table in (
        "firmware", "firmware_chunks", "han_queue", "han_expected", "gpf_device_log",
        "gsme_data", "cat2_cache", "cat2_schedule", "sub_ghz",
    )},
}
