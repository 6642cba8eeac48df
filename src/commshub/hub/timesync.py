"""The hub's time client: UTC from the CSP's network time service, sans-I/O.

:class:`TimeClient` takes events (:class:`Started`, :class:`TimerExpired`,
:class:`NtpPacketReceived`, :class:`SignedTimeReceived`, :class:`SyncRequested`,
:class:`ClockSet`) and returns
actions (send a request, start or cancel a timer, clock stepped or slewed, clock unsynchronised,
response rejected, request timed out). It has no socket and no clock: every event carries the
driver's monotonic time in seconds, and the client keeps its own model of the hub's local clock
on top of it.

Two sources feed it, each optional:

* NTP (RFC 5905) in client mode with symmetric-key authentication. A response is accepted only
  when its MAC is valid under the configured key, its origin timestamp equals the random
  transmit timestamp of the request in flight, its stratum is 1..15 and it is fresh.
* the CSP's signed time message (:mod:`commshub.codecs.time_service`). It is accepted only when
  its ECDSA signature verifies under the service's trusted key and it names this hub. It must
  also echo the nonce of the request in flight and carry a sequence number above any accepted
  before.

:data:`NTP_CHECKS` and :data:`SIGNED_TIME_CHECKS` list the checks in the order they run.

While no sample is accepted the local clock runs free: it gains ``drift_ppm`` microseconds per
second (the emulated oscillator error), and its error bound grows at ``tolerance_ppm``
(RFC 5905's PHI). The hub's time is reliable while it has been synchronised and the bound is at
most ``reliable_max_error_s``.
"""

from __future__ import annotations

import enum
import logging
import math
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec

from commshub.codecs import time_service
from commshub.codecs.ntp import (
    MAX_STRATUM,
    AuthFailure,
    LeapIndicator,
    Mode,
    NtpAuthenticationError,
    NtpKey,
    NtpPacket,
    authenticate_packet,
    check_packet_mac,
    kiss_code,
    parse_ntp_packet,
    seconds_from_ntp_short,
    unix_from_ntp_timestamp,
)
from commshub.errors import CodecError, LocalProtocolError, SecurityError

__all__ = [
    "DEFAULT_DRIFT_PPM",
    "DEFAULT_MAX_AGE_S",
    "DEFAULT_POLL_INTERVAL_S",
    "DEFAULT_RELIABLE_MAX_ERROR_S",
    "DEFAULT_RESPONSE_TIMEOUT_S",
    "DEFAULT_RETRY_INITIAL_S",
    "FREQUENCY_TOLERANCE_PPM",
    "MAX_DISTANCE_S",
    "MAX_SLEW_RATE_PPM",
    "NTP_CHECKS",
    "PANIC_THRESHOLD_S",
    "SIGNED_TIME_CHECKS",
    "STEP_THRESHOLD_S",
    "Action",
    "CancelTimer",
    "ClockSet",
    "ClockSlewed",
    "ClockStatus",
    "ClockStepped",
    "ClockUnsynchronised",
    "Event",
    "NtpPacketReceived",
    "PollState",
    "RejectReason",
    "RequestTimedOut",
    "ResponseRejected",
    "SendNtpRequest",
    "SendTimeRequest",
    "SignedTimeReceived",
    "StartTimer",
    "Started",
    "SyncRequested",
    "TimeClient",
    "TimeSource",
    "TimeSyncSettings",
    "TimerExpired",
    "TimerName",
    "TrustedTimeService",
]

logger = logging.getLogger(__name__)

# Clock discipline constants of RFC 5905 Appendix A.1.5 (STEPT, PANICT, MAXFREQ) and A.1.1
# (PHI, MAXDIST).
STEP_THRESHOLD_S = 0.128  # offsets beyond this are stepped, smaller ones slewed
PANIC_THRESHOLD_S = 1000.0  # a reliable clock rejects offsets beyond this
MAX_SLEW_RATE_PPM = 500.0  # fastest rate at which a slew corrects the clock
FREQUENCY_TOLERANCE_PPM = 15.0  # rate at which the error bound of a free-running clock grows
MAX_DISTANCE_S = 1.0  # a sample whose root distance exceeds this is too far from UTC to use

# RFC 5905 section 7.3 suggests poll exponents from 6 (64 s) to 10 (1024 s) by default: the hub
# polls at the maximum once synchronised and retries from the minimum, doubling, after a failure.
DEFAULT_POLL_INTERVAL_S = 1024.0
DEFAULT_RETRY_INITIAL_S = 64.0
# No public figure exists for the CSP network; a WAN round trip well under a second is assumed,
# with margin.
DEFAULT_RESPONSE_TIMEOUT_S = 4.0
DEFAULT_MAX_AGE_S = 4.0  # seconds a response may take, on the hub's side and on the server's
# The emulated oscillator drifts at the tolerance RFC 5905 assumes, so the bound stays honest.
DEFAULT_DRIFT_PPM = FREQUENCY_TOLERANCE_PPM
# GBCS devices refuse clock adjustments beyond 10 s (alert 0x8F0C "Clock not adjusted
# (adjustment greater than 10 seconds)"): the hub's time is unreliable past that error.
DEFAULT_RELIABLE_MAX_ERROR_S = 10.0

