"""The Communications Hub state machine: ``Hub.handle(event) -> list[Action]``.

One :class:`Hub` is one CH (CHF and GPF). It never reads a clock, opens a socket or starts a
thread: the driver feeds it events (see :mod:`commshub.hub.events`) and carries out the actions
it returns (see :mod:`commshub.hub.actions`), timers included.

Contract with the driver:

1. Build the hub with :meth:`Hub.create` (new) or :meth:`Hub.restore` (from NVM) and send it
   :class:`~commshub.hub.events.Started` first.
2. Carry out each action list in order before handling the next event. A PersistState comes
   first whenever non-volatile state changed: write it (``commshub.store.nvm.Nvm.apply``)
   before anything else, so nothing leaves the hub before the state it depends on is stored.
3. After a crash or power cut, rebuild with ``Hub.restore(nvm.load())`` and send Started; the
   hub re-arms its timers and sends again what it had not confirmed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, TypeVar

from commshub.errors import LocalProtocolError
from commshub.hub import events as ev
from commshub.hub import timesync
from commshub.hub.actions import (
    Action,
    ActivationRequest,
    CancelTimer,
    CspMessage,
    InstallationReport,
    PowerOutageAlert,
    PowerRestoreAlert,
    SendCsp,
    SendHan,
    SendWan,
    StartTimer,
    WanKind,
)
from commshub.hub.gbcs_io import GbcsIo
from commshub.hub.persistence import Image, RecordTracker
from commshub.hub.settings import HubIdentity, HubSettings
from commshub.hub.state import VOLATILE_TIMERS, HubState
from commshub.hub.transitions import (
    Component,
    LifecycleState,
    PowerState,
    RunState,
    Trigger,
    WanLinkState,
    advance,
)

__all__ = ["ACTIVATION_TIMER", "OUTAGE_TIMER", "Hub"]

LOGGER = logging.getLogger(__name__)

OUTAGE_TIMER = "outage_threshold"
ACTIVATION_TIMER = "activation_retry"

_E = TypeVar("_E", bound=ev.Event)
Handler = Callable[["Hub", Any], None]
_HANDLERS: dict[type[ev.Event], Handler] = {}
_TIMER_HANDLERS: dict[str, Callable[[Hub, str], None]] = {}


def handles(event_type: type[_E]) -> Callable[[Callable[[Hub, _E], None]], Callable[[Hub, _E], None]]:
    """Register a function as the handler of ``event_type`` (one handler per event type)."""

    def register(function: Callable[[Hub, _E], None]) -> Callable[[Hub, _E], None]:
        if event_type in _HANDLERS:
            raise RuntimeError(f"two handlers for {event_type.__name__}")
        _HANDLERS[event_type] = function
        return function

    return register


def handles_timer(prefix: str) -> Callable[[Callable[[Hub, str], None]], Callable[[Hub, str], None]]:
    """Register a function for timers named ``prefix`` or ``prefix:<anything>``."""

    def register(function: Callable[[Hub, str], None]) -> Callable[[Hub, str], None]:
        _TIMER_HANDLERS[prefix] = function
        return function

    return register


class Hub:
    """One Communications Hub (CHF and GPF); see the module docstring for the driver contract."""

    def __init__(
        self, state: HubState, written: Image, time_sync: timesync.TimeSyncSettings | None = None,
    ) -> None:
        self.state = state
        self.gbcs = GbcsIo(state.identity)
        self.time_client = timesync.TimeClient(time_sync) if time_sync is not None else None
        self._tracker = RecordTracker(written)
        self._actions: list[Action] = []
        self._after_response: list[Callable[[], None]] = []

    # --- construction --------------------------------------------------------------------

    @classmethod
    def create(
        cls, identity: HubIdentity, settings: HubSettings | None = None, *,
        time_sync: timesync.TimeSyncSettings | None = None,
    ) -> Hub:
        """Make a new hub, as it leaves the factory; its first PersistState writes everything.

        With ``time_sync`` the hub runs the time client against the CSP's time service.
        """
        state = HubState(identity, settings or HubSettings())
        state.touch_all()
        return cls(state, {}, time_sync)

    @classmethod
    def restore(
        cls, image: Mapping[str, Mapping[str, bytes]], *,
        time_sync: timesync.TimeSyncSettings | None = None,
    ) -> Hub:
        """Rebuild a hub from the records of its non-volatile memory (``Nvm.load()``)."""
        if "identity" not in image or "settings" not in image:
            raise LocalProtocolError("cannot restore a hub: the NVM image has no identity or settings")
        written = {table: dict(records) for table, records in image.items()}
        return cls(HubState.from_image(image), written, time_sync)

    # --- public view ---------------------------------------------------------------------

    @property
    def id(self) -> str:
        """The hub's name in logs and errors: its CHF ID in hex."""
        return self.state.identity.chf_id.hex().upper()

    def image(self) -> Image:
        """Return the hub's non-volatile state as NVM records (what a restart rebuilds from)."""
        return self.state.image()

    def written_image(self) -> Image:
        """Return the records that the PersistState actions returned so far have written."""
        return self._tracker.image()

    def __repr__(self) -> str:
        return f"Hub({self.id}, {self.state.lifecycle.state.value}, {self.state.power.state.value})"

    # --- the event loop ------------------------------------------------------------------

    def handle(self, event: ev.Event) -> list[Action]:
        """Handle one event; return the actions to carry out, in order.

        Raises IllegalTransition (a LocalProtocolError) when the event is not allowed in the
        hub's state; the hub then stays exactly as it was.
        """
        if not isinstance(event, ev.Event):
            raise TypeError(f"Hub.handle takes an Event, got {type(event).__name__}")
        state = self.state
        name = type(event).__name__
        trigger = Trigger.START if isinstance(event, ev.Started) else Trigger.EVENT
        new_run = advance(Component.RUN, state.run, trigger, hub_id=self.id, event=name)
        if event.at < state.now:
            raise LocalProtocolError(
                f"hub {self.id}: event {name} at {event.at} is earlier than the previous event at "
                f"{state.now}; the driver's clock must not go backwards"
            )
        handler = _HANDLERS.get(type(event))
        if handler is None:
            raise LocalProtocolError(f"hub {self.id}: no handler for event {name}")
        self._actions = []
        previous_now = state.now
        state.now = event.at
        try:
            clock.track(self)
            handler(self, event)
            self.flush_after_response()
        except BaseException:
            self._roll_back(previous_now)
            raise
        state.run = RunState(new_run)
        if state.outbox.forget_released():
            state.touch("outbox")
        cat2.drop_expired(self)
        released = self._release_outbox()
        persist = self._tracker.diff((table, state.records(table)) for table in state.take_dirty())
        actions = self._actions + released
        self._actions = []
        return [persist, *actions] if persist else actions

    def _roll_back(self, previous_now: int) -> None:
        # A handler that raised may have changed non-volatile parts before it failed. Rebuild
        # them from the records in NVM, so the hub is what the driver last got from it.
        written = self._tracker.image()
        restored = HubState.from_image(written) if "identity" in written else None
        if restored is not None:
            for attribute in ("lifecycle", "power", "firmware_version", "clock_offset", "counters",
                              "alert_counter", "device_log", "historic_log", "event_log",
                              "security_log", "timers", "extra"):
                setattr(self.state, attribute, getattr(restored, attribute))
            restored.outbox.keep_release_marks(self.state.outbox)
            self.state.outbox = restored.outbox
        self.state.take_dirty()
        self.state.now = previous_now
        self._actions = []
        self._after_response = []

    def _release_outbox(self) -> list[Action]:
        state = self.state
        if state.wan_link is not WanLinkState.UP or state.run is not RunState.RUNNING:
            return []
        return list(state.outbox.release())

    # --- helpers for handlers ------------------------------------------------------------

    def after_response(self, work: Callable[[], None]) -> None:
        """Run ``work`` once the response to the command being handled is queued (for alerts
        that a command causes, such as CS14 after CCS01), or at the end of the event."""
        self._after_response.append(work)

    def flush_after_response(self) -> None:
        while self._after_response:
            self._after_response.pop(0)()

    def emit(self, action: Action) -> None:
        self._actions.append(action)

    def start_timer(self, name: str, deadline: int) -> None:
        self.state.timers[name] = deadline
        if not name.startswith(VOLATILE_TIMERS):
            self.state.touch("timers")
        self.emit(StartTimer(name, deadline))

    def cancel_timer(self, name: str) -> None:
        if self.state.timers.pop(name, None) is not None:
            if not name.startswith(VOLATILE_TIMERS):
                self.state.touch("timers")
            self.emit(CancelTimer(name))

    def send_wan(
        self, kind: WanKind, recipient: bytes, message_code: int, data: bytes, *,
        alert_code: int | None = None, expires_at: int | None = None,
    ) -> int:
        """Queue a GBCS message for the SMWAN; return its message ID."""
        outbox = self.state.outbox
        message = SendWan(outbox.new_id(), kind, recipient, message_code, data, alert_code, expires_at)
        outbox.put(message)
        self.state.touch("outbox")
        return message.message_id

    def send_csp(self, message: CspMessage) -> int:
        outbox = self.state.outbox
        action = SendCsp(outbox.new_id(), message)
        outbox.put(action)
        self.state.touch("outbox")
        return action.message_id

    def send_han(self, device: bytes, cluster: int, payload: bytes, *, aps_ack: bool = True) -> None:
        self.emit(SendHan(device, cluster, payload, aps_ack=aps_ack))

    def next_alert_counter(self) -> int:
        """Return a fresh originator counter for an alert (strictly increasing, kept in NVM)."""
        counter = self.state.alert_counter
        self.state.alert_counter = counter + 1
        self.state.touch("alert_counter")
        return counter

    def dropped_without_mains(self, event: ev.Event) -> bool:
        """Tell whether the hub is without mains power, logging that it dropped ``event``.

        Without mains the WAN modem is off, so nothing that arrives over the WAN reaches the
        hub: it neither acts on it nor acknowledges it.
        """
        if self.state.power.state is PowerState.MAINS_ON:
            return False
        LOGGER.warning("hub %s is without mains: %s dropped", self.id, type(event).__name__)
        return True

    def log_event(self, code: int, info: bytes = b"") -> None:
        self.state.event_log.append(self.state.utc, code, info)
        self.state.touch("event_log")

    def log_security(self, code: int, info: bytes = b"") -> None:
        self.state.security_log.append(self.state.utc, code, info)
        self.state.touch("security_log")

    def move(self, component: Component, current: Any, trigger: Trigger, event: str, *,
             instance: str | None = None) -> Any:
        return advance(component, current, trigger, hub_id=self.id, event=event, instance=instance)


