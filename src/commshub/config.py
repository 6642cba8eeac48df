"""The configuration of `commshub run`: embedded defaults (``default.toml``) and a user's file.

A user's TOML file overrides any key of the defaults; keys it leaves out keep their default.
An unknown section or key, or a value of the wrong type, is an error that names the file and
the key, so a typo never passes silently.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from commshub.errors import CommshubError

__all__ = [
    "CaptureConfig",
    "ConfigError",
    "DevicesConfig",
    "GatewayConfig",
    "HubConfig",
    "KeysConfig",
    "RunConfig",
    "RunSection",
    "TimeConfig",
    "default_text",
    "load_config",
]


class ConfigError(CommshubError):
    """A configuration file that cannot be read, or a key or value it must not have."""


@dataclass(frozen=True)
class RunSection:
    out: str
    hubs: int
    clock: str
    virtual_start: str
    default_scenario: str

    @property
    def virtual_start_utc(self) -> float:
        """The virtual clock's start in Unix seconds."""
        moment = datetime.fromisoformat(self.virtual_start)
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


@dataclass(frozen=True)
class GatewayConfig:
    host: str
    port: int
    response_timeout: float
    delivery_attempts: int
    retry_base_delay: float
    retry_max_delay: float
    client_rate: float
    client_burst: int
    hub_rate: float
    hub_burst: int
    max_connections: int


@dataclass(frozen=True)
class HubConfig:
    postcode: str
    outage_threshold: int
    rtc_error: int
    wan_at_start: bool
    activation_delay: int
    scheduled_read_deadline: int
    signal_strength_dbm: int
    signal_quality: int
    packet_loss_percent: float
    dual_band: bool


@dataclass(frozen=True)
class TimeConfig:
    ntp_key_id: int
    ntp: bool
    signed_time: bool
    poll_interval: float


@dataclass(frozen=True)
class DevicesConfig:
    esme: bool
    gsme: bool
    ihd: bool
    gsme_wake_interval: int


@dataclass(frozen=True)
class KeysConfig:
    keystore: str


@dataclass(frozen=True)
class CaptureConfig:
    enabled: bool
    channel: int


@dataclass(frozen=True)
class RunConfig:
    """Every setting of a run, by section; see ``default.toml`` for what each key means."""

    run: RunSection
    gateway: GatewayConfig
    hub: HubConfig
    time: TimeConfig
    devices: DevicesConfig
    keys: KeysConfig
    capture: CaptureConfig

    def replaced(self, section: str, **values: Any) -> RunConfig:
        """Return a copy with some keys of one section changed (command-line overrides)."""
        data = _as_dict(self)
        data[section].update(values)
        return _build(data, source="command line")


_CLASSES = {
    "run": RunSection, "gateway": GatewayConfig, "hub": HubConfig, "time": TimeConfig,
    "devices": DevicesConfig, "keys": KeysConfig, "capture": CaptureConfig,
}
_CLOCKS = ("system", "virtual")


def default_text() -> str:
    """Return the embedded default configuration (TOML text)."""
    return resources.files("commshub").joinpath("default.toml").read_text(encoding="utf-8")


def _as_dict(config: RunConfig) -> dict[str, dict[str, Any]]:
    return {name: {item.name: getattr(getattr(config, name), item.name)
                   for item in fields(_CLASSES[name])} for name in _CLASSES}


def _check_type(value: Any, default: Any, where: str) -> Any:
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(default, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    else:
        ok = isinstance(value, str)
    if not ok:
        raise ConfigError(f"{where}: expected {type(default).__name__}, found {value!r}")
    return value


def _merge(defaults: dict[str, Any], override: dict[str, Any], source: str) -> dict[str, Any]:
    merged = {name: dict(section) for name, section in defaults.items()}
    for name, section in override.items():
        if name not in merged:
            raise ConfigError(f"{source}: unknown section [{name}]; known: {', '.join(merged)}")
        if not isinstance(section, dict):
            raise ConfigError(f"{source}: [{name}] must be a table of keys")
        for key, value in section.items():
            if key not in merged[name]:
                raise ConfigError(f"{source}: unknown key {name}.{key}; known: "
                                  f"{', '.join(merged[name])}")
            merged[name][key] = _check_type(value, merged[name][key], f"{source}: {name}.{key}")
    return merged


def _build(data: dict[str, dict[str, Any]], *, source: str) -> RunConfig:
    sections = {name: cls(**data[name]) for name, cls in _CLASSES.items()}
    config = RunConfig(**sections)
    _validate(config, source)
    return config


def _validate(config: RunConfig, source: str) -> None:
    if config.run.clock not in _CLOCKS:
        raise ConfigError(f"{source}: run.clock must be one of {', '.join(_CLOCKS)}, "
                          f"not {config.run.clock!r}")
    if not 1 <= config.run.hubs <= 10_000:
        raise ConfigError(f"{source}: run.hubs must be 1 to 10000, not {config.run.hubs}")
    try:
        config.run.virtual_start_utc  # noqa: B018 - parse check
    except ValueError as exc:
        raise ConfigError(f"{source}: run.virtual_start is not an ISO 8601 time: {exc}") from None
    if not 0 <= config.gateway.port <= 65_535:
        raise ConfigError(f"{source}: gateway.port must be 0 to 65535, not {config.gateway.port}")
    for key in ("outage_threshold", "activation_delay", "scheduled_read_deadline"):
        if getattr(config.hub, key) < 0:
            raise ConfigError(f"{source}: hub.{key} must be >= 0 seconds")
    if config.devices.gsme_wake_interval < 1:
        raise ConfigError(f"{source}: devices.gsme_wake_interval must be >= 1 second")
    if not (config.time.ntp or config.time.signed_time):
        raise ConfigError(f"{source}: enable time.ntp, time.signed_time or both")


def load_config(path: str | Path | None = None) -> RunConfig:
    """Return the embedded defaults, overridden by the TOML file at ``path`` when given."""
    defaults = tomllib.loads(default_text())
    if path is None:
        return _build(_merge(defaults, {}, "defaults"), source="defaults")
    source = str(path)
    try:
        override = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read the configuration {source}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    return _build(_merge(defaults, override, source), source=source)
