"""The hub's UTC clock, kept by the time client (:mod:`commshub.hub.timesync`) when one is set.

The hub's UTC is the driver's clock plus ``clock_offset`` (kept in NVM). With
``time_sync`` settings, :class:`~commshub.hub.timesync.TimeClient` polls the CSP's NTP server
and signed time service over the WAN and models the hub's local clock, which drifts while
unsynchronised and is stepped or slewed by the samples it accepts. The offset is read from
that model at the start of every event, so the hub's UTC and the client's clock agree to the
whole second. A step that the client accepts is also logged as a clock adjustment.
:class:`~commshub.hub.events.ClockAdjusted` sets the clock from the driver (an unset real-time
clock, or a driver without a time client); with a time client it sets the client's clock too.

The time client runs on the hub's events: it gets the event's ``at`` as its monotonic time,
except for :class:`~commshub.hub.events.TimeResponseReceived`, whose optional ``monotonic``
gives the arrival time to the sub-second, so that the round trip is measured precisely (the
requests leave at the whole second of the event that sent them).
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING

from commshub.hub import events as ev
from commshub.hub import timesync
from commshub.hub.actions import SendTimeRequest
from commshub.hub.logs import EventCode

if TYPE_CHECKING:
    from commshub.hub.hub import Hub

__all__ = ["TIME_TIMER", "start", "sync_requested", "track"]

LOGGER = logging.getLogger(__name__)

TIME_TIMER = "time"


def _carry_out(hub: Hub, actions: list[timesync.Action], at: float) -> None:
    client = hub.time_client
    assert client is not None
    for action in actions:
        if isinstance(action, timesync.SendNtpRequest):
            hub.emit(SendTimeRequest("ntp", action.data))
        elif isinstance(action, timesync.SendTimeRequest):
            hub.emit(SendTimeRequest("signed_time", action.data))
        elif isinstance(action, timesync.StartTimer):
            hub.start_timer(f"{TIME_TIMER}:{action.timer.value}", math.ceil(at + action.delay_s))
        elif isinstance(action, timesync.CancelTimer):
            hub.cancel_timer(f"{TIME_TIMER}:{action.timer.value}")
        elif isinstance(action, (timesync.ClockStepped, timesync.ClockSlewed)):
            _follow(hub)
        elif isinstance(action, timesync.ClockUnsynchronised):
            LOGGER.warning("hub %s: clock unsynchronised: %s", hub.id, action.reason)
        # ResponseRejected and RequestTimedOut are logged by the time client itself.


def _client_offset(hub: Hub) -> int | None:
    """Return the time client's clock minus the driver's, in whole seconds, at the current
    event, or None without a started time client."""
    client = hub.time_client
    if client is None or not client.started:
        return None
    now = hub.state.now
    return round(client.utc(now)) - now


def _set_offset(hub: Hub, offset: int) -> bool:
    state = hub.state
    if offset == state.clock_offset:
        return False
    state.clock_offset = offset
    state.touch("chf")
    return True


def track(hub: Hub) -> None:
    """Take the hub's offset from the time client's clock model (drift and slew included)."""
    offset = _client_offset(hub)
    if offset is not None and _set_offset(hub, offset):
        LOGGER.debug("hub %s: clock offset now %+d s", hub.id, offset)


def _follow(hub: Hub) -> None:
    """Take the hub's offset from the time client's clock after it accepted a sample."""
    previous = hub.state.clock_offset
    offset = _client_offset(hub)
    if offset is not None and _set_offset(hub, offset):
        LOGGER.info("hub %s: clock corrected by %+d s", hub.id, offset - previous)
        hub.log_event(EventCode.CLOCK_ADJUSTED)


def start(hub: Hub, event: ev.Started) -> None:
    """Start the time client with the hub's stored clock as its real-time clock."""
    client = hub.time_client
    if client is None:
        return
    actions = client.handle(timesync.Started(monotonic=float(event.at),
                                             rtc_utc=float(event.at + hub.state.clock_offset)))
    _carry_out(hub, actions, event.at)


def sync_requested(hub: Hub, at: int) -> None:
    """Poll every time source now (the WAN link has come up)."""
    if hub.time_client is not None:
        _carry_out(hub, hub.time_client.handle(timesync.SyncRequested(monotonic=float(at))), at)


def _on_time_timer(hub: Hub, name: str) -> None:
    client = hub.time_client
    if client is None:
        return
    timer = timesync.TimerName(name.split(":", 1)[1])
    now = hub.state.now
    _carry_out(hub, client.handle(timesync.TimerExpired(monotonic=float(now), timer=timer)), now)


def _on_response(hub: Hub, event: ev.TimeResponseReceived) -> None:
    client = hub.time_client
    if client is None:
        LOGGER.warning("hub %s: time response dropped: no time client is configured", hub.id)
        return
    monotonic = event.monotonic if event.monotonic is not None else float(event.at)
    received: timesync.Event
    if event.source == "ntp":
        received = timesync.NtpPacketReceived(monotonic=monotonic, data=event.data)
    else:
        received = timesync.SignedTimeReceived(monotonic=monotonic, data=event.data)
    _carry_out(hub, client.handle(received), monotonic)


def _on_clock_adjusted(hub: Hub, event: ev.ClockAdjusted) -> None:
    if not event.synchronised:
        LOGGER.warning("hub %s: clock set from an unsynchronised source (offset %d s)", hub.id, event.offset)
    client = hub.time_client
    if client is not None:
        utc = float(event.at + event.offset)
        _carry_out(hub, client.handle(timesync.ClockSet(monotonic=float(event.at), utc=utc)), event.at)
    if _set_offset(hub, event.offset):
        hub.log_event(EventCode.CLOCK_ADJUSTED)


def _register() -> None:
    from commshub.hub.hub import handles, handles_timer

    handles(ev.ClockAdjusted)(_on_clock_adjusted)
    handles(ev.TimeResponseReceived)(_on_response)
    handles_timer(TIME_TIMER)(_on_time_timer)


_register()