# --- start -------------------------------------------------------------------------------


@handles(ev.Started)
def _on_started(hub: Hub, event: ev.Started) -> None:
    state = hub.state
    state.wan_link = WanLinkState.UP if event.wan_up else WanLinkState.DOWN
    state.outbox.unrelease_all()
    # Timers kept in NVM are re-armed. A deadline that passed while the hub was down fires as
    # soon as the driver schedules it.
    state.timers = {name: deadline for name, deadline in state.timers.items()
                    if not name.startswith(VOLATILE_TIMERS)}
    for name, deadline in sorted(state.timers.items()):
        hub.emit(StartTimer(name, deadline))
    LOGGER.info("hub %s started (%s, %s)", hub.id, state.lifecycle.state.value, state.power.state.value)
    clock.start(hub, event)
    _reconcile_power(hub, event)
    if state.wan_link is WanLinkState.UP and state.lifecycle.state is LifecycleState.AWAITING_COVERAGE:
        _coverage_arrived(hub, "Started", None)


def _reconcile_power(hub: Hub, event: ev.Started) -> None:
    power = hub.state.power
    if power.state is PowerState.MAINS_ON and not event.mains_present:
        _mains_lost(hub, "Started")
    elif power.state is not PowerState.MAINS_ON and event.mains_present:
        # Mains came back while the hub was down or restarting. If the threshold passed in
        # the meantime, the outage alert goes now, so that its restore alert has a partner.
        if power.state is PowerState.OUTAGE_PENDING and power.lost_at is not None and (
                event.at - power.lost_at >= hub.state.settings.outage_threshold):
            _outage_threshold_passed(hub, "Started")
        _mains_restored(hub, "Started")


