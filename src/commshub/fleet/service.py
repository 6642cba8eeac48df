"""The service `commshub run` starts: a gateway with its audit trail and N hubs behind it.

:class:`BenchService` opens the run folder, builds the site's keys and identities
(:mod:`commshub.fleet.site`), starts the gateway on 127.0.0.1 and one
:class:`~commshub.hil.runner.HubRunner` per hub, each with its virtual meters, HAN capture and
NVM, and answers the bench controls (:mod:`commshub.wan.control`) that arrive on the gateway's
socket. On a virtual clock, the ``advance`` control moves time on timer by timer, letting each
hub finish what a timer started before the next one fires.

Run folder layout (``--out``, default ``./out``)::

    audit.db                 the gateway's audit trail (SQLite)
    gateway.port             the port the gateway listens on
    han-hub<N>.pcap / .keys  HAN capture of hub N and its Wireshark key file
    state/keystore/          every key of the bench (test PKI), state/ntp.keys
    state/hub<N>.nvm         hub N's non-volatile memory; state/hub<N>.bench its switches
    state/hub<N>.devices     the memory of hub N's virtual meters (firmware, counters, join)
    state/virtual-clock      where a virtual clock stood after the last advance
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import IPv6Address
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from commshub.codecs.gbcs.frame import parse_frame
from commshub.codecs.gbcs.tables import DLMS_DEVICE_TYPES, use_case
from commshub.config import RunConfig
from commshub.devices.display import Display, DisplayKind, DisplaySettings
from commshub.devices.esme import Esme, EsmeSettings
from commshub.devices.gsme import GsmeSettings
from commshub.devices.gsme_ledger import GasUsage
from commshub.devices.gsme_mirror import MirroredGsme
from commshub.devices.identity import DeviceIdentity
from commshub.errors import CommshubError
from commshub.fleet.site import NETWORK_OPERATOR, SUPPLIER, TIME_SERVICE, HubIds, Site, hub_ids
from commshub.hil.han_capture import HanCapture
from commshub.hil.runner import Device, DeviceSlot, HubRunner, RunnerOptions
from commshub.hub import events as ev
from commshub.hub.settings import HubSettings
from commshub.hub.timesync import TimeSyncSettings, TrustedTimeService
from commshub.wan.clock import Clock, VirtualClock
from commshub.wan.control import ControlCommand, ControlError, encode_reply, parse_control
from commshub.wan.gateway import GatewaySettings
from commshub.wan.server import RunningGateway, ServerSettings, start_gateway
from commshub.wan.time_service import EmulatedTimeService, TimeServiceSettings

if TYPE_CHECKING:
    from commshub.fleet.replay_gateway import ReplayHost

__all__ = ["BenchService", "RunPaths"]

LOGGER = logging.getLogger(__name__)

# Bound on the timer steps one "advance" control may take (a day of a hub with its meters
# takes a few hundred).
MAX_ADVANCE_STEPS = 1_000_000
# Real seconds a settle waits for the hubs to finish what a step started before it gives up.
SETTLE_TIMEOUT_S = 30.0
# Real seconds given to I/O (audit commits, sockets) after the hubs are idle.
_IO_PAUSE_S = 0.002
_DEVICE_TYPES = {name.lower(): number for number, name in DLMS_DEVICE_TYPES.items()}


@dataclass(frozen=True)
class RunPaths:
    """The files of a run folder (see the module docstring)."""

    out: Path

    @property
    def state(self) -> Path:
        return self.out / "state"

    @property
    def audit(self) -> Path:
        return self.out / "audit.db"

    @property
    def port_file(self) -> Path:
        return self.out / "gateway.port"

    @property
    def virtual_clock(self) -> Path:
        return self.state / "virtual-clock"

    def nvm(self, index: int) -> Path:
        return self.state / f"hub{index}.nvm"

    def devices(self, index: int) -> Path:
        return self.state / f"hub{index}.devices"

    def switches(self, index: int) -> Path:
        return self.state / f"hub{index}.bench"

    def network_key(self, index: int) -> Path:
        return self.state / f"hub{index}.network-key"

    def capture(self, index: int) -> Path:
        return self.out / f"han-hub{index}.pcap"

    def capture_keys(self, index: int) -> Path:
        return self.out / f"han-hub{index}.keys"


def message_code_of(frame: bytes) -> int | None:
    """Return the GBCS message code of a payload for the audit trail (None for others)."""
    try:
        return parse_frame(frame).message_code
    except CommshubError:
        return None


def use_case_name(code: int) -> str | None:
    case = use_case(code)
    return case.identifier if case is not None else None


class BenchService:
    """A gateway and its hubs; :meth:`start`, then :meth:`handle_control`, then :meth:`close`."""

    def __init__(self, config: RunConfig, out: Path, *, clock: Clock | None = None) -> None:
        self.config = config
        self.paths = RunPaths(out)
        if clock is None:
            clock = (VirtualClock(self._virtual_start()) if config.run.clock == "virtual"
                     else _system_clock())
        self.clock = clock
        self.site: Site | None = None
        self.gateway: RunningGateway | None = None
        self.runners: list[HubRunner] = []
        self._captures: list[IO[bytes]] = []
        self._lock = asyncio.Lock()
        self._replay: ReplayHost | None = None  # once a replay runs through this service

    def _virtual_start(self) -> float:
        """Return where a virtual clock starts: where the previous run of this folder left it,
        so a restarted service goes on from there (hubs reject time that goes backwards)."""
        start = self.config.run.virtual_start_utc
        try:
            saved = float(self.paths.virtual_clock.read_text(encoding="ascii"))
        except (OSError, ValueError):
            return start
        return max(start, saved)

    def _save_virtual_time(self) -> None:
        temporary = self.paths.virtual_clock.with_suffix(".tmp")
        temporary.write_text(f"{self.clock.now():.6f}\n", encoding="ascii")
        temporary.replace(self.paths.virtual_clock)

    @property
    def virtual(self) -> bool:
        return isinstance(self.clock, VirtualClock)

    @property
    def port(self) -> int:
        assert self.gateway is not None
        return self.gateway.port

    # --- start and stop ----------------------------------------------------------------------

    async def start(self) -> None:
        config = self.config
        self.paths.state.mkdir(parents=True, exist_ok=True)
        self.site = Site.open(self.paths.state, hubs=config.run.hubs,
                              remote_keystore=config.keys.keystore or None,
                              ntp_key_id=config.time.ntp_key_id)
        gateway_config = config.gateway
        self.gateway = await start_gateway(
            audit_path=self.paths.audit,
            settings=GatewaySettings(
                client_rate=gateway_config.client_rate, client_burst=gateway_config.client_burst,
                hub_rate=gateway_config.hub_rate, hub_burst=gateway_config.hub_burst,
                delivery_attempts=gateway_config.delivery_attempts,
                retry_base_delay=gateway_config.retry_base_delay,
                retry_max_delay=gateway_config.retry_max_delay,
                response_timeout=gateway_config.response_timeout),
            server_settings=ServerSettings(host=gateway_config.host, port=gateway_config.port,
                                           max_connections=gateway_config.max_connections),
            clock=self.clock, message_code_of=message_code_of, use_case_name=use_case_name)
        self.gateway.server.control_handler = self.handle_control
        time_service = EmulatedTimeService(TimeServiceSettings(
            service_id=TIME_SERVICE, signing_key=self.site.time_service_key(),
            ntp_keys={self.site.ntp_key.key_id: self.site.ntp_key}))
        for index in range(config.run.hubs):
            runner = self._runner(index, time_service)
            self.runners.append(runner)
            await runner.start()
        await self.settle()
        # Written whole or not at all: a bench polls for this file to learn the port.
        temporary = self.paths.port_file.with_suffix(".tmp")
        temporary.write_text(f"{self.port}\n", encoding="ascii")
        temporary.replace(self.paths.port_file)
        LOGGER.info("commshub run: gateway on %s port %d, %d hub(s), %s clock, run folder %s",
                    gateway_config.host, self.port, len(self.runners),
                    "virtual" if self.virtual else "system", self.paths.out)

    def _runner(self, index: int, time_service: EmulatedTimeService) -> HubRunner:
        assert self.site is not None and self.gateway is not None
        config, site = self.config, self.site
        ids = hub_ids(index)
        settings = HubSettings(outage_threshold=config.hub.outage_threshold,
                               dual_band=config.hub.dual_band)
        time_sync = TimeSyncSettings(
            hub_id=ids.chf, ntp_key=site.ntp_key if config.time.ntp else None,
            time_service=TrustedTimeService(TIME_SERVICE, site.time_service_key().public_key())
            if config.time.signed_time else None,
            poll_interval_s=config.time.poll_interval)
        signal = ev.WanSignal(strength_dbm=config.hub.signal_strength_dbm,
                              quality=config.hub.signal_quality,
                              packet_loss_percent=config.hub.packet_loss_percent)
        options = RunnerOptions(postcode=config.hub.postcode, rtc_error=config.hub.rtc_error,
                                activation_delay=config.hub.activation_delay,
                                scheduled_read_deadline=config.hub.scheduled_read_deadline,
                                signal=signal)
        return HubRunner(
            index=index, identity=lambda: site.hub_identity(index), settings=settings,
            time_sync=time_sync, nvm_path=self.paths.nvm(index),
            environment=self.paths.switches(index), clock=self.clock,
            gateway=self.gateway.gateway, devices=self._devices(index),
            time_service=time_service, options=options, capture=self._capture(index),
            wan_at_start=config.hub.wan_at_start, device_memory=self.paths.devices(index))

    def _devices(self, index: int) -> list[DeviceSlot]:
        assert self.site is not None
        ids = hub_ids(index)
        slots = []
        wanted = {"esme": self.config.devices.esme, "gsme": self.config.devices.gsme,
                  "ihd": self.config.devices.ihd}
        for kind, enabled in wanted.items():
            if not enabled:
                continue
            factory = _device_factory(kind, self.site.device_identity(ids.devices[kind]), ids,
                                      self.config)
            slots.append(DeviceSlot(kind, ids.devices[kind], _DEVICE_TYPES[kind], factory))
        return slots

    def _capture(self, index: int) -> HanCapture | None:
        if not self.config.capture.enabled:
            return None
        key_path = self.paths.network_key(index)
        if key_path.exists():
            network_key = bytes.fromhex(key_path.read_text(encoding="ascii").strip())
        else:
            network_key = secrets.token_bytes(16)
            key_path.write_text(network_key.hex() + "\n", encoding="ascii")
            key_path.chmod(0o600)
        ids = hub_ids(index)
        stream = self.paths.capture(index).open("wb")
        self._captures.append(stream)
        return HanCapture(stream, pan_id=int.from_bytes(ids.gpf[-2:], "big") or 1,
                          coordinator=int.from_bytes(ids.chf, "big"), network_key=network_key,
                          clock=self.clock.now, channel=self.config.capture.channel,
                          key_file=self.paths.capture_keys(index))

    async def close(self) -> None:
        for runner in self.runners:
            await runner.stop()
        if self.gateway is not None:
            await self.gateway.close()
        for stream in self._captures:
            stream.close()
        LOGGER.info("commshub run stopped")

    # --- time ----------------------------------------------------------------------------------

    async def settle(self) -> None:
        """Wait until every hub has handled its queued events and I/O has had its turn."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SETTLE_TIMEOUT_S
        while loop.time() < deadline:
            await asyncio.wait_for(asyncio.gather(*(r.wait_idle() for r in self.runners)),
                                   max(0.0, deadline - loop.time()))
            await asyncio.sleep(_IO_PAUSE_S)
            if all(r.idle for r in self.runners):
                return
        LOGGER.warning("hubs still busy after %.0f s; going on", SETTLE_TIMEOUT_S)

    async def advance(self, seconds: float) -> float:
        """Move a virtual clock on by ``seconds``, timer by timer; return the new time."""
        clock = self.clock
        if not isinstance(clock, VirtualClock):
            raise ControlError("the clock is the system clock; only a virtual clock (run.clock = "
                               "\"virtual\") can be advanced")
        target = clock.now() + seconds
        for _ in range(MAX_ADVANCE_STEPS):
            await self.settle()
            deadline = clock.next_deadline
            if deadline is None or deadline > target:
                break
            await clock.advance(max(0.0, deadline - clock.now()))
        else:
            raise ControlError(f"more than {MAX_ADVANCE_STEPS} timer steps in {seconds} s")
        await clock.advance(max(0.0, target - clock.now()))
        await self.settle()
        self._save_virtual_time()
        return clock.now()

    # --- controls ------------------------------------------------------------------------------

    async def handle_control(self, text: str) -> str:
        """Carry out one bench control (JSON text) and return the reply (JSON text)."""
        command = parse_control(text)
        async with self._lock:
            result = await self._control(command)
        return encode_reply(result)

    async def _control(self, command: ControlCommand) -> dict[str, Any]:
        name = command.command
        if name == "status":
            return self.status(command.get("hub"))
        if name == "advance":
            return {"now": await self.advance(float(command.get("seconds")))}
        if name.startswith("replay_"):
            return await self._replay_control(command)
        runners = self._select(command.get("hub"))
        try:
            for runner in runners:
                if name == "power":
                    await runner.set_mains(command.get("state") == "on")
                elif name == "wan":
                    await runner.set_wan(command.get("state") == "up")
                elif name == "install":
                    await runner.install(command.get("postcode"))
        except CommshubError as exc:
            raise ControlError(f"{name}: {exc}") from None
        await self.settle()
        return {"hubs": [runner.status() for runner in runners]}

    async def _replay_control(self, command: ControlCommand) -> dict[str, Any]:
        from commshub.fleet.replay_gateway import ReplayHost, scenario_from_json

        assert self.gateway is not None
        if self._replay is None:
            self._replay = ReplayHost(self.gateway.gateway, self.paths.state)
        corpus = str(command.get("corpus", ""))
        if command.command == "replay_open":
            return self._replay.open(corpus)
        if command.command == "replay_site":
            scenario = command.get("scenario")
            if not isinstance(scenario, dict):
                raise ControlError("replay_site: scenario must be a JSON object")
            return self._replay.build(corpus, scenario_from_json(scenario))
        return await self._replay.close(str(command.get("address")))

    def _select(self, hub: Any) -> list[HubRunner]:
        if hub is None:
            return list(self.runners)
        if isinstance(hub, int) and not isinstance(hub, bool):
            if 0 <= hub < len(self.runners):
                return [self.runners[hub]]
            raise ControlError(f"no hub number {hub}; there are {len(self.runners)}")
        if isinstance(hub, str):
            for runner in self.runners:
                if runner.address is not None and runner.address == _address(hub):
                    return [runner]
                if runner.hub is not None and runner.hub.id == hub.upper():
                    return [runner]
        raise ControlError(f"no hub {hub!r}: give its number, network address or CHF EUI-64")

    def status(self, hub: Any = None) -> dict[str, Any]:
        """Return the service's and the hubs' state, JSON-ready."""
        assert self.gateway is not None and self.site is not None
        return {
            "clock": "virtual" if self.virtual else "system",
            "now": self.clock.now(),
            "port": self.port,
            "out": str(self.paths.out.resolve()),
            "keystore": str((self.paths.state / "keystore").resolve()),
            "gateway": self.gateway.gateway.stats(),
            "gateway_limits": {"client_rate": self.config.gateway.client_rate,
                               "client_burst": self.config.gateway.client_burst,
                               "hub_rate": self.config.gateway.hub_rate},
            "hubs": [runner.status() for runner in self._select(hub)],
        }


