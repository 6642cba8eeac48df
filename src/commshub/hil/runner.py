"""The asyncio driver of one hub: its state machine, its virtual devices, the WAN and the clock.

:class:`HubRunner` carries out the hub's driver contract (:mod:`commshub.hub.hub`) on a
:class:`~commshub.wan.clock.Clock`, the host's or a virtual one:

- Events for the hub, its devices and the emulated CSP go through one queue and are handled
  one at a time, so the hub receives them in a single order.
- A :class:`~commshub.hub.actions.PersistState` is written to the hub's NVM (SQLite, WAL)
  before anything else the event caused, and :meth:`HubRunner.deliver` returns to the gateway
  only once the delivered frame's event is handled and its state stored: a frame the gateway
  counts as delivered is never lost by a crash of this process.
- Timers of the hub, the devices and the CSP wait on the clock (:mod:`commshub.hil.timers`).
- ``SendWan`` and ``SendCsp`` go up through the gateway's :class:`~commshub.wan.endpoint.Uplink`:
  responses to the request they answer (matched by remote party and originator counter, or by
  firmware image), alerts as Category 3, power outage and restore alerts in the gateway's own
  format. ``SendHan`` and join decisions go to the virtual devices, and every HAN frame is
  written to the HAN capture. Time requests go to the CSP's emulated time service.
- The bench's own controls (mains power, WAN link, installation) become hub and device events.

The emulated CSP confirms activation ``activation_delay`` seconds after the hub's activation
message. A virtual device powers up once it is in the CHF device log. A meter is a box of its
own: with ``device_memory`` set, what it keeps in its non-volatile memory (``Meter.snapshot``:
firmware and held image, accepted counters, join state) is stored after each event it handles,
once the hub has stored the frames it sent, and restored when it powers up after a restart of
this process. It then rejoins, which the hub allows for devices in its device log.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
from collections import deque
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from ipaddress import IPv6Address
from pathlib import Path
from typing import Any, Protocol

from commshub.codecs.gbcs.asn1 import decode_asn1
from commshub.codecs.gbcs.frame import GbcsFrame, parse_frame
from commshub.codecs.gbcs.tables import Cra
from commshub.codecs.zigbee.tunnel import tunnel_put
from commshub.codecs.zigbee.zcl import build_zcl
from commshub.codecs.zigbee.zcl.clusters.tunneling import TRANSFER_DATA_TO_CLIENT, TUNNELING_ID
from commshub.devices import events as dev
from commshub.errors import CodecError, CommshubError, LocalProtocolError
from commshub.hil.han_capture import HanCapture
from commshub.hil.timers import TimerKey, Timers
from commshub.hub import actions as act
from commshub.hub import events as ev
from commshub.hub.hub import Hub
from commshub.hub.settings import HubIdentity, HubSettings
from commshub.hub.timesync import TimeSyncSettings
from commshub.store.devices import DeviceMemory
from commshub.store.nvm import Nvm
from commshub.wan import csp
from commshub.wan.addresses import HubProfile
from commshub.wan.clock import Clock
from commshub.wan.endpoint import HubUnreachableError, Uplink
from commshub.wan.framing import Category
from commshub.wan.gateway import Gateway
from commshub.wan.time_service import EmulatedTimeService

__all__ = ["Device", "DeviceSlot", "HubRunner", "RunnerOptions", "TimelineEntry", "image_digest"]

LOGGER = logging.getLogger(__name__)

# GBCS generic alerts a device sends to a remote party whose command it rejected.
_GENERIC_ALERTS = (0x1000, 0x1001)
# CCS08 Firmware Transfer Alert codes: success first, then failure (GBCS alert codes table).
_FIRMWARE_TRANSFER_ALERTS = (0x8F8A, 0x8F89)
# Timeline entries a runner keeps for status reports (the oldest are dropped).
_TIMELINE_LENGTH = 2_000
_TRAFFIC_KINDS = frozenset({"alert", "scheduled_read"})
_HUB = "hub"
_CSP = "csp"
_ACTIVATION = "activation"


class Device(Protocol):
    """The interface the runner uses of a virtual HAN device (``commshub.devices``)."""

    def handle(self, event: dev.DeviceEvent) -> list[dev.DeviceAction]: ...


@dataclass
class DeviceSlot:
    """A virtual device of the hub: its kind, EUI-64, CCS01 device type and how to build it.

    ``factory(now)`` builds the device as it powers up at ``now`` (UTC seconds).
    """

    kind: str
    eui: bytes
    device_type: int
    factory: Callable[[int], Device]
    device: Device | None = None
    joined: bool = False
    activations: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RunnerOptions:
    """The bench around one hub; times in seconds."""

    postcode: str = ""
    rtc_error: int = 0
    activation_delay: int = 5
    scheduled_read_deadline: int = 3600
    signal: ev.WanSignal | None = None


@dataclass(frozen=True)
class TimelineEntry:
    """Something that happened to the hub, for status reports: ``at`` in UTC seconds."""

    at: float
    kind: str
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"at": self.at, "kind": self.kind, "text": self.text}


@dataclass(frozen=True)
class _Context:
    """The gateway request an event comes from, so that the hub's reply goes back to it."""

    request_id: int
    category: int
    command: GbcsFrame | None = None
    poll: bool = False