# --- power -------------------------------------------------------------------------------


@handles(ev.MainsLost)
def _on_mains_lost(hub: Hub, event: ev.MainsLost) -> None:
    _mains_lost(hub, "MainsLost")


@handles(ev.MainsRestored)
def _on_mains_restored(hub: Hub, event: ev.MainsRestored) -> None:
    _mains_restored(hub, "MainsRestored")


def _mains_lost(hub: Hub, event: str) -> None:
    state = hub.state
    new = hub.move(Component.POWER, state.power.state, Trigger.MAINS_LOST, event)
    state.power = replace(state.power, state=new, lost_at=state.utc, alert_sent=False)
    state.touch("power")
    LOGGER.info("hub %s: mains lost at %d (last gasp)", hub.id, state.utc)
    hub.start_timer(OUTAGE_TIMER, state.now + state.settings.outage_threshold)


def _mains_restored(hub: Hub, event: str) -> None:
    state = hub.state
    power = state.power
    new = hub.move(Component.POWER, power.state, Trigger.MAINS_RESTORED, event)
    hub.cancel_timer(OUTAGE_TIMER)
    address = state.lifecycle.network_address
    if power.alert_sent and power.lost_at is not None and address is not None:
        hub.send_csp(PowerRestoreAlert(address, power.lost_at, state.utc, max(0, state.utc - power.lost_at)))
        LOGGER.info("hub %s: mains restored after %d s; restore alert sent", hub.id,
                    state.utc - power.lost_at)
    elif power.alert_sent:
        # Decommissioned during the outage: the hub has left the SMWAN, so no restore alert.
        LOGGER.info("hub %s: mains restored, but the hub has no network address any more", hub.id)
    state.power = replace(power, state=new, lost_at=None, alert_sent=False)
    state.touch("power")