_PPM = 1e-6
_COOKIE_BYTES = 8  # a random 64-bit transmit timestamp identifies the NTP request in flight
_LOG_EVERY_NTH_REJECTION = 100  # after the first, log one in this many rejections per reason
# The reliability timer never restarts sooner than this, so that float rounding near the limit
# cannot make it fire over and over at the same instant.
_MIN_RELIABILITY_CHECK_S = 1.0
# Range of the NTP poll field, a signed 8-bit log2 of seconds.
_POLL_EXPONENT_RANGE = (-128, 127)


class TimeSource(enum.Enum):
    """Source of a time sample."""

    NTP = "ntp"
    SIGNED_TIME = "signed_time"


class TimerName(enum.Enum):
    """The client's timers; starting one that runs restarts it."""

    NTP_POLL = "ntp_poll"
    NTP_RESPONSE = "ntp_response"
    SIGNED_TIME_POLL = "signed_time_poll"
    SIGNED_TIME_RESPONSE = "signed_time_response"
    RELIABILITY = "reliability"  # fires when the error bound reaches reliable_max_error_s


class RejectReason(enum.Enum):
    """Reason a response was rejected; the value explains it in a few words."""

    MALFORMED = "not a valid message"
    NOT_SERVER_MODE = "NTP mode is not server"
    UNAUTHENTICATED = "no MAC"
    CRYPTO_NAK = "crypto-NAK: the server did not accept our key"
    UNKNOWN_KEY = "MAC under a key identifier other than the request's"
    BAD_MAC = "MAC does not match"
    BAD_SIGNATURE = "signature does not verify"
    WRONG_SERVICE = "signed by a service other than the trusted one"
    WRONG_RECIPIENT = "addressed to another hub"
    UNEXPECTED = "no request in flight: a duplicate or a response to an old request"
    ORIGIN_MISMATCH = "origin timestamp does not match the request in flight"
    NONCE_MISMATCH = "nonce does not match the request in flight"
    REPLAYED = "sequence number not above the last accepted one"
    KISS_OF_DEATH = "kiss-o'-death (stratum 0)"
    SERVER_UNSYNCHRONISED = "server is unsynchronised (leap indicator 3 or stratum 16 and above)"
    BOGUS_TIMESTAMPS = "zero or inconsistent timestamps"
    STALE = "response too old"
    TOO_DISTANT = "root distance above the maximum"
    PANIC = "offset above the panic threshold while the clock is reliable"


# The checks in the order they run; the first that fails names the rejection.
NTP_CHECKS: tuple[RejectReason, ...] = (
    RejectReason.MALFORMED,
    RejectReason.NOT_SERVER_MODE,
    RejectReason.UNAUTHENTICATED,
    RejectReason.CRYPTO_NAK,
    RejectReason.UNKNOWN_KEY,
    RejectReason.BAD_MAC,
    RejectReason.UNEXPECTED,
    RejectReason.ORIGIN_MISMATCH,
    RejectReason.KISS_OF_DEATH,
    RejectReason.SERVER_UNSYNCHRONISED,
    RejectReason.BOGUS_TIMESTAMPS,
    RejectReason.STALE,
    RejectReason.TOO_DISTANT,
    RejectReason.PANIC,
)
SIGNED_TIME_CHECKS: tuple[RejectReason, ...] = (
    RejectReason.MALFORMED,
    RejectReason.BAD_SIGNATURE,
    RejectReason.WRONG_SERVICE,
    RejectReason.WRONG_RECIPIENT,
    RejectReason.UNEXPECTED,
    RejectReason.NONCE_MISMATCH,
    RejectReason.REPLAYED,
    RejectReason.SERVER_UNSYNCHRONISED,
    RejectReason.STALE,
    RejectReason.TOO_DISTANT,
    RejectReason.PANIC,
)

_AUTH_REJECTIONS = {
    AuthFailure.MISSING: RejectReason.UNAUTHENTICATED,
    AuthFailure.CRYPTO_NAK: RejectReason.CRYPTO_NAK,
    AuthFailure.UNKNOWN_KEY: RejectReason.UNKNOWN_KEY,
    AuthFailure.BAD_MAC: RejectReason.BAD_MAC,
}

# Kiss codes after which the server must not be polled again (RFC 5905 section 7.4).
_KISS_CODES_DENYING = frozenset({"DENY", "RSTR"})


