"""The hub's UTC clock, kept by the time client (:mod:`commshub.hub.timesync`) when one is set.

The hub's UTC is the driver's clock plus ``clock_offset`` (kept in NVM). With
``time_sync`` settings, :class:`~commshub.hub.timesync.TimeClient` polls the CSP's NTP server
and signed time service over the WAN, and every step or slew it accepts moves the offset.
Without them, the driver may correct the clock itself with
:class:`~commshub.hub.events.ClockAdjusted`.

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

__all__ = ["TIME_TIMER", "start", "sync_requested"]

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
            _follow(hub, at)
        elif isinstance(action, timesync.ClockUnsynchronised):
            LOGGER.warning("hub %s: clock unsynchronised: %s", hub.id, action.reason)
        # ResponseRejected and RequestTimedOut are logged by the time client itself.


def _follow(hub: Hub, at: float) -> None:
    """Take the hub's offset from the time client's clock."""
    client = hub.time_client
    assert client is not None
    state = hub.state
    offset = round(client.utc(at) - at)
    if offset != state.clock_offset:
        LOGGER.info("hub %s: clock corrected by %+d s", hub.id, offset - state.clock_offset)
        state.clock_offset = offset
        state.touch("chf")
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


def _register() -> None:
    from commshub.hub.hub import handles, handles_timer

    handles(ev.TimeResponseReceived)(_on_response)
    handles_timer(TIME_TIMER)(_on_time_timer)


_register()