@handles_timer(OUTAGE_TIMER)
def _on_outage_timer(hub: Hub, name: str) -> None:
    _outage_threshold_passed(hub, f"TimerExpired({name})")


def _outage_threshold_passed(hub: Hub, event: str) -> None:
    state = hub.state
    power = state.power
    new = hub.move(Component.POWER, power.state, Trigger.OUTAGE_THRESHOLD_PASSED, event)
    state.timers.pop(OUTAGE_TIMER, None)
    state.touch("timers")
    address = state.lifecycle.network_address
    sent = False
    if address is not None and power.lost_at is not None:
        hub.send_csp(PowerOutageAlert(address, power.lost_at))
        sent = True
        LOGGER.info("hub %s: power outage alert sent (mains lost at %d)", hub.id, power.lost_at)
    else:
        LOGGER.info("hub %s: outage passed the threshold but the hub has no network address", hub.id)
    state.power = replace(power, state=new, alert_sent=sent)
    state.touch("power")


# --- timers ------------------------------------------------------------------------------


@handles(ev.TimerExpired)
def _on_timer(hub: Hub, event: ev.TimerExpired) -> None:
    deadline = hub.state.timers.get(event.name)
    if deadline is None or event.at < deadline:
        # Cancelled or restarted after the driver had already scheduled this expiry.
        LOGGER.debug("hub %s: ignored stale timer %s", hub.id, event.name)
        return
    prefix = event.name.split(":", 1)[0]
    handler = _TIMER_HANDLERS.get(prefix)
    if handler is None:
        raise LocalProtocolError(f"hub {hub.id}: no handler for timer {event.name!r}")
    hub.state.timers.pop(event.name)
    if not event.name.startswith(VOLATILE_TIMERS):
        hub.state.touch("timers")
    handler(hub, event.name)


# --- WAN link, installation, activation --------------------------------------------------


@handles(ev.WanLinkChanged)
def _on_wan_link(hub: Hub, event: ev.WanLinkChanged) -> None:
    state = hub.state
    trigger = Trigger.LINK_UP if event.up else Trigger.LINK_DOWN
    state.wan_link = hub.move(Component.WAN_LINK, state.wan_link, trigger, "WanLinkChanged")
    if event.up and state.lifecycle.state is LifecycleState.AWAITING_COVERAGE:
        _coverage_arrived(hub, "WanLinkChanged", event.signal)
    if event.up:
        clock.sync_requested(hub, event.at)