def _address(text: str) -> IPv6Address | None:
    try:
        return IPv6Address(text)
    except ValueError:
        return None


def _system_clock() -> Clock:
    from commshub.wan.clock import SystemClock

    return SystemClock()


def _device_factory(kind: str, identity: DeviceIdentity, ids: HubIds,
                    config: RunConfig) -> Callable[[int], Device]:
    """A function that builds hub ``ids``' virtual device ``kind`` as it powers up at a time.

    The gas meter keeps its mirror on the CHF up to date, so the GPF responds to WAN reads of
    GSME data. Its consumption model is seeded with the hub's number, so each hub's meter has
    data of its own (hub 0 keeps seed 1, the model's default).
    """
    chf, esme = ids.chf, ids.devices["esme"]
    if kind == "esme":
        esme_settings = EsmeSettings(supplier=SUPPLIER, network_operator=NETWORK_OPERATOR)
        return lambda now: Esme(identity, hub=chf, now=now, settings=esme_settings)
    if kind == "gsme":
        gsme_settings = GsmeSettings(supplier=SUPPLIER, network_operator=NETWORK_OPERATOR,
                                     poll_interval=config.devices.gsme_wake_interval,
                                     usage=GasUsage(seed=ids.index + 1))
        return lambda now: MirroredGsme(identity, hub=chf, settings=gsme_settings)
    display = DisplaySettings(DisplayKind.IHD, price_server=esme if config.devices.esme else None)
    return lambda now: Display(identity, hub=chf, settings=display)