class PollState(enum.Enum):
    """State of one source's poll cycle."""

    IDLE = "idle"  # waiting for the poll timer
    AWAITING_RESPONSE = "awaiting_response"  # a request is in flight
    STOPPED = "stopped"  # the server denied service; only SyncRequested polls it again


class _PollTrigger(enum.Enum):
    POLL = "poll timer expired"
    SYNC_REQUESTED = "sync requested"
    ACCEPTED = "response accepted"
    TIMED_OUT = "response timed out"
    SLOWED_DOWN = "kiss-o'-death other than DENY or RSTR, e.g. RATE"
    DENIED = "kiss-o'-death DENY or RSTR"


# Every legal move of a poll cycle. A rejected response changes nothing: the client keeps
# waiting for the genuine one until the response timer expires (RFC 5905 section 8 drops bogus
# packets the same way). Pairs missing here are late timers or repeated requests, and are ignored.
_POLL_TRANSITIONS: dict[tuple[PollState, _PollTrigger], PollState] = {
    (PollState.IDLE, _PollTrigger.POLL): PollState.AWAITING_RESPONSE,
    (PollState.IDLE, _PollTrigger.SYNC_REQUESTED): PollState.AWAITING_RESPONSE,
    (PollState.STOPPED, _PollTrigger.SYNC_REQUESTED): PollState.AWAITING_RESPONSE,
    (PollState.AWAITING_RESPONSE, _PollTrigger.ACCEPTED): PollState.IDLE,
    (PollState.AWAITING_RESPONSE, _PollTrigger.TIMED_OUT): PollState.IDLE,
    (PollState.AWAITING_RESPONSE, _PollTrigger.SLOWED_DOWN): PollState.IDLE,
    (PollState.AWAITING_RESPONSE, _PollTrigger.DENIED): PollState.STOPPED,
}


@dataclass(frozen=True)
class TrustedTimeService:
    """The CSP time service the hub trusts: its EUI-64 and its P-256 signing key."""

    service_id: bytes
    public_key: ec.EllipticCurvePublicKey


