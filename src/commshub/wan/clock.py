"""Clocks for the gateway: the system clock, and a virtual clock that tests and scenarios move.

Every timer in the gateway (rate limits, retries with backoff, response timeouts, scheduled
release, alert spreading) reads and sleeps on one injected :class:`Clock`, so the same code
runs in real time on a bench and in virtual time under test.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from typing import Protocol

__all__ = ["Clock", "SystemClock", "VirtualClock"]

# 2023-11-14T22:13:20Z: a fixed, recognisable start for virtual time.
DEFAULT_VIRTUAL_START = 1_700_000_000.0

# Event loop turns that VirtualClock.advance yields after waking sleepers. Woken tasks that
# only await other coroutines reach their next sleep within them; I/O may take longer.
_SETTLE_TURNS = 8


class Clock(Protocol):
    """A source of UTC time in Unix seconds and a way to sleep on it."""

    def now(self) -> float:
        """Return the current UTC time in seconds since the Unix epoch."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Return after ``seconds`` of this clock's time have passed."""
        ...


class SystemClock:
    """The host's UTC clock with :func:`asyncio.sleep`."""

    def now(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class VirtualClock:
    """A clock whose time changes only when :meth:`advance` moves it.

    Sleepers wake in deadline order; :meth:`advance` steps time to each deadline in turn and
    lets the woken tasks run before it moves on. Work that waits on anything else (sockets,
    threads) keeps running in real time; a test waits for its effect before advancing again.
    """

    def __init__(self, start: float = DEFAULT_VIRTUAL_START) -> None:
        self._now = start
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._sequence = itertools.count()

    def now(self) -> float:
        return self._now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._now + seconds, next(self._sequence), future))
        await future

    @property
    def next_deadline(self) -> float | None:
        """Time of the earliest pending sleeper, or None when nobody sleeps."""
        self._drop_cancelled()
        return self._sleepers[0][0] if self._sleepers else None

    async def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``, waking every sleeper whose deadline is reached."""
        if seconds < 0:
            raise ValueError(f"virtual time cannot go backwards ({seconds} s)")
        target = self._now + seconds
        await _settle()
        while True:
            deadline = self.next_deadline
            if deadline is None or deadline > target:
                break
            self._now = max(self._now, deadline)
            while self._sleepers and self._sleepers[0][0] <= self._now:
                _, _, future = heapq.heappop(self._sleepers)
                if not future.done():
                    future.set_result(None)
            await _settle()
        self._now = target
        await _settle()

    def _drop_cancelled(self) -> None:
        while self._sleepers and self._sleepers[0][2].done():
            heapq.heappop(self._sleepers)


async def _settle() -> None:
    for _ in range(_SETTLE_TURNS):
        await asyncio.sleep(0)