@dataclass(eq=False)
class _Work:
    target: Hashable
    event: Any
    context: _Context | None = None
    done: asyncio.Future[None] | None = None
    # A device's memory to store once the hub has handled (and stored) this frame from it.
    memory: tuple[DeviceSlot, int, dict[str, Any]] | None = None


class HubRunner:
    """One hub, its devices and its bench surroundings, driven on ``clock``.

    ``environment`` is a small JSON file that keeps the bench's switches (mains, WAN link)
    across restarts of this process, as a real bench keeps its power and radio switches.
    """

    def __init__(
        self, *, index: int, identity: Callable[[], HubIdentity], settings: HubSettings,
        time_sync: TimeSyncSettings | None, nvm_path: Path, environment: Path, clock: Clock,
        gateway: Gateway, devices: list[DeviceSlot], time_service: EmulatedTimeService | None,
        options: RunnerOptions, capture: HanCapture | None = None, wan_at_start: bool = False,
        device_memory: Path | None = None,
    ) -> None:
        self.index = index
        self._identity = identity
        self._settings = settings
        self._time_sync = time_sync
        self._nvm_path = nvm_path
        self._environment = environment
        self.clock = clock
        self.gateway = gateway
        self.devices = {slot.eui: slot for slot in devices}
        self._time_service = time_service
        self.options = options
        self.capture = capture
        self.mains, self.wan_up = True, wan_at_start
        self.hub: Hub | None = None
        self.uplink: Uplink | None = None
        self.timeline: deque[TimelineEntry] = deque(maxlen=_TIMELINE_LENGTH)
        self.counters: dict[str, int] = {"events": 0, "responses": 0, "alerts": 0,
                                         "unmatched_responses": 0}
        self._nvm: Nvm | None = None
        self._device_memory_path = device_memory
        self._device_memory: DeviceMemory | None = None
        # Per device: how many snapshots were taken, and the number of the last one stored.
        self._memory_taken: dict[bytes, int] = {}
        self._memory_stored: dict[bytes, int] = {}
        self._at = 0
        self._inbox: asyncio.Queue[_Work] = asyncio.Queue()
        self._busy = False
        self._idle = asyncio.Event()
        self._idle.set()
        self._worker: asyncio.Task[None] | None = None
        self._timers = Timers(clock, self._fire)
        # (remote party, originator counter) -> (gateway request id, recipient) of each command
        # whose response the hub has not sent yet.
        self._commands: dict[tuple[bytes, int], tuple[int, bytes]] = {}
        self._chunks: dict[str, int] = {}

    # --- lifecycle -------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.hub.id if self.hub is not None else f"hub#{self.index}"

    @property
    def address(self) -> IPv6Address | None:
        return self.uplink.address if self.uplink is not None else None

    async def start(self) -> None:
        """Open the NVM, rebuild or create the hub, and start it and its devices."""
        self._load_environment()
        self._nvm = Nvm(self._nvm_path)
        if self._device_memory_path is not None:
            self._device_memory = DeviceMemory(self._device_memory_path)
        image = self._nvm.load()
        fresh = not image
        if fresh:
            self.hub = Hub.create(self._identity(), self._settings, time_sync=self._time_sync)
        else:
            self.hub = Hub.restore(image, time_sync=self._time_sync)
        self._at = max(self._at, self.hub.state.now)
        address = self.hub.state.lifecycle.network_address
        if address is not None:
            self._install_at_gateway(IPv6Address(address))
            self._take_recovered_requests()
        self._worker = asyncio.create_task(self._work_loop(), name=f"runner-{self.index}")
        self._timers.run()
        await self._feed(_HUB, ev.Started(at=self._next_at(), mains_present=self.mains,
                                          wan_up=self.wan_up))
        if fresh and self.options.rtc_error:
            # The hub leaves the factory with its real-time clock off by rtc_error seconds;
            # time synchronisation corrects it once the WAN is up.
            await self._feed(_HUB, ev.ClockAdjusted(at=self._next_at(), offset=self.options.rtc_error,
                                                    synchronised=False))
        self._record("lifecycle", f"hub {self.name} {'created' if fresh else 'restored from NVM'}")
        self._start_logged_devices()
        LOGGER.info("hub %s started (%s, mains %s, WAN %s)", self.name,
                    self.hub.state.lifecycle.state.value, "on" if self.mains else "off",
                    "up" if self.wan_up else "down")

    async def stop(self) -> None:
        """Stop handling events; a restart rebuilds the hub from what the NVM contains."""
        await self._timers.stop()
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
            self._worker = None
        if self._nvm is not None:
            self._nvm.close()
            self._nvm = None
        if self._device_memory is not None:
            self._device_memory.close()
            self._device_memory = None
        LOGGER.info("hub %s stopped", self.name)

    async def wait_idle(self) -> None:
        """Return once every queued event is handled (more may come from timers later)."""
        while True:
            await self._idle.wait()
            if self._inbox.empty() and not self._busy:
                return

    @property
    def idle(self) -> bool:
        """Whether no event is queued or being handled."""
        return self._inbox.empty() and not self._busy

    @property
    def next_deadline(self) -> float | None:
        return self._timers.next_deadline

    # --- the gateway's HubEndpoint ---------------------------------------------------------

    async def deliver(self, frame: bytes, category: int, request_id: int) -> None:
        """Hand a frame from the gateway to the hub; return once its event is stored."""
        if self.hub is None or self._worker is None:
            raise HubUnreachableError(f"hub #{self.index} is not running")
        if not self.mains:
            raise HubUnreachableError(f"hub {self.name} has no mains power")
        if not self.wan_up:
            raise HubUnreachableError(f"hub {self.name} has no WAN link")
        at = self._next_at()
        if category == Category.FIRMWARE:
            await self._deliver_chunk(frame, request_id, at)
        elif category == Category.SCHEDULED_READ:
            await self._deliver_retrieval(frame, request_id, at)
        else:
            command = _command_of(frame)
            if command is not None:
                key = (command.originator, command.originator_counter)
                self._commands[key] = (request_id, command.recipient)
            context = _Context(request_id, category, command)
            await self._feed(_HUB, ev.WanFrameReceived(at=at, data=bytes(frame)), context)

    async def _deliver_chunk(self, frame: bytes, request_id: int, at: int) -> None:
        try:
            chunk = csp.decode_chunk(frame)
        except CodecError as exc:
            LOGGER.warning("hub %s: Category 1 request %d is not a firmware chunk: %s", self.name,
                           request_id, exc)
            await self._respond(request_id, b"")
            return
        self._chunks[chunk.image_id] = request_id
        await self._feed(_HUB, ev.FirmwareChunkReceived(
            at=at, image_id=chunk.image_id, offset=chunk.offset, total_size=chunk.total_size,
            data=chunk.data), _Context(request_id, Category.FIRMWARE))

    async def _deliver_retrieval(self, frame: bytes, request_id: int, at: int) -> None:
        try:
            poll = csp.decode_retrieval(frame)
        except CodecError as exc:
            LOGGER.warning("hub %s: Category 2 request %d: %s", self.name, request_id, exc)
            await self._respond(request_id, b"")
            return
        if poll is not None:
            await self._feed(_HUB, ev.CachedReadsPolled(at=at, device=poll.device),
                             _Context(request_id, Category.SCHEDULED_READ, poll=True))
            return
        command = _command_of(frame)
        if command is None or command.recipient not in self.devices:
            LOGGER.warning("hub %s: Category 2 request %d schedules a read for a device this "
                           "bench does not have", self.name, request_id)
            await self._respond(request_id, b"")
            return
        deadline = at + self.options.scheduled_read_deadline
        await self._feed(_HUB, ev.ReadScheduled(at=at, device=command.recipient,
                                                message_code=command.message_code,
                                                deadline=deadline))
        self._record("scheduled_read", f"read 0x{command.message_code:04X} scheduled on "
                                       f"{command.recipient.hex().upper()} until {deadline}")
        self._run_meter_schedule(command.recipient, bytes(frame))
        await self._respond(request_id, b"")

    def _run_meter_schedule(self, device: bytes, command: bytes) -> None:
        """Run a scheduled read on the meter as if from its own stored schedule: the command
        reaches it without crossing the air, so it is not in the HAN capture."""
        slot = self.devices[device]
        tunnel_id = _tunnel_id(slot.device)
        if tunnel_id is None:
            LOGGER.warning("hub %s: device %s has no open GBCS tunnel; the scheduled read "
                           "cannot run", self.name, device.hex().upper())
            return
        payload = build_zcl(TRANSFER_DATA_TO_CLIENT.frame(
            disable_default_response=True, tunnel_id=tunnel_id, data=tunnel_put(command)))
        self._queue(device, dev.HanFrameReceived(at=self._next_at(), source=self._chf,
                                                 cluster=TUNNELING_ID, payload=payload))

    # --- bench controls ----------------------------------------------------------------------

    async def set_mains(self, on: bool) -> None:
        """Restore or cut the mains of the premises: the hub and the electricity meter."""
        if on == self.mains:
            return
        self.mains = on
        self._save_environment()
        self._record("power", "mains restored" if on else "mains cut")
        event = ev.MainsRestored if on else ev.MainsLost
        await self._feed(_HUB, event(at=self._next_at()))
        for slot in self.devices.values():
            if slot.kind == "esme" and slot.device is not None:
                supply = dev.SupplyRestored if on else dev.SupplyLost
                self._queue(slot.eui, supply(at=self._next_at()))

    async def set_wan(self, up: bool) -> None:
        """Bring the WAN link up or down."""
        if up == self.wan_up:
            return
        self.wan_up = up
        self._save_environment()
        self._record("wan", "WAN link up" if up else "WAN link down")
        await self._feed(_HUB, ev.WanLinkChanged(at=self._next_at(), up=up,
                                                 signal=self.options.signal if up else None))

    async def install(self, postcode: str | None = None) -> IPv6Address:
        """Install the hub as an installer does: the gateway assigns its network address."""
        assert self.hub is not None
        if self.uplink is None:
            self._install_at_gateway(None, postcode)
        assert self.uplink is not None
        if self.hub.state.lifecycle.network_address is None:
            await self._feed(_HUB, ev.Installed(
                at=self._next_at(), network_address=str(self.uplink.address),
                signal=self.options.signal if self.wan_up else None))
            self._record("lifecycle", f"installed at {self.uplink.address} "
                                      f"({'with' if self.wan_up else 'without'} WAN coverage)")
        return self.uplink.address

    def _install_at_gateway(self, address: IPv6Address | None, postcode: str | None = None) -> None:
        assert self.hub is not None
        profile = HubProfile(self.hub.id, postcode=postcode or self.options.postcode)
        self.uplink = self.gateway.install_hub(self, profile, address=address)

    def _take_recovered_requests(self) -> None:
        """Await again the commands the gateway had in flight to this hub when the process was
        killed: the hub answers them from its NVM as it starts."""
        assert self.uplink is not None
        for request_id, frame in self.uplink.recovered():
            command = _command_of(frame)
            if command is not None:
                self._commands[(command.originator, command.originator_counter)] = (
                    request_id, command.recipient)

    # --- the event queue ---------------------------------------------------------------------

    def _next_at(self, minimum: int = 0) -> int:
        """Return the driver's clock in whole seconds, never going backwards."""
        self._at = max(self._at, int(self.clock.now()), minimum)
        return self._at

    def _queue(self, target: Hashable, event: Any, context: _Context | None = None) -> _Work:
        self._idle.clear()
        work = _Work(target, event, context)
        self._inbox.put_nowait(work)
        return work

    async def _feed(self, target: Hashable, event: Any, context: _Context | None = None) -> None:
        """Queue an event and wait until it is handled and its state stored."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._idle.clear()
        await self._inbox.put(_Work(target, event, context, done))
        await done

    async def _work_loop(self) -> None:
        while True:
            work = await self._inbox.get()
            self._busy = True
            try:
                await self._handle(work)
            except Exception as exc:
                LOGGER.exception("hub %s: handling %s failed", self.name, type(work.event).__name__)
                if work.done is not None and not work.done.done():
                    work.done.set_exception(exc)
            finally:
                if work.done is not None and not work.done.done():
                    work.done.set_result(None)
                self._busy = False
                if self._inbox.empty():
                    self._idle.set()

    async def _handle(self, work: _Work) -> None:
        self.counters["events"] += 1
        if work.target == _HUB:
            await self._handle_hub(work)
        elif work.target == _CSP:
            await self._handle_csp(work)
        else:
            await self._handle_device(work)

    async def _handle_hub(self, work: _Work) -> None:
        assert self.hub is not None and self._nvm is not None
        try:
            actions = self.hub.handle(work.event)
        except LocalProtocolError as exc:
            # An event the hub's state does not allow (the bench flipped a switch twice, say):
            # the hub is unchanged, and the bench learns why from the log and the timeline.
            LOGGER.warning("hub %s: %s", self.name, exc)
            self._record("rejected", str(exc))
            self._store_memory(work)
            if work.done is not None:
                work.done.set_exception(exc)
            return
        if actions and isinstance(actions[0], act.PersistState):
            self._nvm.apply(actions[0])
            actions = actions[1:]
        self._store_memory(work)
        if work.done is not None:
            work.done.set_result(None)
        await self._carry_out(actions, work.context)
        self._start_logged_devices()

    async def _carry_out(self, actions: list[act.Action], context: _Context | None) -> None:
        for action in actions:
            if isinstance(action, act.SendWan):
                await self._send_wan(action, context)
            elif isinstance(action, act.SendCsp):
                await self._send_csp(action)
            elif isinstance(action, act.SendHan):
                self._to_device(action)
            elif isinstance(action, act.JoinDecision):
                self._join_decided(action)
            elif isinstance(action, act.StartTimer):
                self._timers.start((_HUB, action.name), float(action.deadline))
            elif isinstance(action, act.CancelTimer):
                self._timers.cancel((_HUB, action.name))
            elif isinstance(action, act.SendTimeRequest):
                self._ask_time_service(action)
            else:
                LOGGER.debug("hub %s: action %s needs nothing from the driver", self.name,
                             type(action).__name__)
        if context is not None and context.poll:
            await self._respond(context.request_id, b"")

    # --- WAN ---------------------------------------------------------------------------------

    async def _send_wan(self, action: act.SendWan, context: _Context | None) -> None:
        if action.kind is act.WanKind.CACHED_READ and context is not None and context.poll:
            await self._respond(context.request_id, action.data, final=False)
            self._record("scheduled_read", f"cached read 0x{action.message_code:04X} handed over")
            return
        try:
            frame = parse_frame(action.data)
        except CodecError as exc:
            LOGGER.error("hub %s produced a GBCS message that does not parse: %s", self.name, exc)
            return
        if int(frame.cra) == Cra.RESPONSE:
            await self._answer(frame, action.data)
            return
        if int(frame.cra) == Cra.ALERT and frame.message_code in _GENERIC_ALERTS:
            request = self._rejected_request(frame, context)
            if request is not None:
                # The rejection of a command is its reply: without it the bench would wait for
                # a response until the gateway's response timeout.
                await self._respond(request, action.data)
                self._record("rejected", f"command answered with alert 0x{frame.message_code:04X}")
                return
        if action.alert_code in _FIRMWARE_TRANSFER_ALERTS:
            await self._firmware_delivered(frame, action.data, action.alert_code)
        await self._alert(action.data, f"alert 0x{action.alert_code or 0:04X} "
                                       f"(message code 0x{frame.message_code:04X})")

    async def _firmware_delivered(self, frame: GbcsFrame, data: bytes, alert_code: int) -> None:
        """Audit a firmware transfer to a meter before the CCS08 alert reporting it goes up."""
        succeeded = alert_code == _FIRMWARE_TRANSFER_ALERTS[0]
        try:
            alert = decode_asn1(frame.content, frame.message_code, Cra(int(frame.cra))).value
            about = (f" to {bytes(alert['entityId']).hex().upper()}, firmware version "
                     f"{bytes(alert['firmwareVersion']).hex().upper()}, response code "
                     f"{alert['responseCode']}")
        except (CommshubError, KeyError, TypeError, ValueError):
            about = ""
        detail = (f"OTA transfer{about} {'succeeded' if succeeded else 'failed'} "
                  f"(CCS08 alert 0x{alert_code:04X})")
        self._record("firmware", detail)
        await self._uplink_audit(
            detail, lambda uplink: uplink.firmware_delivered(succeeded, data, detail))

    async def _uplink_audit(self, detail: str, call: Callable[[Uplink], Any]) -> None:
        """Audit ``detail`` at the gateway through ``call``, or log why it is not audited."""
        if self.uplink is None:
            LOGGER.warning("hub %s is not installed at the gateway; %s not audited", self.name,
                           detail)
            return
        try:
            await call(self.uplink)
        except CommshubError as exc:
            LOGGER.error("hub %s: %s not audited: %s", self.name, detail, exc)

    def _rejected_request(self, alert: GbcsFrame, context: _Context | None) -> int | None:
        """Return the request a generic alert rejects: the command being handled, or else the
        oldest open command from that remote party to the device that sent the alert."""
        party = alert.recipient
        if context is not None and context.command is not None \
                and context.command.originator == party:
            found = self._commands.pop((party, context.command.originator_counter), None)
            return found[0] if found is not None else None
        waiting = sorted(counter for (who, counter), (_, recipient) in self._commands.items()
                         if who == party and recipient == alert.originator)
        if not waiting:
            return None
        return self._commands.pop((party, waiting[0]))[0]

    async def _answer(self, frame: GbcsFrame, data: bytes) -> None:
        found = self._commands.pop((frame.recipient, frame.originator_counter), None)
        if found is None:
            # After a restart of this process the gateway's requests are gone with it; the hub
            # sends again what it had not confirmed, and no request awaits it any more.
            self.counters["unmatched_responses"] += 1
            LOGGER.info("hub %s: response 0x%04X (counter %d) answers no open request; dropped",
                        self.name, frame.message_code, frame.originator_counter)
            return
        await self._respond(found[0], data)

    async def _respond(self, request_id: int, data: bytes, *, final: bool = True) -> None:
        if self.uplink is None:
            LOGGER.warning("hub %s is not installed at the gateway; response dropped", self.name)
            return
        try:
            await self.uplink.respond(request_id, data, final=final)
            self.counters["responses"] += 1
        except CommshubError as exc:
            LOGGER.error("hub %s: response to request %d not sent: %s", self.name, request_id, exc)

    async def _alert(self, data: bytes, text: str) -> None:
        if self.uplink is None:
            LOGGER.warning("hub %s is not installed at the gateway; %s dropped", self.name, text)
            return
        try:
            await self.uplink.alert(data)
            self.counters["alerts"] += 1
            self._record("alert", text)
        except CommshubError as exc:
            LOGGER.error("hub %s: %s not sent: %s", self.name, text, exc)

    async def _send_csp(self, action: act.SendCsp) -> None:
        message = action.message
        if isinstance(message, act.FirmwareChunkAck):
            request = self._chunks.pop(message.image_id, None)
            ack = csp.FirmwareChunkAck(message.image_id, message.next_offset, message.total_size,
                                       message.verified)
            if message.verified is not None:
                self._record("firmware", f"image {message.image_id} "
                                         f"{'verified' if message.verified else 'rejected'}")
            if request is not None:
                await self._respond(request, csp.encode_chunk_ack(ack))
        elif isinstance(message, act.PowerOutageAlert):
            await self._uplink_call("power outage alert",
                                    lambda uplink: uplink.power_outage(message.lost_at))
        elif isinstance(message, act.PowerRestoreAlert):
            await self._uplink_call("power restore alert", lambda uplink: uplink.power_restore(
                message.lost_at, message.restored_at))
        elif isinstance(message, act.InstallationReport):
            self._record("lifecycle", f"installation report: signal {message.strength_dbm} dBm, "
                                      f"quality {message.quality}, loss "
                                      f"{message.packet_loss_percent} %")
        elif isinstance(message, act.ScheduledReadMissed):
            detail = (f"scheduled read 0x{message.message_code:04X} from {message.device.hex().upper()} "
                      f"missed its deadline {message.deadline}; the hub dropped it")
            LOGGER.warning("hub %s: %s", self.name, detail)
            self._record("scheduled_read", detail)
            await self._uplink_audit(
                detail, lambda uplink: uplink.scheduled_read_missed(message.message_code, detail))
        elif isinstance(message, act.ActivationRequest):
            self._record("lifecycle", f"activation message (attempt {message.attempt})")
            self._timers.start((_CSP, _ACTIVATION), self.clock.now() + self.options.activation_delay)
        else:
            LOGGER.warning("hub %s: CSP message %s has no carrier", self.name,
                           type(message).__name__)

    async def _uplink_call(self, text: str, call: Callable[[Uplink], Any]) -> None:
        if self.uplink is None:
            LOGGER.warning("hub %s is not installed at the gateway; %s dropped", self.name, text)
            return
        try:
            await call(self.uplink)
            self.counters["alerts"] += 1
            self._record("alert", text)
        except CommshubError as exc:
            LOGGER.error("hub %s: %s not sent: %s", self.name, text, exc)

    async def _handle_csp(self, work: _Work) -> None:
        if work.event == _ACTIVATION:
            self._record("lifecycle", "CSP confirmed activation")
            await self._handle_hub(_Work(_HUB, ev.ActivationConfirmed(at=self._next_at())))

    def _ask_time_service(self, action: act.SendTimeRequest) -> None:
        if self._time_service is None or not (self.mains and self.wan_up):
            LOGGER.debug("hub %s: time request not sent (no service, mains or WAN)", self.name)
            return
        now = self.clock.now()
        if action.source == "ntp":
            reply = self._time_service.respond_to_ntp(action.data, now)
        else:
            reply = self._time_service.respond_to_time_request(action.data, now)
        if reply is None:
            LOGGER.warning("hub %s: the time service dropped a %s request", self.name, action.source)
            return
        self._queue(_HUB, ev.TimeResponseReceived(at=self._next_at(), source=action.source,  # type: ignore[arg-type]
                                                  data=reply, monotonic=max(now, float(self._at))))

    # --- HAN ---------------------------------------------------------------------------------

    @property
    def _chf(self) -> bytes:
        assert self.hub is not None
        return self.hub.state.identity.chf_id

    def _start_logged_devices(self) -> None:
        """Power up each virtual device once it is in the CHF device log, as an installer
        does after adding a meter (CCS01): it then requests to join."""
        assert self.hub is not None
        for slot in self.devices.values():
            if slot.device is None and slot.eui in self.hub.state.device_log:
                self._record("han", f"{slot.kind.upper()} {slot.eui.hex().upper()} powered up")
                self._start_device(slot)

    def _start_device(self, slot: DeviceSlot) -> None:
        slot.device = slot.factory(self._next_at())
        slot.joined = False
        self._restore_device(slot)
        self._timers.cancel_owner(slot.eui)
        self._queue(slot.eui, dev.Started(at=self._next_at()))

    def _to_device(self, action: act.SendHan) -> None:
        slot = self.devices.get(action.device)
        if slot is None or slot.device is None:
            LOGGER.debug("hub %s: no virtual device %s; HAN frame dropped", self.name,
                         action.device.hex())
            return
        if self.capture is not None:
            self.capture.zcl(self._chf, action.device, action.cluster, action.payload,
                             aps_ack=action.aps_ack)
        self._queue(slot.eui, dev.HanFrameReceived(at=self._next_at(), source=self._chf,
                                                   cluster=action.cluster, payload=action.payload))

    def _join_decided(self, action: act.JoinDecision) -> None:
        slot = self.devices.get(action.device)
        if action.accepted and self.capture is not None and action.link_key is not None:
            self.capture.join_accepted(action.device, action.link_key)
        self._record("han", f"join of {action.device.hex().upper()} "
                            f"{'accepted' if action.accepted else 'refused'}: {action.reason}")
        if slot is None or slot.device is None:
            return
        slot.joined = action.accepted
        self._queue(slot.eui, dev.JoinCompleted(at=self._next_at(), accepted=action.accepted))

    async def _handle_device(self, work: _Work) -> None:
        eui = work.target
        assert isinstance(eui, bytes)
        slot = self.devices.get(eui)
        if slot is None or slot.device is None:
            return
        try:
            actions = slot.device.handle(work.event)
        except CommshubError as exc:
            LOGGER.warning("device %s: %s", eui.hex().upper(), exc)
            return
        snapshot = getattr(slot.device, "snapshot", None)
        memory = snapshot() if self._device_memory is not None and snapshot is not None else None
        last_frame: _Work | None = None
        for action in actions:
            last_frame = self._from_device(slot, action) or last_frame
        if memory is None:
            return
        self._memory_taken[eui] = taken = self._memory_taken.get(eui, 0) + 1
        if last_frame is None:
            self._save_device(slot, taken, memory)
        else:
            # The meter's memory and the hub's NVM change together: the memory is stored just
            # after the hub has stored the meter's last frame and before anything it caused
            # leaves. A kill before then finds the meter as it was, so it answers a command the
            # hub sends again instead of rejecting its counter while its response is lost.
            last_frame.memory = (slot, taken, memory)

    def _save_device(self, slot: DeviceSlot, taken: int, memory: dict[str, Any]) -> None:
        """Store snapshot number ``taken`` of a device unless a later one is stored already."""
        assert self._device_memory is not None
        if taken > self._memory_stored.get(slot.eui, 0):
            self._device_memory.save(slot.eui, slot.kind, memory)
            self._memory_stored[slot.eui] = taken

    def _store_memory(self, work: _Work) -> None:
        if work.memory is not None and self._device_memory is not None:
            self._save_device(*work.memory)

    def _restore_device(self, slot: DeviceSlot) -> None:
        """Give a device built afresh what its own memory kept before this process restarted."""
        restore = getattr(slot.device, "restore", None)
        if self._device_memory is None or restore is None:
            return
        snapshot = self._device_memory.load(slot.eui)
        if snapshot is None:
            return
        try:
            restore(snapshot, at=self._next_at())
        except ValueError as exc:
            LOGGER.warning("hub %s: %s; the device starts from the factory", self.name, exc)
            return
        self._record("han", f"{slot.kind.upper()} {slot.eui.hex().upper()} restored from its "
                            f"memory (firmware {snapshot.get('firmware_version', '?').upper()})")

    def _from_device(self, slot: DeviceSlot, action: dev.DeviceAction) -> _Work | None:
        """Carry out a device's action; return the hub's work item when it is a frame to it."""
        if isinstance(action, dev.SendHan):
            if self.capture is not None:
                self.capture.zcl(slot.eui, action.destination, action.cluster, action.payload)
            if not self.mains:
                LOGGER.debug("hub %s has no mains: frame from %s lost", self.name, slot.eui.hex())
                return None
            return self._queue(_HUB, ev.HanFrameReceived(at=self._next_at(), device=slot.eui,
                                                         cluster=action.cluster, payload=action.payload))
        elif isinstance(action, dev.RequestJoin):
            if self.capture is not None:
                self.capture.join_requested(slot.eui)
            self._queue(_HUB, ev.DeviceJoinRequested(at=self._next_at(), device=slot.eui,
                                                     link_key=action.link_key))
        elif isinstance(action, dev.StartTimer):
            self._timers.start((slot.eui, action.name), float(action.deadline))
        elif isinstance(action, dev.CancelTimer):
            self._timers.cancel((slot.eui, action.name))
        elif isinstance(action, dev.ImageActivated):
            slot.activations.append(action.version.hex().upper())
            self._record("firmware", f"{slot.kind.upper()} {slot.eui.hex().upper()} runs firmware "
                                     f"{action.version.hex().upper()}")
        return None

    # --- timers ------------------------------------------------------------------------------

    async def _fire(self, key: TimerKey, deadline: float) -> None:
        owner, name = key
        at = self._next_at(math.ceil(deadline))
        if owner == _HUB:
            self._queue(_HUB, ev.TimerExpired(at=at, name=name))
        elif owner == _CSP:
            self._queue(_CSP, name)
        else:
            self._queue(owner, dev.TimerExpired(at=at, name=name))

    # --- status ------------------------------------------------------------------------------

    def _record(self, kind: str, text: str) -> None:
        self.timeline.append(TimelineEntry(self.clock.now(), kind, text))
        # Lifecycle at INFO; the traffic entries (alerts, cached reads) at DEBUG, because a
        # fleet sends many of them.
        level = logging.DEBUG if kind in _TRAFFIC_KINDS else logging.INFO
        LOGGER.log(level, "hub %s: %s", self.name, text)

    def status(self) -> dict[str, Any]:
        """Return the hub's state for the bench's status control (JSON-ready)."""
        assert self.hub is not None
        state = self.hub.state
        lifecycle = state.lifecycle
        log = [{"eui": entry.eui.hex().upper(), "device_type": entry.device_type,
                "joined": bool(entry.tc_link_key)} for entry in state.device_log]
        devices = []
        for slot in self.devices.values():
            info: dict[str, Any] = {"kind": slot.kind, "eui": slot.eui.hex().upper(),
                                    "device_type": slot.device_type, "joined": slot.joined,
                                    "activations": list(slot.activations)}
            info.update(_device_details(slot.device))
            devices.append(info)
        clock = self.hub.time_client.status(self.clock.now()) if self.hub.time_client else None
        return {
            "index": self.index, "chf": state.identity.chf_id.hex().upper(),
            "gpf": state.identity.gpf_id.hex().upper(),
            "address": str(self.address) if self.address else None,
            "lifecycle": lifecycle.state.value, "network_address": lifecycle.network_address,
            "installed_at": lifecycle.installed_at, "activated_at": lifecycle.activated_at,
            "signal": {"strength_dbm": lifecycle.strength_dbm, "quality": lifecycle.quality,
                       "packet_loss_percent": lifecycle.packet_loss_percent},
            "outage_threshold": state.settings.outage_threshold,
            "power": state.power.state.value, "mains": self.mains, "wan": self.wan_up,
            "wan_link": state.wan_link.value, "clock_offset": state.clock_offset,
            "utc": state.utc, "now": self.clock.now(),
            "synchronised": clock.synchronised if clock else None,
            "reliable": clock.reliable if clock else None,
            "counters": {party.hex().upper(): counter for party, counter in state.counters.items()},
            "device_log": log, "devices": devices,
            "nvm": image_digest(self.hub.image()),
            "driver": dict(self.counters),
            "timeline": [entry.to_json() for entry in self.timeline],
        }

    # --- the bench's switches ----------------------------------------------------------------

    def _load_environment(self) -> None:
        try:
            value = json.loads(self._environment.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            LOGGER.warning("bench switches in %s unreadable (%s); using the defaults",
                           self._environment, exc)
            return
        self.mains = bool(value.get("mains", self.mains))
        self.wan_up = bool(value.get("wan", self.wan_up))

    def _save_environment(self) -> None:
        temporary = self._environment.with_suffix(".tmp")
        temporary.write_text(json.dumps({"mains": self.mains, "wan": self.wan_up}), encoding="utf-8")
        temporary.replace(self._environment)


def image_digest(image: Mapping[str, Mapping[str, bytes]]) -> dict[str, str]:
    """A SHA-256 per NVM table over its sorted records (hex), to compare two images, such as
    what a hub reports and what its NVM file contains."""
    digests = {}
    for table in sorted(image):
        digest = hashlib.sha256()
        for key, value in sorted(image[table].items()):
            digest.update(len(key).to_bytes(4, "big") + key.encode() + len(value).to_bytes(4, "big"))
            digest.update(value)
        digests[table] = digest.hexdigest()
    return digests


def _command_of(frame: bytes) -> GbcsFrame | None:
    try:
        parsed = parse_frame(frame)
    except CodecError:
        return None
    return parsed if int(parsed.cra) == Cra.COMMAND else None


def _tunnel_id(device: Device | None) -> int | None:
    """Return the GBCS tunnel a device has open to the hub, from its HAN state, or None."""
    han = getattr(getattr(device, "state", None), "han", None)
    tunnel_id = getattr(han, "tunnel_id", None)
    return tunnel_id if isinstance(tunnel_id, int) else None


def _device_details(device: Device | None) -> Mapping[str, Any]:
    """What a status report shows of a device: firmware version and the hub time it read."""
    state = getattr(device, "state", None)
    details: dict[str, Any] = {}
    version = getattr(state, "firmware_version", None)
    if isinstance(version, bytes):
        details["firmware_version"] = version.hex().upper()
    han = getattr(state, "han", None)
    if han is not None:
        details["tunnel_open"] = getattr(han, "tunnel_id", None) is not None
        details["time_offset"] = getattr(han, "time_offset", None)
    return details