@dataclass(frozen=True)
class TimeSyncSettings:
    """Time sources and limits of the client; durations in seconds, rates in parts per million."""

    hub_id: bytes
    ntp_key: NtpKey | None = None
    time_service: TrustedTimeService | None = None
    poll_interval_s: float = DEFAULT_POLL_INTERVAL_S
    retry_initial_s: float = DEFAULT_RETRY_INITIAL_S
    response_timeout_s: float = DEFAULT_RESPONSE_TIMEOUT_S
    max_age_s: float = DEFAULT_MAX_AGE_S
    max_distance_s: float = MAX_DISTANCE_S
    step_threshold_s: float = STEP_THRESHOLD_S
    panic_threshold_s: float = PANIC_THRESHOLD_S
    slew_rate_ppm: float = MAX_SLEW_RATE_PPM
    drift_ppm: float = DEFAULT_DRIFT_PPM
    tolerance_ppm: float = FREQUENCY_TOLERANCE_PPM
    reliable_max_error_s: float = DEFAULT_RELIABLE_MAX_ERROR_S

    def __post_init__(self) -> None:
        if len(self.hub_id) != 8:
            raise LocalProtocolError(
                f"hub_id must be an 8-byte EUI-64, not {len(self.hub_id)} bytes"
            )
        if self.ntp_key is None and self.time_service is None:
            raise LocalProtocolError("no time source: configure ntp_key, time_service or both")
        positive = ("poll_interval_s", "retry_initial_s", "response_timeout_s", "max_age_s",
                    "max_distance_s", "panic_threshold_s", "slew_rate_ppm", "reliable_max_error_s")
        for name in positive:
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise LocalProtocolError(f"{name} must be a positive number, not {value}")
        for name in ("step_threshold_s", "tolerance_ppm"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise LocalProtocolError(f"{name} must be zero or positive, not {value}")
        if not math.isfinite(self.drift_ppm):
            raise LocalProtocolError(f"drift_ppm must be a finite number, not {self.drift_ppm}")


# Events. ``monotonic`` is the driver's monotonic (or virtual) time in seconds.

@dataclass(frozen=True)
class Started:
    """The hub powered on; ``rtc_utc`` is its real-time clock in Unix seconds, not yet trusted."""

    monotonic: float
    rtc_utc: float


@dataclass(frozen=True)
class SyncRequested:
    """Poll every source now, e.g. when the WAN link comes up; restarts a denied source."""

    monotonic: float


@dataclass(frozen=True)
class TimerExpired:
    monotonic: float
    timer: TimerName


@dataclass(frozen=True)
class NtpPacketReceived:
    """A UDP datagram arrived from the NTP server."""

    monotonic: float
    data: bytes


@dataclass(frozen=True)
class SignedTimeReceived:
    """A datagram arrived from the CSP time service's signed time endpoint."""

    monotonic: float
    data: bytes


@dataclass(frozen=True)
class ClockSet:
    """The driver set the hub's clock to ``utc`` (Unix seconds) without a checked sample.

    The clock keeps no error bound afterwards: the client counts as unsynchronised until it
    accepts its next sample, which then steps the clock.
    """

    monotonic: float
    utc: float


Event = Started | SyncRequested | TimerExpired | NtpPacketReceived | SignedTimeReceived | ClockSet


# Actions.

@dataclass(frozen=True)
class SendNtpRequest:
    data: bytes


@dataclass(frozen=True)
class SendTimeRequest:
    """Send ``data`` to the CSP time service's signed time endpoint."""

    data: bytes


@dataclass(frozen=True)
class StartTimer:
    """Start ``timer`` to expire after ``delay_s``, replacing it if it runs."""

    timer: TimerName
    delay_s: float


@dataclass(frozen=True)
class CancelTimer:
    timer: TimerName


@dataclass(frozen=True)
class ClockStepped:
    """The hub's clock jumped by ``offset_s`` (positive: forward)."""

    source: TimeSource
    offset_s: float
    max_error_s: float


@dataclass(frozen=True)
class ClockSlewed:
    """The hub's clock is being corrected by ``offset_s`` gradually, at ``slew_rate_ppm``."""

    source: TimeSource
    offset_s: float
    max_error_s: float


@dataclass(frozen=True)
class ClockUnsynchronised:
    """The hub's time is no longer reliable, or never was; ``reason`` explains which."""

    reason: str
    max_error_s: float | None


@dataclass(frozen=True)
class ResponseRejected:
    source: TimeSource
    reason: RejectReason
    detail: str


@dataclass(frozen=True)
class RequestTimedOut:
    """No acceptable response came within the response timeout; retrying after ``retry_in_s``."""

    source: TimeSource
    failures: int
    retry_in_s: float


Action = (SendNtpRequest | SendTimeRequest | StartTimer | CancelTimer | ClockStepped | ClockSlewed
          | ClockUnsynchronised | ResponseRejected | RequestTimedOut)


@dataclass(frozen=True)
class ClockStatus:
    """A reading of the hub's clock and how far it can be trusted."""

    utc: float  # Unix seconds
    synchronised: bool  # at least one sample was accepted since start
    reliable: bool
    max_error_s: float | None  # None until the first sample
    last_source: TimeSource | None


@dataclass(frozen=True)
class _Sample:
    source: TimeSource
    offset_s: float
    error_s: float


class _Rejected(Exception):
    def __init__(self, reason: RejectReason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class _LocalClock:
    """The hub's clock: free-running at ``drift_ppm``, stepped or slewed by accepted samples.

    Its reading at monotonic time m is ``base_utc + (m - base) * (1 + drift) + slewed(m)``,
    where ``slewed`` moves towards ``slew_s`` at ``slew_rate`` and then stays there.
    """

    def __init__(
        self, monotonic: float, utc: float, drift_ppm: float, slew_rate_ppm: float
    ) -> None:
        self._base = monotonic
        self._base_utc = utc
        self._rate = 1.0 + drift_ppm * _PPM
        self._slew_rate = slew_rate_ppm * _PPM
        self._slew_s = 0.0

    def _slewed(self, monotonic: float) -> float:
        elapsed = max(0.0, monotonic - self._base)
        return math.copysign(min(abs(self._slew_s), elapsed * self._slew_rate), self._slew_s)

    def read(self, monotonic: float) -> float:
        return self._base_utc + (monotonic - self._base) * self._rate + self._slewed(monotonic)

    def unapplied_slew(self, monotonic: float) -> float:
        return abs(self._slew_s - self._slewed(monotonic))

    def step(self, monotonic: float, offset_s: float) -> None:
        self._base_utc = self.read(monotonic) + offset_s
        self._base = monotonic
        self._slew_s = 0.0

    def slew(self, monotonic: float, offset_s: float) -> None:
        self._base_utc = self.read(monotonic)
        self._base = monotonic
        self._slew_s = offset_s


@dataclass
class _Outstanding:
    token: bytes  # NTP: the random transmit timestamp; signed time: the nonce
    sent_monotonic: float
    sent_utc: float  # the hub's clock when the request left


@dataclass
class _Poller:
    source: TimeSource
    poll_timer: TimerName
    response_timer: TimerName
    state: PollState = PollState.IDLE
    failures: int = 0
    outstanding: _Outstanding | None = None


class TimeClient:
    """The hub's time client; feed it events with :meth:`handle` and carry out the actions."""

    def __init__(
        self, settings: TimeSyncSettings, *, random_bytes: Callable[[int], bytes] = os.urandom
    ) -> None:
        self.settings = settings
        self._random_bytes = random_bytes
        self._clock: _LocalClock | None = None
        self._pollers: dict[TimeSource, _Poller] = {}
        if settings.ntp_key is not None:
            self._pollers[TimeSource.NTP] = _Poller(
                TimeSource.NTP, TimerName.NTP_POLL, TimerName.NTP_RESPONSE
            )
        if settings.time_service is not None:
            self._pollers[TimeSource.SIGNED_TIME] = _Poller(
                TimeSource.SIGNED_TIME, TimerName.SIGNED_TIME_POLL, TimerName.SIGNED_TIME_RESPONSE
            )
        self._synced_at: float | None = None
        self._sync_error_s = 0.0
        self._last_source: TimeSource | None = None
        self._reported_unreliable = False
        self._last_sequence = -1
        self.rejections: Counter[RejectReason] = Counter()

    # Queries.

    def poll_state(self, source: TimeSource) -> PollState:
        """Return the poll cycle state of ``source``; KeyError when it is not configured."""
        return self._pollers[source].state

    @property
    def started(self) -> bool:
        """Whether :class:`Started` has been handled, so that the clock can be read."""
        return self._clock is not None

    def utc(self, monotonic: float) -> float:
        """Return the hub's clock in Unix seconds at ``monotonic``."""
        return self._require_clock("utc").read(monotonic)

    def max_error(self, monotonic: float) -> float | None:
        """Return the bound on |hub clock - UTC| in seconds, or None before the first sample."""
        clock = self._require_clock("max_error")
        if self._synced_at is None:
            return None
        free_running = max(0.0, monotonic - self._synced_at) * self.settings.tolerance_ppm * _PPM
        return self._sync_error_s + clock.unapplied_slew(monotonic) + free_running

    def is_reliable(self, monotonic: float) -> bool:
        """Return whether the hub has synchronised and its error bound is within the limit."""
        error = self.max_error(monotonic)
        return error is not None and error <= self.settings.reliable_max_error_s

    def status(self, monotonic: float) -> ClockStatus:
        """Return the clock reading, its error bound and reliability at ``monotonic``."""
        return ClockStatus(
            utc=self.utc(monotonic),
            synchronised=self._synced_at is not None,
            reliable=self.is_reliable(monotonic),
            max_error_s=self.max_error(monotonic),
            last_source=self._last_source,
        )

    # Events.

    def handle(self, event: Event) -> list[Action]:
        """Process one event and return the actions the driver must carry out, in order."""
        if isinstance(event, Started):
            return self._start(event)
        self._require_clock(type(event).__name__)
        if isinstance(event, SyncRequested):
            actions: list[Action] = []
            for poller in self._pollers.values():
                actions += self._poll(poller, event.monotonic, _PollTrigger.SYNC_REQUESTED)
            return actions
        if isinstance(event, TimerExpired):
            return self._timer_expired(event)
        if isinstance(event, NtpPacketReceived):
            return self._receive(TimeSource.NTP, event.monotonic, event.data)
        if isinstance(event, SignedTimeReceived):
            return self._receive(TimeSource.SIGNED_TIME, event.monotonic, event.data)
        if isinstance(event, ClockSet):
            return self._set_clock(event)
        raise LocalProtocolError(f"time client: unknown event {event!r}")

    def _require_clock(self, operation: str) -> _LocalClock:
        if self._clock is None:
            raise LocalProtocolError(f"time client: {operation} before Started")
        return self._clock

    def _start(self, event: Started) -> list[Action]:
        if self._clock is not None:
            raise LocalProtocolError("time client: Started received twice")
        settings = self.settings
        self._clock = _LocalClock(
            event.monotonic, event.rtc_utc, settings.drift_ppm, settings.slew_rate_ppm
        )
        self._reported_unreliable = True
        logger.info("time client started; clock unsynchronised until the first sample")
        actions: list[Action] = [ClockUnsynchronised("not synchronised since start", None)]
        for poller in self._pollers.values():
            actions += self._poll(poller, event.monotonic, _PollTrigger.POLL)
        return actions

    def _set_clock(self, event: ClockSet) -> list[Action]:
        clock = self._require_clock("ClockSet")
        offset = event.utc - clock.read(event.monotonic)
        clock.step(event.monotonic, offset)
        self._move_outstanding(offset)
        was_synchronised = self._synced_at is not None
        self._synced_at = None
        self._sync_error_s = 0.0
        self._reported_unreliable = True
        logger.info("clock set by %+.6f s without a time sample; unsynchronised", offset)
        actions: list[Action] = [CancelTimer(TimerName.RELIABILITY)]
        if was_synchronised:
            actions.append(ClockUnsynchronised("clock set without a time sample", None))
        return actions

    def _move_outstanding(self, offset_s: float) -> None:
        # A request still in flight left at a time read on the old scale: move it onto the new
        # one, or its response would carry the step as delay.
        for poller in self._pollers.values():
            if poller.outstanding is not None:
                poller.outstanding.sent_utc += offset_s

    def _transition(self, poller: _Poller, trigger: _PollTrigger) -> bool:
        new_state = _POLL_TRANSITIONS.get((poller.state, trigger))
        if new_state is None:
            logger.debug("%s poller: ignoring %s in state %s",
                          poller.source.value, trigger.value, poller.state.value)
            return False
        logger.debug("%s poller: %s -> %s on %s",
                     poller.source.value, poller.state.value, new_state.value, trigger.value)
        poller.state = new_state
        return True

    def _poll(self, poller: _Poller, monotonic: float, trigger: _PollTrigger) -> list[Action]:
        if not self._transition(poller, trigger):
            return []
        token = self._new_token(poller.source)
        poller.outstanding = _Outstanding(token, monotonic, self.utc(monotonic))
        if poller.source is TimeSource.NTP:
            request: Action = SendNtpRequest(self._ntp_request(token))
        else:
            request = SendTimeRequest(time_service.build_time_request(
                time_service.TimeRequest(requester=self.settings.hub_id, nonce=token)
            ))
        return [
            CancelTimer(poller.poll_timer),
            request,
            StartTimer(poller.response_timer, self.settings.response_timeout_s),
        ]

    def _new_token(self, source: TimeSource) -> bytes:
        if source is TimeSource.SIGNED_TIME:
            return self._random_bytes(time_service.NONCE_LENGTH)
        cookie = self._random_bytes(_COOKIE_BYTES)
        # A zero transmit timestamp would read as "not set" (RFC 5905 section 8).
        return cookie if any(cookie) else b"\x00" * (_COOKIE_BYTES - 1) + b"\x01"

    def _ntp_request(self, cookie: bytes) -> bytes:
        key = self.settings.ntp_key
        assert key is not None  # the NTP poller exists only with a key
        # The transmit timestamp is a random cookie, not the hub's time: the server copies it
        # into the origin timestamp, which ties the response to this request and keeps the
        # hub's clock private. The client keeps the real send time itself.
        low, high = _POLL_EXPONENT_RANGE
        poll = min(max(round(math.log2(self.settings.poll_interval_s)), low), high)
        packet = NtpPacket(
            mode=Mode.CLIENT, poll=poll, transmit_timestamp=int.from_bytes(cookie, "big")
        )
        return authenticate_packet(packet, key)

    def _timer_expired(self, event: TimerExpired) -> list[Action]:
        if event.timer is TimerName.RELIABILITY:
            return self._check_reliability(event.monotonic)
        for poller in self._pollers.values():
            if event.timer is poller.poll_timer:
                return self._poll(poller, event.monotonic, _PollTrigger.POLL)
            if event.timer is poller.response_timer:
                return self._time_out(poller)
        logger.debug("time client: ignoring timer %s of an unconfigured source", event.timer.value)
        return []

    def _time_out(self, poller: _Poller) -> list[Action]:
        if not self._transition(poller, _PollTrigger.TIMED_OUT):
            return []
        poller.outstanding = None
        poller.failures += 1
        retry_in = self._backoff(poller.failures)
        logger.info("%s request %d timed out; retrying in %.0f s",
                    poller.source.value, poller.failures, retry_in)
        return [
            RequestTimedOut(poller.source, poller.failures, retry_in),
            StartTimer(poller.poll_timer, retry_in),
        ]

    def _backoff(self, failures: int) -> float:
        # Double from retry_initial_s per failure, never beyond the poll interval; the exponent
        # is capped so that a long outage cannot overflow the float.
        delay = self.settings.retry_initial_s * 2.0 ** min(failures - 1, 64)
        return min(delay, max(self.settings.poll_interval_s, self.settings.retry_initial_s))

    def _receive(self, source: TimeSource, monotonic: float, data: bytes) -> list[Action]:
        poller = self._pollers.get(source)
        if poller is None:
            detail = f"{source.value} is not configured"
            return [self._reject(source, RejectReason.UNEXPECTED, detail)]
        try:
            if source is TimeSource.NTP:
                sample = self._check_ntp(poller, monotonic, data)
            else:
                sample = self._check_signed_time(poller, monotonic, data)
        except _Rejected as rejection:
            actions: list[Action] = [self._reject(source, rejection.reason, rejection.detail)]
            if rejection.reason is RejectReason.KISS_OF_DEATH:
                actions += self._kissed(poller, rejection.detail)
            return actions
        return self._accept(poller, monotonic, sample)

    def _reject(self, source: TimeSource, reason: RejectReason, detail: str) -> ResponseRejected:
        self.rejections[reason] += 1
        count = self.rejections[reason]
        worth_a_warning = count == 1 or count % _LOG_EVERY_NTH_REJECTION == 0
        level = logging.WARNING if worth_a_warning else logging.DEBUG
        logger.log(level, "%s response rejected (%s, %d so far): %s",
                   source.value, reason.name, count, detail)
        return ResponseRejected(source, reason, detail)

    def _kissed(self, poller: _Poller, code: str) -> list[Action]:
        # An authenticated kiss-o'-death ends this request. DENY and RSTR stop polling the
        # server; any other code (RATE among them) waits a full poll interval.
        poller.outstanding = None
        if code in _KISS_CODES_DENYING:
            self._transition(poller, _PollTrigger.DENIED)
            return [CancelTimer(poller.response_timer)]
        self._transition(poller, _PollTrigger.SLOWED_DOWN)
        return [
            CancelTimer(poller.response_timer),
            StartTimer(poller.poll_timer, self.settings.poll_interval_s),
        ]

    def _request_in_flight(
        self, poller: _Poller, token: bytes, mismatch: RejectReason
    ) -> _Outstanding:
        outstanding = poller.outstanding
        if outstanding is None or poller.state is not PollState.AWAITING_RESPONSE:
            raise _Rejected(RejectReason.UNEXPECTED, RejectReason.UNEXPECTED.value)
        if token != outstanding.token:
            raise _Rejected(mismatch, f"{mismatch.value}: got {token.hex()}")
        return outstanding

    def _check_ntp(self, poller: _Poller, monotonic: float, data: bytes) -> _Sample:
        """Return the sample in an NTP response, or raise _Rejected in NTP_CHECKS order."""
        key = self.settings.ntp_key
        assert key is not None
        try:
            packet = parse_ntp_packet(data)
        except CodecError as exc:
            raise _Rejected(RejectReason.MALFORMED, str(exc)) from None
        if packet.mode is not Mode.SERVER:
            raise _Rejected(RejectReason.NOT_SERVER_MODE, f"mode {packet.mode.name}")
        try:
            check_packet_mac(data, packet, {key.key_id: key})
        except NtpAuthenticationError as exc:
            raise _Rejected(_AUTH_REJECTIONS[exc.failure], str(exc)) from None

        outstanding = self._request_in_flight(
            poller, packet.origin_timestamp.to_bytes(8, "big"), RejectReason.ORIGIN_MISMATCH
        )
        self._check_server_header(packet)

        t1 = outstanding.sent_utc
        t2 = unix_from_ntp_timestamp(packet.receive_timestamp)
        t3 = unix_from_ntp_timestamp(packet.transmit_timestamp)
        t4 = self.utc(monotonic)
        self._check_age(monotonic - outstanding.sent_monotonic, t3 - t2)

        # RFC 5905 section 8: offset and round-trip delay from the four timestamps.
        offset = ((t2 - t1) + (t3 - t4)) / 2
        delay = max(0.0, (t4 - t1) - (t3 - t2))
        root_delay = seconds_from_ntp_short(packet.root_delay)
        root_distance = (root_delay + delay) / 2 + seconds_from_ntp_short(packet.root_dispersion)
        self._check_sample(monotonic, offset, root_distance)
        return _Sample(TimeSource.NTP, offset, root_distance + 2.0 ** packet.precision)

    @staticmethod
    def _check_server_header(packet: NtpPacket) -> None:
        code = kiss_code(packet)
        if code is not None:
            raise _Rejected(RejectReason.KISS_OF_DEATH, code)
        if packet.leap is LeapIndicator.UNSYNCHRONISED or packet.stratum >= MAX_STRATUM:
            raise _Rejected(
                RejectReason.SERVER_UNSYNCHRONISED,
                f"leap indicator {packet.leap.name}, stratum {packet.stratum}",
            )

        receive, transmit = packet.receive_timestamp, packet.transmit_timestamp
        if 0 in (receive, transmit, packet.reference_timestamp):
            raise _Rejected(
                RejectReason.BOGUS_TIMESTAMPS, "a reference, receive or transmit timestamp is zero"
            )
        if transmit < receive or packet.reference_timestamp > transmit:
            raise _Rejected(
                RejectReason.BOGUS_TIMESTAMPS,
                "transmit timestamp precedes the receive or reference timestamp",
            )

    def _check_signed_time(self, poller: _Poller, monotonic: float, data: bytes) -> _Sample:
        """Return the sample in a signed time message, or raise _Rejected in SIGNED_TIME_CHECKS
        order."""
        trusted = self.settings.time_service
        assert trusted is not None
        try:
            message = time_service.verify_signed_time(data, trusted.public_key)
        except CodecError as exc:
            raise _Rejected(RejectReason.MALFORMED, str(exc)) from None
        except SecurityError as exc:
            raise _Rejected(RejectReason.BAD_SIGNATURE, str(exc)) from None
        if message.service != trusted.service_id:
            raise _Rejected(RejectReason.WRONG_SERVICE, f"service {message.service.hex().upper()}")
        if message.recipient != self.settings.hub_id:
            recipient = message.recipient.hex().upper()
            raise _Rejected(RejectReason.WRONG_RECIPIENT, f"recipient {recipient}")

        outstanding = self._request_in_flight(poller, message.nonce, RejectReason.NONCE_MISMATCH)
        if message.sequence <= self._last_sequence:
            raise _Rejected(
                RejectReason.REPLAYED,
                f"sequence {message.sequence}, last accepted {self._last_sequence}",
            )
        if message.leap is LeapIndicator.UNSYNCHRONISED:
            raise _Rejected(RejectReason.SERVER_UNSYNCHRONISED, "leap indicator UNSYNCHRONISED")
        round_trip = monotonic - outstanding.sent_monotonic
        self._check_age(round_trip, 0.0)

        # One timestamp, taken somewhere between send and receive: compare it with the midpoint.
        t1, t4 = outstanding.sent_utc, self.utc(monotonic)
        offset = unix_from_ntp_timestamp(message.utc) - (t1 + t4) / 2
        distance = max(0.0, t4 - t1) / 2 + seconds_from_ntp_short(message.max_error)
        self._check_sample(monotonic, offset, distance)
        self._last_sequence = message.sequence
        return _Sample(TimeSource.SIGNED_TIME, offset, distance + 2.0 ** message.precision)

    def _check_age(self, round_trip_s: float, server_hold_s: float) -> None:
        max_age = self.settings.max_age_s
        if round_trip_s > max_age:
            raise _Rejected(
                RejectReason.STALE,
                f"response arrived {round_trip_s:.3f} s after the request (max {max_age} s)",
            )
        if server_hold_s > max_age:
            raise _Rejected(
                RejectReason.STALE,
                f"server held the request {server_hold_s:.3f} s (max {max_age} s)",
            )

    def _check_sample(self, monotonic: float, offset: float, distance: float) -> None:
        settings = self.settings
        if distance > settings.max_distance_s:
            raise _Rejected(
                RejectReason.TOO_DISTANT,
                f"root distance {distance:.3f} s (max {settings.max_distance_s} s)",
            )
        if abs(offset) > settings.panic_threshold_s and self.is_reliable(monotonic):
            raise _Rejected(
                RejectReason.PANIC,
                f"offset {offset:.3f} s (panic threshold {settings.panic_threshold_s} s)",
            )

    def _accept(self, poller: _Poller, monotonic: float, sample: _Sample) -> list[Action]:
        clock = self._require_clock("accept")
        self._transition(poller, _PollTrigger.ACCEPTED)
        poller.outstanding = None
        poller.failures = 0
        settings = self.settings
        actions: list[Action] = [CancelTimer(poller.response_timer)]
        adjustment: Action
        if self._synced_at is None or abs(sample.offset_s) > settings.step_threshold_s:
            clock.step(monotonic, sample.offset_s)
            self._move_outstanding(sample.offset_s)
            adjustment = ClockStepped(sample.source, sample.offset_s, sample.error_s)
            logger.info("clock stepped by %+.6f s from %s (max error %.6f s)",
                        sample.offset_s, sample.source.value, sample.error_s)
        else:
            clock.slew(monotonic, sample.offset_s)
            adjustment = ClockSlewed(sample.source, sample.offset_s, sample.error_s)
            logger.debug("clock slewing by %+.6f s from %s (max error %.6f s)",
                         sample.offset_s, sample.source.value, sample.error_s)
        self._synced_at = monotonic
        self._sync_error_s = sample.error_s
        self._last_source = sample.source
        self._reported_unreliable = False
        actions += [adjustment, StartTimer(poller.poll_timer, settings.poll_interval_s)]
        actions += self._arm_reliability_timer(monotonic)
        return actions

    def _arm_reliability_timer(self, monotonic: float) -> list[Action]:
        error = self.max_error(monotonic)
        growth = self.settings.tolerance_ppm * _PPM
        if error is None or growth == 0:
            return [CancelTimer(TimerName.RELIABILITY)]
        headroom = self.settings.reliable_max_error_s - error
        return [StartTimer(TimerName.RELIABILITY, max(headroom / growth, _MIN_RELIABILITY_CHECK_S))]

    def _check_reliability(self, monotonic: float) -> list[Action]:
        if self.is_reliable(monotonic):
            # A slew still in progress shrinks the bound, so the timer may fire early: re-arm.
            return self._arm_reliability_timer(monotonic)
        if self._reported_unreliable:
            return []
        self._reported_unreliable = True
        error = self.max_error(monotonic)
        logger.warning("hub clock unreliable: error bound %.3f s reached the limit of %.3f s",
                       error, self.settings.reliable_max_error_s)
        return [ClockUnsynchronised("error bound exceeded while unsynchronised", error)]
