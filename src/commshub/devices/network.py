"""An in-memory HAN: one sans-I/O hub and its virtual devices on a virtual clock.

:class:`VirtualHan` is a driver in the sense of the hub's contract: it feeds events to the hub
and to the devices, carries out their actions in order (HAN frames become the other side's
events, join requests go to the Trust Centre, timers wait on the virtual clock) and keeps what
leaves over the SMWAN. Non-volatile memory writes are applied to nothing: this driver never
cuts power, so nothing has to survive a restart.

Every loop is bounded in steps and in virtual time, so a device that never answers cannot hang
a test or a replay.
"""

from __future__ import annotations

import heapq
import logging
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from commshub.devices import events as dev
from commshub.hub import actions as hub_actions
from commshub.hub import events as hub_events
from commshub.hub.hub import Hub

__all__ = ["Device", "StepLimitExceeded", "VirtualHan", "WanMessage"]

LOGGER = logging.getLogger(__name__)

# Events one call to run() may handle before it gives up (hub and devices together).
DEFAULT_MAX_STEPS = 20_000


class Device(Protocol):
    """Interface the network needs of a virtual device."""

    @property
    def entity_id(self) -> bytes: ...

    def handle(self, event: dev.DeviceEvent) -> list[dev.DeviceAction]: ...


class StepLimitExceeded(RuntimeError):
    """The hub and devices kept producing work beyond the step limit (a loop between them)."""


@dataclass(frozen=True)
class WanMessage:
    """A GBCS message the hub sent over the SMWAN, at virtual time ``at``."""

    at: int
    action: hub_actions.SendWan


_HUB = b"hub"