@handles(ev.Installed)
def _on_installed(hub: Hub, event: ev.Installed) -> None:
    state = hub.state
    online = state.wan_link is WanLinkState.UP
    trigger = Trigger.INSTALL_ONLINE if online else Trigger.INSTALL_OFFLINE
    new = hub.move(Component.LIFECYCLE, state.lifecycle.state, trigger, "Installed")
    signal = event.signal
    state.lifecycle = replace(
        state.lifecycle, state=new, network_address=event.network_address, installed_at=state.utc,
        strength_dbm=signal.strength_dbm if signal else None,
        quality=signal.quality if signal else None,
        packet_loss_percent=signal.packet_loss_percent if signal else None,
        activation_attempts=0, activated_at=None,
    )
    state.touch("lifecycle")
    LOGGER.info("hub %s installed at %s (%s)", hub.id, event.network_address,
                "WAN up" if online else "no WAN coverage")
    chf.record_channel_selection(hub)
    if online:
        _report_installation(hub)
        _request_activation(hub)


def _coverage_arrived(hub: Hub, event: str, signal: ev.WanSignal | None) -> None:
    state = hub.state
    new = hub.move(Component.LIFECYCLE, state.lifecycle.state, Trigger.COVERAGE_ARRIVED, event)
    lifecycle = state.lifecycle
    if signal is not None:
        lifecycle = replace(lifecycle, strength_dbm=signal.strength_dbm, quality=signal.quality,
                            packet_loss_percent=signal.packet_loss_percent)
    state.lifecycle = replace(lifecycle, state=new)
    state.touch("lifecycle")
    LOGGER.info("hub %s: WAN coverage arrived; activating without an installer", hub.id)
    _report_installation(hub)
    _request_activation(hub)


def _report_installation(hub: Hub) -> None:
    lifecycle = hub.state.lifecycle
    assert lifecycle.network_address is not None and lifecycle.installed_at is not None
    hub.send_csp(InstallationReport(
        lifecycle.network_address, lifecycle.installed_at, lifecycle.strength_dbm,
        lifecycle.quality, lifecycle.packet_loss_percent,
    ))


def _request_activation(hub: Hub) -> None:
    state = hub.state
    attempts = state.lifecycle.activation_attempts + 1
    state.lifecycle = replace(state.lifecycle, activation_attempts=attempts)
    state.touch("lifecycle")
    identity = state.identity
    hub.send_csp(ActivationRequest(state.lifecycle.network_address or "", identity.chf_id,
                                   identity.gpf_id, attempts))
    hub.start_timer(ACTIVATION_TIMER, state.now + state.settings.activation_retry_interval)


@handles_timer(ACTIVATION_TIMER)
def _on_activation_timer(hub: Hub, name: str) -> None:
    state = hub.state
    state.lifecycle = replace(state.lifecycle, state=hub.move(
        Component.LIFECYCLE, state.lifecycle.state, Trigger.ACTIVATION_RETRY, f"TimerExpired({name})"))
    _request_activation(hub)


@handles(ev.ActivationConfirmed)
def _on_activation_confirmed(hub: Hub, event: ev.ActivationConfirmed) -> None:
    state = hub.state
    new = hub.move(Component.LIFECYCLE, state.lifecycle.state, Trigger.ACTIVATION_CONFIRMED,
                   "ActivationConfirmed")
    state.lifecycle = replace(state.lifecycle, state=new, activated_at=state.utc)
    state.touch("lifecycle")
    hub.cancel_timer(ACTIVATION_TIMER)
    LOGGER.info("hub %s activated", hub.id)


@handles(ev.Decommissioned)
def _on_decommissioned(hub: Hub, event: ev.Decommissioned) -> None:
    state = hub.state
    new = hub.move(Component.LIFECYCLE, state.lifecycle.state, Trigger.DECOMMISSION, "Decommissioned")
    state.lifecycle = replace(state.lifecycle, state=new, network_address=None)
    state.touch("lifecycle")
    hub.cancel_timer(ACTIVATION_TIMER)
    dropped = state.outbox.discard_all()
    state.touch("outbox")
    LOGGER.info("hub %s decommissioned; %d unsent WAN messages dropped", hub.id, dropped)


# The feature modules register their handlers when imported. ``commands`` goes first: it
# imports the use-case modules in the order their own imports need.
from commshub.hub import commands as _commands  # noqa: F401, I001
from commshub.hub import cat2, chf, clock
