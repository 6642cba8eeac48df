"""Token buckets: the gateway's throughput limits per client, per hub and for alerts."""

from __future__ import annotations

import math

from commshub.wan.clock import Clock

__all__ = ["TokenBucket"]

# Seconds of shortfall that still count as a whole token. Unix time as a float resolves only
# about 0.24 microseconds today, so waiting exactly the returned time can leave a token a hair
# short; without this tolerance the caller would sleep for 0 s forever.
_TIME_EPSILON = 1e-6


class TokenBucket:
    """``rate`` tokens per second up to ``burst`` tokens; one token per request or delivery.

    The bucket starts full. A rate of ``math.inf`` never limits.
    """

    def __init__(self, rate: float, burst: float, *, clock: Clock) -> None:
        if rate <= 0:
            raise ValueError(f"token bucket rate must be positive, got {rate}")
        if burst < 1:
            raise ValueError(f"token bucket burst must be at least 1, got {burst}")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = float(burst)
        self._updated = clock.now()

    def _refill(self) -> None:
        now = self._clock.now()
        elapsed = max(0.0, now - self._updated)
        self._updated = now
        self._tokens = min(self.burst, self._tokens + elapsed * self.rate)

    def try_take(self) -> float:
        """Take one token and return 0.0, or take nothing and return the seconds until one is
        available."""
        if math.isinf(self.rate):
            return 0.0
        self._refill()
        wait = (1.0 - self._tokens) / self.rate
        if wait <= _TIME_EPSILON:
            self._tokens = max(0.0, self._tokens - 1.0)
            return 0.0
        return wait

    async def take(self) -> None:
        """Wait on the clock until a token is available, then take it."""
        while (wait := self.try_take()) > 0:
            await self._clock.sleep(wait)
