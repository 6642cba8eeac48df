"""Gateway alerts (power outage and restore, correlated outages) and alert-storm suppression.

Gateway alerts travel in ALERT frames with the ``gateway_alert`` flag set. Big-endian, times
in seconds since 2000-01-01T00:00:00Z (the ZigBee and GBCS UTCTime epoch)::

    code 2 | network address 16 | body
    0xDC01 power outage:              loss detected at 4
    0xDC02 power restore:             loss detected at 4 | restored at 4 | outage duration 4 (s)
    0xDC03 correlated outage:         region (length 1 + UTF-8) | hubs 4 | first loss detected at 4
    0xDC04 correlated outage cleared: region | peak hubs 4 | first loss detected at 4 | cleared at 4

The correlated alerts carry the unspecified address ``::``. The codes lie outside the GBCS
alert code range (0x8000 to 0x8FFF) so they can never be confused with a device alert.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from ipaddress import IPv6Address

from construct import Bytes, Error, Int8ub, Int16ub, Int32ub, PascalString, Struct, Switch, this

from commshub.codecs.common import build, parse
from commshub.errors import CodecError
from commshub.wan.clock import Clock
from commshub.wan.limits import TokenBucket

__all__ = [
    "ZIGBEE_EPOCH",
    "AlertCounters",
    "AlertDisposition",
    "AlertPolicy",
    "AlertShaper",
    "CorrelatedOutageAlert",
    "CorrelatedOutageClearedAlert",
    "GatewayAlert",
    "GatewayAlertCode",
    "PowerOutageAlert",
    "PowerRestoreAlert",
    "ShapedAlert",
    "decode_gateway_alert",
    "encode_gateway_alert",
]

logger = logging.getLogger(__name__)

# 2000-01-01T00:00:00Z in Unix seconds: the epoch of ZigBee and GBCS UTCTime.
ZIGBEE_EPOCH = 946_684_800
_UINT32_MAX = 0xFFFF_FFFF
_UNSPECIFIED = IPv6Address("::")


class GatewayAlertCode(IntEnum):
    POWER_OUTAGE = 0xDC01
    POWER_RESTORE = 0xDC02
    CORRELATED_OUTAGE = 0xDC03
    CORRELATED_OUTAGE_CLEARED = 0xDC04


_REGION = PascalString(Int8ub, "utf8")

GATEWAY_ALERT = Struct(
    "code" / Int16ub,
    "network_address" / Bytes(16),
    "body" / Switch(
        this.code,
        {
            GatewayAlertCode.POWER_OUTAGE: Struct("loss_detected_at" / Int32ub),
            GatewayAlertCode.POWER_RESTORE: Struct(
                "loss_detected_at" / Int32ub,
                "restored_at" / Int32ub,
                "outage_duration" / Int32ub,
            ),
            GatewayAlertCode.CORRELATED_OUTAGE: Struct(
                "region" / _REGION,
                "hubs" / Int32ub,
                "first_loss_detected_at" / Int32ub,
            ),
            GatewayAlertCode.CORRELATED_OUTAGE_CLEARED: Struct(
                "region" / _REGION,
                "peak_hubs" / Int32ub,
                "first_loss_detected_at" / Int32ub,
                "cleared_at" / Int32ub,
            ),
        },
        default=Error,
    ),
)


@dataclass(frozen=True)
class PowerOutageAlert:
    """A hub lost mains power for longer than its outage threshold. Times are Unix seconds."""

    address: IPv6Address
    loss_detected_at: int


@dataclass(frozen=True)
class PowerRestoreAlert:
    """A hub that reported an outage has mains power again. Times are Unix seconds."""

    address: IPv6Address
    loss_detected_at: int
    restored_at: int
    outage_duration: int

    @classmethod
    def between(cls, address: IPv6Address, loss_detected_at: int, restored_at: int) -> PowerRestoreAlert:
        """Build the alert with the duration from the two times (never negative)."""
        return cls(address, loss_detected_at, restored_at, max(0, restored_at - loss_detected_at))


@dataclass(frozen=True)
class CorrelatedOutageAlert:
    """``hubs`` hubs in one postcode area reported an outage at once."""

    region: str
    hubs: int
    first_loss_detected_at: int


@dataclass(frozen=True)
class CorrelatedOutageClearedAlert:
    """Every hub of a correlated outage has reported its restore."""

    region: str
    peak_hubs: int
    first_loss_detected_at: int
    cleared_at: int


GatewayAlert = PowerOutageAlert | PowerRestoreAlert | CorrelatedOutageAlert | CorrelatedOutageClearedAlert


def _to_utctime(unix_seconds: int, name: str) -> int:
    value = int(unix_seconds) - ZIGBEE_EPOCH
    if not 0 <= value <= _UINT32_MAX:
        raise CodecError(
            f"{name} {unix_seconds} is outside the UTCTime range (2000 to 2136)",
            path=("gateway_alert", "body", name),
        )
    return value


def encode_gateway_alert(alert: GatewayAlert) -> bytes:
    """Build the bytes of a gateway alert."""
    address = _UNSPECIFIED
    body: dict[str, object]
    match alert:
        case PowerOutageAlert():
            code, address = GatewayAlertCode.POWER_OUTAGE, alert.address
            body = {"loss_detected_at": _to_utctime(alert.loss_detected_at, "loss_detected_at")}
        case PowerRestoreAlert():
            code, address = GatewayAlertCode.POWER_RESTORE, alert.address
            body = {
                "loss_detected_at": _to_utctime(alert.loss_detected_at, "loss_detected_at"),
                "restored_at": _to_utctime(alert.restored_at, "restored_at"),
                "outage_duration": alert.outage_duration,
            }
        case CorrelatedOutageAlert():
            code = GatewayAlertCode.CORRELATED_OUTAGE
            body = {
                "region": alert.region, "hubs": alert.hubs,
                "first_loss_detected_at": _to_utctime(alert.first_loss_detected_at, "first_loss_detected_at"),
            }
        case CorrelatedOutageClearedAlert():
            code = GatewayAlertCode.CORRELATED_OUTAGE_CLEARED
            body = {
                "region": alert.region, "peak_hubs": alert.peak_hubs,
                "first_loss_detected_at": _to_utctime(alert.first_loss_detected_at, "first_loss_detected_at"),
                "cleared_at": _to_utctime(alert.cleared_at, "cleared_at"),
            }
        case _:
            raise TypeError(f"not a gateway alert: {alert!r}")
    value = {"code": int(code), "network_address": address.packed, "body": body}
    return build(GATEWAY_ALERT, value, root="gateway_alert")


def decode_gateway_alert(data: bytes) -> GatewayAlert:
    """Parse a gateway alert; raise CodecError for an unknown code or a short body."""
    value = parse(GATEWAY_ALERT, data, root="gateway_alert")
    address = IPv6Address(value.network_address)
    body = value.body
    if value.code == GatewayAlertCode.POWER_OUTAGE:
        return PowerOutageAlert(address, body.loss_detected_at + ZIGBEE_EPOCH)
    if value.code == GatewayAlertCode.POWER_RESTORE:
        return PowerRestoreAlert(
            address, body.loss_detected_at + ZIGBEE_EPOCH, body.restored_at + ZIGBEE_EPOCH,
            body.outage_duration,
        )
    if value.code == GatewayAlertCode.CORRELATED_OUTAGE:
        return CorrelatedOutageAlert(body.region, body.hubs, body.first_loss_detected_at + ZIGBEE_EPOCH)
    return CorrelatedOutageClearedAlert(
        body.region, body.peak_hubs, body.first_loss_detected_at + ZIGBEE_EPOCH,
        body.cleared_at + ZIGBEE_EPOCH,
    )


# Alert-storm suppression.


@dataclass(frozen=True)
class AlertPolicy:
    """How the gateway hands alerts on to remote parties.

    At most ``max_rate`` alerts per second are handed on, after a burst of ``burst``; a backlog
    drains evenly spaced at that rate, so N queued alerts spread over about
    ``(N - burst) / max_rate`` seconds. An alert identical to one received within
    ``duplicate_window`` seconds is collapsed. At most ``max_backlog`` alerts other than power
    outage and restore alerts wait; more are dropped. ``correlated_outage_threshold`` hubs in
    outage in one postcode area raise a correlated outage alert.
    """

    max_rate: float = 50.0
    burst: int = 50
    duplicate_window: float = 600.0
    max_backlog: int = 100_000
    correlated_outage_threshold: int = 5000

    def __post_init__(self) -> None:
        if self.max_rate <= 0 or self.burst < 1:
            raise ValueError("alert max_rate must be positive and burst at least 1")
        if self.correlated_outage_threshold < 1:
            raise ValueError("correlated_outage_threshold must be at least 1")


@dataclass
class AlertCounters:
    """Counts since the shaper started."""

    received: int = 0
    handed_on: int = 0
    collapsed: int = 0  # duplicates not handed on
    merged: int = 0  # outage alerts replaced by their restore alert before being handed on
    dropped: int = 0  # alerts rejected because the backlog was full
    peak_backlog: int = 0
    correlated_outages: int = 0


class AlertDisposition(StrEnum):
    QUEUED = "queued"
    COLLAPSED = "collapsed"
    DROPPED = "dropped"


@dataclass(frozen=True)
class ShapedAlert:
    """An alert on its way to the remote parties."""

    address: IPv6Address | None
    payload: bytes
    category: int
    gateway_alert: bool
    region: str = ""


@dataclass
class _Entry:
    alert: ShapedAlert
    cancelled: bool = False


@dataclass
class _RegionOutage:
    hubs: dict[IPv6Address, int] = field(default_factory=dict)
    first_loss_detected_at: int = 0
    peak: int = 0
    correlated: bool = False


class AlertShaper:
    """Queue alerts, collapse duplicates, merge outage and restore pairs, and hand them on at
    no more than the policy's rate.

    ``offer`` is synchronous and never blocks; :meth:`run` is the task that hands alerts on
    through ``hand_on``. A restore alert that arrives while its hub's outage alert still waits
    replaces it (the restore carries the outage's detection time and duration), which halves
    the traffic of a regional outage that ends before the backlog drains.
    """

    def __init__(
        self,
        policy: AlertPolicy,
        clock: Clock,
        hand_on: Callable[[ShapedAlert], Awaitable[None]],
    ) -> None:
        self.policy = policy
        self.counters = AlertCounters()
        self._clock = clock
        self._hand_on = hand_on
        self._bucket = TokenBucket(policy.max_rate, policy.burst, clock=clock)
        self._queue: deque[_Entry] = deque()
        self._live = 0
        self._waiting_outage: dict[IPv6Address, tuple[int, _Entry]] = {}
        self._seen: dict[bytes, float] = {}
        self._seen_order: deque[tuple[float, bytes]] = deque()
        self._regions: dict[str, _RegionOutage] = {}
        self._ready = asyncio.Event()

    @property
    def backlog(self) -> int:
        """Alerts waiting to be handed on."""
        return self._live

    def offer(self, alert: ShapedAlert) -> AlertDisposition:
        """Queue ``alert`` unless it duplicates a recent one or the backlog is full."""
        self.counters.received += 1
        now = self._clock.now()
        self._forget_before(now - self.policy.duplicate_window)
        key = hashlib.sha256(
            b"%s|%d|%d|" % (alert.address.packed if alert.address else b"", alert.category,
                            alert.gateway_alert) + alert.payload
        ).digest()
        if key in self._seen:
            self.counters.collapsed += 1
            return AlertDisposition.COLLAPSED

        decoded = self._decode_power_alert(alert)
        if decoded is None and self._live >= self.policy.max_backlog:
            self.counters.dropped += 1
            if self.counters.dropped == 1 or self.counters.dropped % 1000 == 0:
                logger.warning(
                    "alert backlog full (%d alerts); dropped %d alerts so far, latest from %s",
                    self._live, self.counters.dropped, alert.address,
                )
            return AlertDisposition.DROPPED

        self._seen[key] = now
        self._seen_order.append((now, key))
        entry = _Entry(alert)
        if isinstance(decoded, PowerOutageAlert):
            self._waiting_outage[decoded.address] = (decoded.loss_detected_at, entry)
            self._count_outage(alert.region, decoded)
        elif isinstance(decoded, PowerRestoreAlert):
            self._merge_waiting_outage(decoded)
            self._count_restore(alert.region, decoded)
        self._push(entry)
        return AlertDisposition.QUEUED

    def _push(self, entry: _Entry, *, first: bool = False) -> None:
        if first:
            self._queue.appendleft(entry)
        else:
            self._queue.append(entry)
        self._live += 1
        self.counters.peak_backlog = max(self.counters.peak_backlog, self._live)
        self._ready.set()

    def _forget_before(self, horizon: float) -> None:
        while self._seen_order and self._seen_order[0][0] < horizon:
            _, key = self._seen_order.popleft()
            if self._seen.get(key, horizon + 1) < horizon:
                del self._seen[key]

    @staticmethod
    def _decode_power_alert(alert: ShapedAlert) -> GatewayAlert | None:
        if not alert.gateway_alert:
            return None
        try:
            decoded = decode_gateway_alert(alert.payload)
        except CodecError:
            return None
        return decoded if isinstance(decoded, (PowerOutageAlert, PowerRestoreAlert)) else None

    def _merge_waiting_outage(self, restore: PowerRestoreAlert) -> None:
        waiting = self._waiting_outage.pop(restore.address, None)
        if waiting is None:
            return
        loss_detected_at, entry = waiting
        if loss_detected_at == restore.loss_detected_at and not entry.cancelled:
            entry.cancelled = True
            self._live -= 1
            self.counters.merged += 1

    def _count_outage(self, region: str, alert: PowerOutageAlert) -> None:
        outage = self._regions.setdefault(region, _RegionOutage())
        if not outage.hubs:
            outage.first_loss_detected_at = alert.loss_detected_at
        outage.hubs[alert.address] = alert.loss_detected_at
        outage.peak = max(outage.peak, len(outage.hubs))
        if not outage.correlated and len(outage.hubs) >= self.policy.correlated_outage_threshold:
            outage.correlated = True
            self.counters.correlated_outages += 1
            logger.warning(
                "correlated outage in postcode area %r: %d hubs lost power", region or "?",
                len(outage.hubs),
            )
            summary = CorrelatedOutageAlert(region, len(outage.hubs), outage.first_loss_detected_at)
            self._push_summary(summary)

    def _count_restore(self, region: str, alert: PowerRestoreAlert) -> None:
        outage = self._regions.get(region)
        if outage is None or outage.hubs.pop(alert.address, None) is None or outage.hubs:
            return
        if outage.correlated:
            logger.info(
                "correlated outage in postcode area %r cleared (peak %d hubs)", region or "?",
                outage.peak,
            )
            cleared = CorrelatedOutageClearedAlert(
                region, outage.peak, outage.first_loss_detected_at, int(self._clock.now())
            )
            self._push_summary(cleared)
        del self._regions[region]

    def _push_summary(self, summary: GatewayAlert) -> None:
        # Summaries jump the queue: they tell the remote party what the backlog is about.
        alert = ShapedAlert(None, encode_gateway_alert(summary), 3, True)
        self._push(_Entry(alert), first=isinstance(summary, CorrelatedOutageAlert))

    async def run(self) -> None:
        """Hand alerts on forever at no more than the policy's rate."""
        while True:
            while not self._live:
                self._ready.clear()
                await self._ready.wait()
            await self._bucket.take()
            entry = self._pop()
            if entry is None:
                continue
            try:
                await self._hand_on(entry.alert)
            except Exception:
                logger.exception("handing on an alert from %s failed", entry.alert.address)
            self.counters.handed_on += 1

    def _pop(self) -> _Entry | None:
        while self._queue:
            entry = self._queue.popleft()
            if entry.cancelled:
                continue
            self._live -= 1
            address = entry.alert.address
            if address is not None:
                waiting = self._waiting_outage.get(address)
                if waiting is not None and waiting[1] is entry:
                    del self._waiting_outage[address]
            return entry
        return None
