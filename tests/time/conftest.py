"""A virtual network that runs the hub's time client against the emulated CSP time service.

Time is virtual: ``Simulation.now`` is the monotonic clock fed to the client, and true UTC is
``UTC_AT_ZERO + now``. Requests reach the service after ``one_way_delay_s`` and responses come
back after the same delay; ``tamper`` sees every response on its way and may drop, change or add
datagrams, like an attacker on the path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from commshub.codecs.ntp import MacAlgorithm, NtpKey
from commshub.hub.timesync import (
    Action,
    CancelTimer,
    Event,
    NtpPacketReceived,
    SendNtpRequest,
    SendTimeRequest,
    SignedTimeReceived,
    Started,
    StartTimer,
    TimeClient,
    TimerExpired,
    TimerName,
    TimeSource,
    TimeSyncSettings,
    TrustedTimeService,
)
from commshub.wan.time_service import EmulatedTimeService, TimeServiceSettings

UTC_AT_ZERO = 1_750_000_000.0  # 2025-06-15, inside NTP era 0
HUB_ID = bytes.fromhex("00DB123456789ABC")
SERVICE_ID = bytes.fromhex("00DB0000000000C5")
NTP_KEY = NtpKey(1, MacAlgorithm.SHA1, bytes.fromhex("00112233445566778899AABBCCDDEEFF00112233"))
# Bound on the number of events one run may process, so that a bug cannot loop forever.
MAX_EVENTS_PER_RUN = 100_000

Tamper = Callable[[TimeSource, bytes], list[bytes]]


def pass_through(source: TimeSource, data: bytes) -> list[bytes]:
    return [data]


@dataclass
class Simulation:
    client: TimeClient
    service: EmulatedTimeService
    one_way_delay_s: float = 0.02
    service_clock_offset_s: float = 0.0
    deliver_requests: bool = True
    tamper: Tamper = pass_through
    now: float = 0.0
    timers: dict[TimerName, float] = field(default_factory=dict)
    in_flight: list[tuple[float, int, Event]] = field(default_factory=list)
    actions: list[tuple[float, Action]] = field(default_factory=list)
    requests: list[tuple[float, Action]] = field(default_factory=list)
    responses: list[tuple[TimeSource, bytes]] = field(default_factory=list)
    _order: int = 0

    def true_utc(self, monotonic: float | None = None) -> float:
        return UTC_AT_ZERO + (self.now if monotonic is None else monotonic)

    def clock_error(self) -> float:
        """The hub's clock minus true UTC, in seconds."""
        return self.client.utc(self.now) - self.true_utc()

    def start(self, rtc_error_s: float = 300.0) -> None:
        self.feed(Started(self.now, self.true_utc() + rtc_error_s))

    def feed(self, event: Event) -> None:
        for action in self.client.handle(event):
            self._carry_out(action)

    def deliver(self, source: TimeSource, data: bytes, *, delay_s: float = 0.0) -> None:
        """Put a datagram on the way to the client, as an attacker or a duplicating network."""
        kind = NtpPacketReceived if source is TimeSource.NTP else SignedTimeReceived
        at = self.now + delay_s
        self._order += 1
        self.in_flight.append((at, self._order, kind(at, data)))

    def _carry_out(self, action: Action) -> None:
        if isinstance(action, (SendNtpRequest, SendTimeRequest)):
            self.requests.append((self.now, action))
            if self.deliver_requests:
                self._respond(action)
        elif isinstance(action, StartTimer):
            assert action.delay_s >= 0, action
            self.timers[action.timer] = self.now + action.delay_s
        elif isinstance(action, CancelTimer):
            self.timers.pop(action.timer, None)
        else:
            self.actions.append((self.now, action))

    def _respond(self, request: SendNtpRequest | SendTimeRequest) -> None:
        arrival = self.true_utc(self.now + self.one_way_delay_s) + self.service_clock_offset_s
        if isinstance(request, SendNtpRequest):
            source, response = TimeSource.NTP, self.service.respond_to_ntp(request.data, arrival)
        else:
            source = TimeSource.SIGNED_TIME
            response = self.service.respond_to_time_request(request.data, arrival)
        if response is None:
            return
        self.responses.append((source, response))
        for datagram in self.tamper(source, response):
            self.deliver(source, datagram, delay_s=2 * self.one_way_delay_s)

    def run_until(self, end: float) -> None:
        """Process timers and datagrams in time order up to monotonic time ``end``."""
        for _ in range(MAX_EVENTS_PER_RUN):
            next_timer = min(self.timers.items(), key=lambda item: item[1], default=None)
            next_datagram = min(self.in_flight, default=None)
            candidates = []
            if next_timer is not None:
                candidates.append((next_timer[1], 1, "timer"))
            if next_datagram is not None:
                candidates.append((next_datagram[0], 0, "datagram"))
            if not candidates or min(candidates)[0] > end:
                self.now = max(self.now, end)
                return
            at, _, kind = min(candidates)
            self.now = max(self.now, at)
            if kind == "timer":
                assert next_timer is not None
                del self.timers[next_timer[0]]
                self.feed(TimerExpired(self.now, next_timer[0]))
            else:
                assert next_datagram is not None
                self.in_flight.remove(next_datagram)
                self.feed(next_datagram[2])
        raise AssertionError(f"more than {MAX_EVENTS_PER_RUN} events before t={end}")

    def run_for(self, duration_s: float) -> None:
        self.run_until(self.now + duration_s)

    def of_type(self, kind: type[Any] | tuple[type[Any], ...]) -> list[Any]:
        return [action for _, action in self.actions if isinstance(action, kind)]


@pytest.fixture(scope="session")
def service_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def make_simulation(service_key: ec.EllipticCurvePrivateKey) -> Callable[..., Simulation]:
    """Return a factory: ``make_simulation(client settings..., service=..., **simulation)``."""

    def make(
        *,
        ntp: bool = True,
        signed_time: bool = False,
        client_key: NtpKey | None = NTP_KEY,
        service_settings: dict[str, Any] | None = None,
        trusted_key: ec.EllipticCurvePublicKey | None = None,
        client_settings: dict[str, Any] | None = None,
        **simulation: Any,
    ) -> Simulation:
        service = EmulatedTimeService(TimeServiceSettings(
            service_id=SERVICE_ID,
            signing_key=service_key,
            ntp_keys={NTP_KEY.key_id: NTP_KEY},
            **(service_settings or {}),
        ))
        trusted = TrustedTimeService(SERVICE_ID, trusted_key or service_key.public_key())
        settings = TimeSyncSettings(
            hub_id=HUB_ID,
            ntp_key=client_key if ntp else None,
            time_service=trusted if signed_time else None,
            **(client_settings or {}),
        )
        return Simulation(TimeClient(settings), service, **simulation)

    return make