@dataclass
class VirtualHan:
    """A hub and its devices. ``now`` is the virtual clock (UTC seconds since 1970)."""

    hub: Hub
    devices: dict[bytes, Device]
    now: int
    wan: list[WanMessage] = field(default_factory=list)
    csp: list[hub_actions.SendCsp] = field(default_factory=list)
    activations: list[tuple[bytes, dev.ImageActivated]] = field(default_factory=list)
    _queue: deque[tuple[bytes, object]] = field(default_factory=deque)
    _timers: dict[tuple[bytes, str], int] = field(default_factory=dict)
    _timer_heap: list[tuple[int, int, bytes, str]] = field(default_factory=list)
    _sequence: int = 0

    @classmethod
    def create(cls, hub: Hub, devices: Iterable[Device], *, now: int) -> VirtualHan:
        return cls(hub, {device.entity_id: device for device in devices}, now)

    # --- feeding events --------------------------------------------------------------------

    def to_hub(self, event_type: type[hub_events.Event], **fields: object) -> None:
        """Queue a hub event of ``event_type`` at the current virtual time."""
        self._queue.append((_HUB, event_type(at=self.now, **fields)))

    def to_device(self, device: bytes, event_type: type[dev.DeviceEvent], **fields: object) -> None:
        """Queue a device event of ``event_type`` at the current virtual time."""
        self._queue.append((device, event_type(at=self.now, **fields)))

    def unplug(self, device: bytes) -> None:
        """Take a device away from the HAN: its timers stop and frames to it are lost."""
        self.devices.pop(device, None)
        for key in [key for key in self._timers if key[0] == device]:
            del self._timers[key]

    def deliver_wan(self, data: bytes) -> None:
        """Queue a GBCS message arriving at the hub over the SMWAN."""
        self.to_hub(hub_events.WanFrameReceived, data=data)

    # --- running ---------------------------------------------------------------------------

    def run(self, *, until: int | None = None, max_steps: int = DEFAULT_MAX_STEPS) -> int:
        """Handle queued events, then timers in deadline order up to ``until`` (virtual time,
        default: the current time); return the number of events handled."""
        limit = self.now if until is None else until
        steps = 0
        while True:
            if self._queue:
                target, event = self._queue.popleft()
                self._dispatch(target, event)
                steps += 1
                if steps > max_steps:
                    raise StepLimitExceeded(f"more than {max_steps} events without settling")
                continue
            timer = self._next_timer(limit)
            if timer is None:
                break
            deadline, owner, name = timer
            self.now = max(self.now, deadline)
            if owner == _HUB:
                self._queue.append((owner, hub_events.TimerExpired(at=self.now, name=name)))
            else:
                self._queue.append((owner, dev.TimerExpired(at=self.now, name=name)))
        self.now = max(self.now, limit)
        return steps

    def run_until(self, predicate: Callable[[VirtualHan], bool], *, limit: int,
                  max_steps: int = DEFAULT_MAX_STEPS) -> bool:
        """Run timer by timer until ``predicate(self)`` holds or virtual time passes ``limit``;
        return whether it held."""
        self.run(max_steps=max_steps)
        while not predicate(self):
            timer = self._peek_timer()
            if timer is None or timer > limit:
                return False
            self.run(until=timer, max_steps=max_steps)
        return True

    def _peek_timer(self) -> int | None:
        while self._timer_heap:
            deadline, _, owner, name = self._timer_heap[0]
            if self._timers.get((owner, name)) == deadline:
                return deadline
            heapq.heappop(self._timer_heap)
        return None

    def _next_timer(self, limit: int) -> tuple[int, bytes, str] | None:
        deadline = self._peek_timer()
        if deadline is None or deadline > limit:
            return None
        _, _, owner, name = heapq.heappop(self._timer_heap)
        del self._timers[(owner, name)]
        return deadline, owner, name

    def _start_timer(self, owner: bytes, name: str, deadline: int) -> None:
        self._timers[(owner, name)] = deadline
        self._sequence += 1
        heapq.heappush(self._timer_heap, (deadline, self._sequence, owner, name))

    # --- routing -----------------------------------------------------------------------------

    def _dispatch(self, target: bytes, event: object) -> None:
        if target == _HUB:
            assert isinstance(event, hub_events.Event)
            for action in self.hub.handle(event):
                self._from_hub(action)
            return
        device = self.devices.get(target)
        if device is None:
            LOGGER.debug("no virtual device %s: %s dropped", target.hex(), type(event).__name__)
            return
        assert isinstance(event, dev.DeviceEvent)
        for device_action in device.handle(event):
            self._from_device(target, device_action)

    def _from_hub(self, action: hub_actions.Action) -> None:
        chf = self.hub.state.identity.chf_id
        if isinstance(action, hub_actions.SendHan):
            self._queue.append((action.device, dev.HanFrameReceived(
                at=self.now, source=chf, cluster=action.cluster, payload=action.payload)))
        elif isinstance(action, hub_actions.JoinDecision):
            self._queue.append((action.device, dev.JoinCompleted(at=self.now, accepted=action.accepted)))
        elif isinstance(action, hub_actions.SendWan):
            self.wan.append(WanMessage(self.now, action))
        elif isinstance(action, hub_actions.SendCsp):
            self.csp.append(action)
        elif isinstance(action, hub_actions.StartTimer):
            self._start_timer(_HUB, action.name, action.deadline)
        elif isinstance(action, hub_actions.CancelTimer):
            self._timers.pop((_HUB, action.name), None)
        elif not isinstance(action, hub_actions.PersistState):
            LOGGER.debug("hub action %s not carried out by the virtual HAN", type(action).__name__)

    def _from_device(self, device: bytes, action: dev.DeviceAction) -> None:
        if isinstance(action, dev.SendHan) and action.destination in self.devices:
            # Device to device (an IHD asking the meter for its price): ZigBee routes it
            # directly; the hub only sees it in a real network's radio traffic.
            self._queue.append((action.destination, dev.HanFrameReceived(
                at=self.now, source=device, cluster=action.cluster, payload=action.payload)))
        elif isinstance(action, dev.SendHan):
            self._queue.append((_HUB, hub_events.HanFrameReceived(
                at=self.now, device=device, cluster=action.cluster, payload=action.payload)))
        elif isinstance(action, dev.RequestJoin):
            self._queue.append((_HUB, hub_events.DeviceJoinRequested(
                at=self.now, device=device, link_key=action.link_key)))
        elif isinstance(action, dev.StartTimer):
            self._start_timer(device, action.name, action.deadline)
        elif isinstance(action, dev.CancelTimer):
            self._timers.pop((device, action.name), None)
        elif isinstance(action, dev.ImageActivated):
            self.activations.append((device, action))
