"""Timers of sans-I/O state machines, run on an injected clock.

A hub, its devices and its time client ask for timers with actions; a driver keeps them here,
keyed by owner and name (starting a timer again replaces it), and one task sleeps on the clock
until the earliest deadline, then hands every due timer to a callback in deadline order. On the
system clock that is real time; on a :class:`~commshub.wan.clock.VirtualClock` it is whenever
the clock is advanced.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from collections.abc import Awaitable, Callable, Hashable

from commshub.wan.clock import Clock

__all__ = ["TimerKey", "Timers"]

LOGGER = logging.getLogger(__name__)

# (owner, name): the owner is whatever the driver routes the expiry to.
TimerKey = tuple[Hashable, str]
# A deadline this close to now is due; finer waits are float noise.
_DUE_TOLERANCE_S = 1e-6


class Timers:
    """Pending timers and the task that fires them through ``fire(key, deadline)``."""

    def __init__(self, clock: Clock, fire: Callable[[TimerKey, float], Awaitable[None]]) -> None:
        self._clock = clock
        self._fire = fire
        self._deadlines: dict[TimerKey, float] = {}
        self._heap: list[tuple[float, int, TimerKey]] = []
        self._sequence = itertools.count()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return len(self._deadlines)

    def start(self, key: TimerKey, deadline: float) -> None:
        """Arm (or re-arm) a timer; ``deadline`` is on the clock's scale."""
        self._deadlines[key] = deadline
        heapq.heappush(self._heap, (deadline, next(self._sequence), key))
        self._wake.set()

    def cancel(self, key: TimerKey) -> None:
        self._deadlines.pop(key, None)

    def cancel_owner(self, owner: Hashable) -> None:
        """Forget every timer of ``owner`` (a hub or device that restarts)."""
        for key in [key for key in self._deadlines if key[0] == owner]:
            del self._deadlines[key]

    def deadline(self, key: TimerKey) -> float | None:
        return self._deadlines.get(key)

    @property
    def next_deadline(self) -> float | None:
        """The earliest pending deadline, or None."""
        while self._heap:
            deadline, _, key = self._heap[0]
            if self._deadlines.get(key) == deadline:
                return deadline
            heapq.heappop(self._heap)
        return None

    def run(self) -> None:
        """Start the task that fires timers as they fall due."""
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="timers")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    def _pop_due(self) -> tuple[TimerKey, float] | None:
        deadline = self.next_deadline
        if deadline is None or deadline - self._clock.now() > _DUE_TOLERANCE_S:
            return None
        _, _, key = heapq.heappop(self._heap)
        del self._deadlines[key]
        return key, deadline

    async def _loop(self) -> None:
        while True:
            due = self._pop_due()
            if due is not None:
                try:
                    await self._fire(*due)
                except Exception:
                    # A timer whose handling fails must not stop the others.
                    LOGGER.exception("timer %s failed", due[0])
                continue
            deadline = self.next_deadline
            self._wake.clear()
            if deadline is None:
                await self._wake.wait()
                continue
            sleeper = asyncio.ensure_future(self._clock.sleep(deadline - self._clock.now()))
            waker = asyncio.ensure_future(self._wake.wait())
            try:
                await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                sleeper.cancel()
                waker.cancel()
