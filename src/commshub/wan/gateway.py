"""The SMWAN gateway core: routing by network address, acknowledgement, retries, throughput
limits, scheduling, alert shaping and the audit trail, independent of any socket.

Remote parties reach it through :class:`ClientSession` objects (the socket server in
:mod:`commshub.wan.server` opens one per connection); hubs through :class:`HubEndpoint`.
Every decision that a remote party or a hub can observe is audited first. A request is
committed to the audit trail before its ACK is sent and before it is delivered. A response is
committed before it is forwarded, and an alert before it is handed on.
"""

from __future__ import annotations

import asyncio
import hashlib
import heapq
import itertools
import logging
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from ipaddress import IPv6Address, IPv6Network
from typing import Any, Protocol

from commshub.errors import CodecError, CommshubError, LocalProtocolError
from commshub.store.audit import (
    INTERRUPTED,
    AuditKind,
    AuditOutcome,
    AuditRecord,
    AuditWriter,
    unconcluded_requests,
)
from commshub.wan import csp
from commshub.wan.addresses import DEFAULT_PREFIX, AddressRegistry, GroupSelector, HubProfile
from commshub.wan.alerts import (
    AlertDisposition,
    AlertPolicy,
    AlertShaper,
    PowerOutageAlert,
    PowerRestoreAlert,
    ShapedAlert,
    decode_gateway_alert,
    encode_gateway_alert,
)
from commshub.wan.clock import Clock, SystemClock
from commshub.wan.endpoint import HubEndpoint, HubUnreachableError
from commshub.wan.framing import Address, Category, Frame, FrameType, Status
from commshub.wan.limits import TokenBucket

__all__ = [
    "ClientSession",
    "ClientSink",
    "Gateway",
    "GatewaySettings",
    "HubPort",
    "MessageCodeOf",
]

logger = logging.getLogger(__name__)

# Returns the GBCS message code of a frame (for the audit trail), or None.
MessageCodeOf = Callable[[bytes], int | None]

_REQUEST_CATEGORIES = frozenset({Category.FIRMWARE, Category.SCHEDULED_READ, Category.BULK,
                                 Category.UNICAST})
_GROUP_CATEGORIES = frozenset({Category.FIRMWARE, Category.BULK})
_EMPTY_PAYLOAD_CATEGORIES = frozenset({Category.SCHEDULED_READ})
_MS = 1000.0
# A delivery this close to its release time (seconds) is due; finer waits are float noise.
_DUE_TOLERANCE = 1e-6
# RATE_LIMITED rejections of one client between two INFO lines; the others log at DEBUG.
_RATE_LIMITED_PER_LOG = 100


@dataclass(frozen=True)
class GatewaySettings:
    """Limits and timers of the gateway. Rates are per second, times in seconds.

    ``client_rate``/``client_burst``: requests accepted per remote party (token bucket).
    ``hub_rate``/``hub_burst``: deliveries per hub; more wait in the hub's queue of at most
    ``hub_queue_limit`` deliveries. ``group_rate``: deliveries per second of a group request
    that names no spread. ``delivery_attempts``: tries to hand a frame to an unreachable hub,
    waiting ``retry_base_delay`` doubled per retry up to ``retry_max_delay`` in between.
    ``response_timeout``: wait for a hub's final response after delivery.
    ``completed_requests_kept``: completed requests per remote party kept for idempotent
    retransmission.
    """

    client_rate: float = 20.0
    client_burst: int = 40
    hub_rate: float = 5.0
    hub_burst: int = 10
    hub_queue_limit: int = 128
    group_rate: float = 50.0
    delivery_attempts: int = 4
    retry_base_delay: float = 2.0
    retry_max_delay: float = 60.0
    response_timeout: float = 300.0
    max_release_delay: float = 7 * 86_400.0
    max_spread: float = 86_400.0
    completed_requests_kept: int = 10_000
    alerts: AlertPolicy = field(default_factory=AlertPolicy)
    prefix: IPv6Network = DEFAULT_PREFIX

    def __post_init__(self) -> None:
        if self.delivery_attempts < 1:
            raise ValueError("delivery_attempts must be at least 1")
        if self.hub_queue_limit < 1 or self.completed_requests_kept < 1:
            raise ValueError("hub_queue_limit and completed_requests_kept must be at least 1")
        if self.response_timeout <= 0 or self.group_rate <= 0:
            raise ValueError("response_timeout and group_rate must be positive")


class ClientSink(Protocol):
    """The outgoing side of one client connection. ``send`` must not block."""

    def send(self, frame: Frame) -> None: ...


class _Rejected(CommshubError):
    def __init__(self, status: Status, message: str, *, retry_after: float = 0.0) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


@dataclass(eq=False)
class _Request:
    client: _Client
    frame: Frame
    digest: bytes
    sink: ClientSink
    message_code: int | None
    deliveries: list[_Delivery] = field(default_factory=list)
    sent: list[Frame] = field(default_factory=list)  # replayed on retransmission
    open_deliveries: int = 0
    recovered: bool = False  # restored from the audit trail after a restart

    @property
    def done(self) -> bool:
        return self.open_deliveries == 0

    def send(self, frame: Frame) -> None:
        self.sent.append(frame)
        self.sink.send(frame)


@dataclass(eq=False)
class _Delivery:
    request_id: int
    request: _Request
    hub: _Hub
    not_before: float
    responses: int = 0
    done: bool = False
    timer: asyncio.Task[None] | None = None


@dataclass(eq=False)
class _Client:
    name: str
    bucket: TokenBucket
    open_requests: dict[int, _Request] = field(default_factory=dict)
    completed: OrderedDict[int, _Request] = field(default_factory=OrderedDict)

    def find(self, correlation_id: int) -> _Request | None:
        return self.open_requests.get(correlation_id) or self.completed.get(correlation_id)


class _Hub:
    """An installed hub: its endpoint, its delivery queue (ordered by release time, then by
    arrival) and the deliveries that await a response."""

    def __init__(self, address: IPv6Address, profile: HubProfile, endpoint: HubEndpoint,
                 bucket: TokenBucket) -> None:
        self.address = address
        self.profile = profile
        self.endpoint = endpoint
        self.bucket = bucket
        self.queue: list[tuple[float, int, _Delivery]] = []
        self.awaiting: dict[int, _Delivery] = {}
        self.wake = asyncio.Event()
        self.worker: asyncio.Task[None] | None = None
        self.decommissioned = False

    def push(self, delivery: _Delivery, sequence: int) -> None:
        heapq.heappush(self.queue, (delivery.not_before, sequence, delivery))
        self.wake.set()

    async def next_due(self, clock: Clock) -> _Delivery:
        """Wait until the earliest queued delivery is due, then take it off the queue."""
        while True:
            if not self.queue:
                self.wake.clear()
                await self.wake.wait()
                continue
            wait = self.queue[0][0] - clock.now()
            if wait <= _DUE_TOLERANCE:
                return heapq.heappop(self.queue)[2]
            self.wake.clear()
            sleeper = asyncio.ensure_future(clock.sleep(wait))
            waker = asyncio.ensure_future(self.wake.wait())
            try:
                await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                sleeper.cancel()
                waker.cancel()


class HubPort:
    """The :class:`~commshub.wan.endpoint.Uplink` that the gateway gives each installed hub."""

    def __init__(self, gateway: Gateway, hub: _Hub) -> None:
        self._gateway = gateway
        self._hub = hub

    @property
    def address(self) -> IPv6Address:
        return self._hub.address

    async def respond(self, request_id: int, frame: bytes, *, final: bool = True) -> None:
        await self._gateway._on_response(self._hub, request_id, bytes(frame), final)

    def recovered(self) -> list[tuple[int, bytes]]:
        return [(request_id, delivery.request.frame.payload)
                for request_id, delivery in self._hub.awaiting.items()
                if delivery.request.recovered and not delivery.done]

    async def firmware_delivered(self, succeeded: bool, frame: bytes, detail: str) -> None:
        await self._gateway._record(
            AuditKind.FIRMWARE_DELIVERY, AuditOutcome.SUCCESS if succeeded else AuditOutcome.FAILURE,
            frame=frame, hub=str(self._hub.address), hub_id=self._hub.profile.hub_id,
            category=Category.METER_ALERT, message_code=self._gateway._message_code(frame),
            detail=detail)

    async def scheduled_read_missed(self, message_code: int, detail: str) -> None:
        await self._gateway._record(
            AuditKind.SCHEDULED_READ, AuditOutcome.FAILURE, hub=str(self._hub.address),
            hub_id=self._hub.profile.hub_id, category=Category.SCHEDULED_READ,
            message_code=message_code, detail=detail)

    async def alert(self, frame: bytes, *, category: int = Category.METER_ALERT) -> None:
        if category != Category.METER_ALERT:
            raise LocalProtocolError(
                f"hubs send unsolicited alerts in Category 3 only, not Category {category}; "
                "cached scheduled reads go up as responses to a Category 2 retrieval"
            )
        await self._gateway._on_alert(self._hub, bytes(frame), gateway_alert=False, detail="")

    async def power_outage(self, loss_detected_at: int) -> None:
        payload = encode_gateway_alert(PowerOutageAlert(self._hub.address, loss_detected_at))
        detail = f"power outage, loss detected at {_utc_text(loss_detected_at)}"
        await self._gateway._on_alert(self._hub, payload, gateway_alert=True, detail=detail)

    async def power_restore(self, loss_detected_at: int, restored_at: int) -> None:
        alert = PowerRestoreAlert.between(self._hub.address, loss_detected_at, restored_at)
        detail = (f"power restore at {_utc_text(restored_at)}, loss detected at "
                  f"{_utc_text(loss_detected_at)}, "
                  f"outage {alert.outage_duration} s")
        await self._gateway._on_alert(
            self._hub, encode_gateway_alert(alert), gateway_alert=True, detail=detail
        )


class ClientSession:
    """One remote party's connection to the gateway.

    Requests are identified by (client name, correlation id): a retransmission under the
    same name, even on a new connection, is acknowledged as a duplicate and gets the frames
    already sent for it again instead of a second delivery.
    """

    def __init__(self, gateway: Gateway, name: str, sink: ClientSink) -> None:
        self._gateway = gateway
        self.sink = sink
        self.name = name
        self.subscriptions: list[Address] = []

    def rename(self, name: str) -> None:
        """Take the client name from a HELLO frame."""
        self.name = name

    def subscribe(self, address: Address) -> Frame:
        """Receive alerts from the hub or group ``address``, or from every hub when None."""
        self.subscriptions.append(address)
        self._gateway._sessions.add(self)
        return Frame(FrameType.ACK, status=Status.ACCEPTED, address=address,
                     message=f"subscribed to alerts from {address or 'all hubs'}")

    def wants(self, alert: ShapedAlert, profile: HubProfile | None) -> bool:
        for address in self.subscriptions:
            if address is None or address == alert.address:
                return True
            if isinstance(address, GroupSelector) and profile is not None and address.matches(profile):
                return True
        return False

    async def submit(self, frame: Frame) -> None:
        """Handle a REQUEST frame: send its ACK, then (later) its responses, through the sink."""
        await self._gateway._submit(self, frame)

    def close(self) -> None:
        """Stop sending alerts to this session; its requests stay known for retransmission."""
        self._gateway._sessions.discard(self)


class Gateway:
    """Routes requests from remote parties to installed hubs and responses and alerts back.

    ``audit`` commits the audit trail (None runs without one, for tests of other parts);
    ``message_code_of`` extracts the GBCS message code of a frame for the audit trail.
    Call :meth:`start` inside the event loop before use and :meth:`close` at the end.
    """

    def __init__(
        self,
        *,
        settings: GatewaySettings | None = None,
        clock: Clock | None = None,
        audit: AuditWriter | None = None,
        message_code_of: MessageCodeOf | None = None,
    ) -> None:
        self.settings = settings or GatewaySettings()
        self.clock: Clock = clock or SystemClock()
        self.registry = AddressRegistry(self.settings.prefix)
        self._audit = audit
        self._message_code_of = message_code_of
        self._hubs: dict[IPv6Address, _Hub] = {}
        self._clients: dict[str, _Client] = {}
        self._sessions: set[ClientSession] = set()
        # Requests in flight when the gateway last stopped without concluding them, by hub
        # address, until that hub is installed again.
        self._recovered: dict[IPv6Address, list[_Request]] = {}
        self._request_ids = itertools.count(1)
        self._alert_ids = itertools.count(1)
        self._sequence = itertools.count()
        self.shaper = AlertShaper(self.settings.alerts, self.clock, self._hand_on_alert)
        self._tasks: set[asyncio.Task[None]] = set()
        self._shaper_task: asyncio.Task[None] | None = None
        self.counters: dict[str, int] = {
            "requests_accepted": 0, "requests_rejected": 0, "duplicates": 0,
            "responses": 0, "delivery_retries": 0, "delivery_failures": 0, "timeouts": 0,
            "recovered": 0,
        }
        self._rate_limited: dict[str, int] = {}  # RATE_LIMITED rejections per client name

    # Lifecycle.

    async def start(self) -> None:
        if self._audit is None:
            logger.warning("gateway running without an audit trail")
        self._shaper_task = asyncio.create_task(self.shaper.run(), name="gateway-alerts")
        if self._audit is not None:
            await self._recover(self._audit)
        logger.info("gateway started")

    async def close(self) -> None:
        """Fail every open request with SHUTTING_DOWN and stop all tasks."""
        for hub in list(self._hubs.values()):
            await self._drop_hub_deliveries(hub, Status.SHUTTING_DOWN, "the gateway is stopping")
            if hub.worker:
                hub.worker.cancel()
        tasks = [t for t in (self._shaper_task, *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        logger.info("gateway stopped")

    def stats(self) -> dict[str, Any]:
        """Counters for status reports: requests, hubs, queues and alert shaping."""
        alerts = self.shaper.counters
        return {
            **self.counters,
            "hubs": len(self._hubs),
            "clients": len(self._clients),
            "queued_deliveries": sum(len(hub.queue) for hub in self._hubs.values()),
            "awaiting_response": sum(len(hub.awaiting) for hub in self._hubs.values()),
            "alerts": {**vars(alerts), "backlog": self.shaper.backlog},
        }

    # Hubs.

    def install_hub(
        self, endpoint: HubEndpoint, profile: HubProfile, *, address: IPv6Address | None = None
    ) -> HubPort:
        """Install a hub: assign its network address (``address`` restores one a hub stored at
        an earlier installation) and start its delivery queue. Returns its uplink."""
        address = self.registry.install(profile, address=address)
        hub = _Hub(address, profile, endpoint,
                   TokenBucket(self.settings.hub_rate, self.settings.hub_burst, clock=self.clock))
        self._hubs[address] = hub
        hub.worker = asyncio.create_task(self._run_hub(hub), name=f"gateway-hub-{address}")
        for request in self._recovered.pop(address, []):
            # The hub may already hold the request: it answers from its NVM, or never.
            delivery = _Delivery(next(self._request_ids), request, hub, self.clock.now())
            request.deliveries.append(delivery)
            request.open_deliveries += 1
            hub.awaiting[delivery.request_id] = delivery
            delivery.timer = self._spawn(self._expire(delivery))
        return HubPort(self, hub)

    async def decommission_hub(self, address: IPv6Address) -> HubProfile:
        """Remove the hub's network address; its open requests fail with HUB_DECOMMISSIONED."""
        profile = self.registry.decommission(address)
        hub = self._hubs.pop(address)
        hub.decommissioned = True
        await self._drop_hub_deliveries(hub, Status.HUB_DECOMMISSIONED, "the hub was decommissioned")
        if hub.worker:
            hub.worker.cancel()
        return profile

    def update_hub(self, address: IPv6Address, profile: HubProfile) -> None:
        """Change a hub's group attributes (after a firmware update, a change of supplier)."""
        self.registry.update(address, profile)
        self._hubs[address].profile = profile

    async def _drop_hub_deliveries(self, hub: _Hub, status: Status, reason: str) -> None:
        pending = [entry[2] for entry in hub.queue] + list(hub.awaiting.values())
        hub.queue.clear()
        for delivery in pending:
            await self._fail(delivery, status, reason)

    # Restarts.

    async def _recover(self, audit: AuditWriter) -> None:
        """Take over the requests that the audit trail shows accepted but not concluded: the
        process before this one was killed with them in flight.

        A unicast GBCS request waits ``response_timeout`` for its hub's response, which the hub
        sends again from its non-volatile memory; any other request (a firmware chunk, a
        Category 2 retrieval, a group request) fails with INTERRUPTED at once, as its state died
        with the process. Either way the outcome is audited and kept for a retransmission.
        """
        records = await asyncio.to_thread(
            audit.trail.query, kind=(AuditKind.REQUEST, AuditKind.RESPONSE))
        for record in unconcluded_requests(records):
            address = _ipv6(record.hub)
            category = record.category or 0
            frame = Frame(FrameType.REQUEST, category=category,
                          correlation_id=record.correlation_id or 0, address=address,
                          payload=record.frame or b"")
            client = self._client(record.client or "")
            request = _Request(client, frame, _request_digest(frame), _NULL_SINK,
                               record.message_code, recovered=True)
            client.open_requests[frame.correlation_id] = request
            self.counters["recovered"] += 1
            if address is not None and category in (Category.UNICAST, Category.BULK):
                logger.info("request %d from %s to hub %s was in flight at the last stop; "
                            "waiting %g s for the hub's response", frame.correlation_id,
                            client.name, address, self.settings.response_timeout)
                self._recovered.setdefault(address, []).append(request)
                continue
            await self._interrupt(request, record, "its delivery state was lost with the "
                                                   "process")
        if self._recovered:
            self._spawn(self._expire_recovered())

    async def _expire_recovered(self) -> None:
        """Fail the recovered requests whose hub was not installed again in time."""
        await self.clock.sleep(self.settings.response_timeout)
        for address, requests in list(self._recovered.items()):
            del self._recovered[address]
            for request in requests:
                record = AuditRecord(AuditKind.REQUEST, AuditOutcome.ACCEPTED, at=_EPOCH,
                                     hub=str(address), hub_id=None)
                await self._interrupt(request, record, f"hub {address} was not installed again "
                                      f"within {self.settings.response_timeout:g} s")

    async def _interrupt(self, request: _Request, record: AuditRecord, reason: str) -> None:
        """Conclude a recovered request that no hub will answer: audit and keep its failure."""
        frame = request.frame
        reason = f"interrupted by a restart of the gateway; {reason}"
        logger.warning("request %d from %s to %s failed: %s", frame.correlation_id,
                       request.client.name, record.hub, reason)
        fields: dict[str, Any] = {
            "hub": record.hub, "hub_id": record.hub_id, "client": request.client.name,
            "correlation_id": frame.correlation_id, "category": frame.category,
            "message_code": request.message_code, "detail": f"{INTERRUPTED}: {reason}",
        }
        try:
            await self._record(AuditKind.RESPONSE, AuditOutcome.FAILURE, **fields)
            if frame.category == Category.FIRMWARE:
                await self._record(AuditKind.FIRMWARE_DELIVERY, AuditOutcome.FAILURE, **fields)
            elif frame.category == Category.SCHEDULED_READ:
                await self._record(AuditKind.SCHEDULED_READ, AuditOutcome.FAILURE, **fields)
        except CommshubError as exc:
            logger.error("audit write for an interrupted request failed: %s", exc)
        request.send(Frame(FrameType.ERROR, category=frame.category,
                           correlation_id=frame.correlation_id, address=frame.address,
                           status=Status.INTERRUPTED, message=reason))
        self._settle_request(request)

    # Requests.

    def open_session(self, name: str, sink: ClientSink) -> ClientSession:
        return ClientSession(self, name, sink)

    def _client(self, name: str) -> _Client:
        client = self._clients.get(name)
        if client is None:
            bucket = TokenBucket(self.settings.client_rate, self.settings.client_burst, clock=self.clock)
            client = self._clients[name] = _Client(name, bucket)
        return client

    async def _submit(self, session: ClientSession, frame: Frame) -> None:
        client = self._client(session.name)
        digest = _request_digest(frame)
        existing = client.find(frame.correlation_id)
        if existing is not None:
            await self._acknowledge_duplicate(session, existing, frame, digest)
            return
        try:
            targets = self._check_request(client, frame)
        except _Rejected as rejection:
            await self._reject(session, frame, rejection)
            return

        code = self._message_code(frame.payload)
        request = _Request(client, frame, digest, session.sink, code)
        try:
            await self._record(
                AuditKind.REQUEST, AuditOutcome.ACCEPTED, frame=frame.payload,
                hub=_target_text(frame.address), hub_id=self._hub_id(frame.address),
                client=client.name, correlation_id=frame.correlation_id, category=frame.category,
                message_code=code, detail=f"{len(targets)} target hub(s)",
            )
        except CommshubError as exc:
            logger.error("rejecting request %d from %s: audit write failed: %s",
                         frame.correlation_id, client.name, exc)
            session.sink.send(_ack(frame, Status.AUDIT_FAILURE, f"audit trail write failed: {exc}"))
            return

        self.counters["requests_accepted"] += 1
        client.open_requests[frame.correlation_id] = request
        session.sink.send(_ack(frame, Status.ACCEPTED, "accepted", targets=len(targets)))
        logger.debug("request %d from %s accepted for %d hub(s)", frame.correlation_id,
                     client.name, len(targets))
        self._schedule(request, targets)

    async def _acknowledge_duplicate(
        self, session: ClientSession, request: _Request, frame: Frame, digest: bytes
    ) -> None:
        if request.digest != digest:
            await self._reject(session, frame, _Rejected(
                Status.CORRELATION_ID_REUSED,
                f"correlation id {frame.correlation_id} was used for a different request; "
                "use a new id for a new request",
            ))
            return
        self.counters["duplicates"] += 1
        request.sink = session.sink
        session.sink.send(_ack(
            frame, Status.ACCEPTED_DUPLICATE,
            "already accepted; frames sent so far follow", targets=len(request.deliveries),
        ))
        for sent in request.sent:
            session.sink.send(sent)

    def _check_request(self, client: _Client, frame: Frame) -> list[_Hub]:
        """Validate a new request and apply the throughput limits; return its target hubs."""
        category = frame.category
        if category not in _REQUEST_CATEGORIES:
            hint = " (Category 3 alerts flow from hubs only)" if category == Category.METER_ALERT else ""
            raise _Rejected(Status.INVALID_CATEGORY,
                            f"Category {category} is not a request category{hint}; use 1, 2, 4 or 5")
        address = frame.address
        if address is None:
            raise _Rejected(Status.INVALID_ADDRESS, "a request needs a hub network address or a group")
        if isinstance(address, GroupSelector) and category not in _GROUP_CATEGORIES:
            raise _Rejected(Status.INVALID_ADDRESS,
                            f"Category {category} requests are unicast; only Categories 1 and 4 "
                            "take a group address")
        if not frame.payload and category not in _EMPTY_PAYLOAD_CATEGORIES:
            raise _Rejected(Status.INVALID_REQUEST, f"a Category {category} request needs a payload")
        self._check_schedule(frame)

        wait = client.bucket.try_take()
        if wait > 0:
            raise _Rejected(Status.RATE_LIMITED,
                            f"more than {self.settings.client_rate:g} requests per second from "
                            f"{client.name}", retry_after=wait)

        if isinstance(address, GroupSelector):
            hubs = [self._hubs[a] for a in self.registry.resolve(address)]
            if not hubs:
                raise _Rejected(Status.EMPTY_GROUP, f"no installed hub matches group {address}")
            return hubs
        hub = self._hubs.get(address)
        if hub is None:
            raise _Rejected(Status.UNKNOWN_ADDRESS, f"no hub is installed at network address {address}")
        if len(hub.queue) >= self.settings.hub_queue_limit:
            raise _Rejected(Status.HUB_QUEUE_FULL,
                            f"{len(hub.queue)} deliveries already wait for hub {address}",
                            retry_after=len(hub.queue) / self.settings.hub_rate)
        return [hub]

    def _check_schedule(self, frame: Frame) -> None:
        if frame.release_at_ms is not None:
            ahead = frame.release_at_ms / _MS - self.clock.now()
            if ahead > self.settings.max_release_delay:
                raise _Rejected(Status.INVALID_SCHEDULE,
                                f"release time is {ahead:.0f} s ahead; the limit is "
                                f"{self.settings.max_release_delay:.0f} s")
        if frame.spread_ms is not None and frame.spread_ms / _MS > self.settings.max_spread:
            raise _Rejected(Status.INVALID_SCHEDULE,
                            f"spread of {frame.spread_ms / _MS:.0f} s exceeds the limit of "
                            f"{self.settings.max_spread:.0f} s")

    async def _reject(self, session: ClientSession, frame: Frame, rejection: _Rejected) -> None:
        self.counters["requests_rejected"] += 1
        level, repeats = logging.INFO, ""
        if rejection.status is Status.RATE_LIMITED:
            count = self._rate_limited[session.name] = self._rate_limited.get(session.name, 0) + 1
            if count % _RATE_LIMITED_PER_LOG != 1:
                level = logging.DEBUG
            elif count > 1:
                repeats = f" ({count} RATE_LIMITED rejections of {session.name} so far)"
        logger.log(level, "rejected request %d from %s: %s %s%s", frame.correlation_id,
                   session.name, rejection.status.name, rejection.message, repeats)
        try:
            await self._record(
                AuditKind.REQUEST, AuditOutcome.REJECTED, frame=frame.payload,
                hub=_target_text(frame.address), hub_id=self._hub_id(frame.address),
                client=session.name, correlation_id=frame.correlation_id, category=frame.category,
                message_code=self._message_code(frame.payload),
                detail=f"{rejection.status.name}: {rejection.message}",
            )
        except CommshubError as exc:
            logger.error("audit write for a rejected request failed: %s", exc)
        session.sink.send(_ack(frame, rejection.status, rejection.message,
                               retry_after_ms=round(rejection.retry_after * _MS)))

    def _schedule(self, request: _Request, hubs: list[_Hub]) -> None:
        """Queue one delivery per target hub, released at the agreed time and spread."""
        frame = request.frame
        base = self.clock.now()
        if frame.release_at_ms is not None:
            base = max(base, frame.release_at_ms / _MS)
        count = len(hubs)
        for index, hub in enumerate(hubs):
            if frame.spread_ms:
                offset = frame.spread_ms / _MS * index / count
            else:
                offset = index / self.settings.group_rate
            delivery = _Delivery(next(self._request_ids), request, hub, base + offset)
            request.deliveries.append(delivery)
            request.open_deliveries += 1
            if len(hub.queue) >= self.settings.hub_queue_limit:
                # Only group requests get here: unicast ones were rejected before the ACK.
                self._spawn(self._fail(delivery, Status.HUB_QUEUE_FULL,
                                       f"{len(hub.queue)} deliveries already wait for this hub"))
                continue
            hub.push(delivery, next(self._sequence))

    # Delivery to hubs.

    async def _run_hub(self, hub: _Hub) -> None:
        while True:
            delivery = await hub.next_due(self.clock)
            await hub.bucket.take()
            if not delivery.done:
                await self._deliver(delivery)

    async def _deliver(self, delivery: _Delivery) -> None:
        """Hand one frame to its hub, retrying with exponential backoff while it is unreachable."""
        hub, request = delivery.hub, delivery.request
        settings = self.settings
        for attempt in range(1, settings.delivery_attempts + 1):
            hub.awaiting[delivery.request_id] = delivery
            try:
                await hub.endpoint.deliver(request.frame.payload, request.frame.category,
                                           delivery.request_id)
            except HubUnreachableError as exc:
                hub.awaiting.pop(delivery.request_id, None)
                if attempt == settings.delivery_attempts:
                    self.counters["delivery_failures"] += 1
                    await self._fail(delivery, Status.HUB_UNREACHABLE,
                                     f"hub unreachable after {attempt} attempts: {exc}")
                    return
                delay = min(settings.retry_max_delay, settings.retry_base_delay * 2 ** (attempt - 1))
                self.counters["delivery_retries"] += 1
                logger.info("delivery %d to hub %s failed (attempt %d of %d): %s; retrying in %g s",
                            delivery.request_id, hub.address, attempt, settings.delivery_attempts,
                            exc, delay)
                await self.clock.sleep(delay)
                if delivery.done:
                    return
                continue
            except Exception as exc:
                hub.awaiting.pop(delivery.request_id, None)
                logger.exception("hub endpoint %s failed on delivery %d", hub.address,
                                 delivery.request_id)
                await self._fail(delivery, Status.INTERNAL_ERROR, f"hub endpoint failed: {exc!r}")
                return
            if not delivery.done:
                delivery.timer = self._spawn(self._expire(delivery))
            return

    async def _expire(self, delivery: _Delivery) -> None:
        await self.clock.sleep(self.settings.response_timeout)
        if delivery.done:
            return
        if delivery.request.recovered:
            await self._fail(delivery, Status.INTERRUPTED,
                             "interrupted by a restart of the gateway; the hub sent no response "
                             f"within {self.settings.response_timeout:g} s after it")
        else:
            self.counters["timeouts"] += 1
            await self._fail(delivery, Status.RESPONSE_TIMEOUT,
                             f"no final response within {self.settings.response_timeout:g} s "
                             f"({delivery.responses} response(s) received)")

    async def _on_response(self, hub: _Hub, request_id: int, frame: bytes, final: bool) -> None:
        delivery = hub.awaiting.get(request_id)
        code = self._message_code(frame)
        if delivery is None or delivery.done:
            logger.warning("hub %s sent a response to request %d, which no request awaits "
                           "(timed out, failed or unknown); it is not forwarded",
                           hub.address, request_id)
            await self._record(AuditKind.RESPONSE, AuditOutcome.REJECTED, frame=frame,
                               hub=str(hub.address), hub_id=hub.profile.hub_id, message_code=code,
                               detail=f"no request awaits hub request id {request_id}")
            return

        # Decide before the first await, so that the response timer cannot also fire.
        delivery.responses += 1
        if final:
            self._close_delivery(delivery)
        request = delivery.request
        self.counters["responses"] += 1
        await self._record(
            AuditKind.RESPONSE, AuditOutcome.SUCCESS, frame=frame, hub=str(hub.address),
            hub_id=hub.profile.hub_id, client=request.client.name,
            correlation_id=request.frame.correlation_id, category=request.frame.category,
            message_code=code, detail="final" if final else "more follow",
        )

        if final:
            outcome, detail = _delivery_outcome(request.frame.category, frame, delivery.responses)
            await self._record_outcome(delivery, outcome, detail)
        request.send(Frame(
            FrameType.RESPONSE, category=request.frame.category,
            correlation_id=request.frame.correlation_id, address=hub.address, payload=frame,
            more_follows=not final,
        ))
        if final:
            self._settle_request(request)

    async def _fail(self, delivery: _Delivery, status: Status, reason: str) -> None:
        if delivery.done:
            return
        self._close_delivery(delivery)
        hub, request = delivery.hub, delivery.request
        logger.warning("request %d from %s to hub %s failed: %s", request.frame.correlation_id,
                       request.client.name, hub.address, reason)
        try:
            await self._record(
                AuditKind.RESPONSE, AuditOutcome.FAILURE, hub=str(hub.address),
                hub_id=hub.profile.hub_id, client=request.client.name,
                correlation_id=request.frame.correlation_id, category=request.frame.category,
                message_code=request.message_code, detail=f"{status.name}: {reason}",
            )
            await self._record_outcome(delivery, AuditOutcome.FAILURE, f"{status.name}: {reason}")
        except CommshubError as exc:
            logger.error("audit write for a failed request failed: %s", exc)
        request.send(Frame(
            FrameType.ERROR, category=request.frame.category,
            correlation_id=request.frame.correlation_id, address=hub.address, status=status,
            message=reason,
        ))
        self._settle_request(request)

    def _close_delivery(self, delivery: _Delivery) -> None:
        delivery.done = True
        delivery.hub.awaiting.pop(delivery.request_id, None)
        if delivery.timer is not None and delivery.timer is not asyncio.current_task():
            delivery.timer.cancel()
        delivery.request.open_deliveries -= 1

    async def _record_outcome(self, delivery: _Delivery, outcome: AuditOutcome, detail: str) -> None:
        """Record a firmware delivery or a scheduled-read retrieval when one ends."""
        category = delivery.request.frame.category
        if category == Category.FIRMWARE:
            kind = AuditKind.FIRMWARE_DELIVERY
        elif category == Category.SCHEDULED_READ:
            kind = AuditKind.SCHEDULED_READ
        else:
            return
        request = delivery.request
        await self._record(
            kind, outcome, hub=str(delivery.hub.address), hub_id=delivery.hub.profile.hub_id,
            client=request.client.name, correlation_id=request.frame.correlation_id,
            category=category, message_code=request.message_code, detail=detail,
        )

    def _settle_request(self, request: _Request) -> None:
        if not request.done:
            return
        client = request.client
        correlation_id = request.frame.correlation_id
        if client.open_requests.pop(correlation_id, None) is None:
            return
        client.completed[correlation_id] = request
        while len(client.completed) > self.settings.completed_requests_kept:
            client.completed.popitem(last=False)

    # Alerts.

    async def _on_alert(self, hub: _Hub, payload: bytes, *, gateway_alert: bool, detail: str) -> None:
        if hub.decommissioned:
            raise LocalProtocolError(f"hub {hub.address} is decommissioned; its alerts are rejected")
        recorded: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        alert = _AuditedAlert(hub.address, payload, Category.METER_ALERT, gateway_alert,
                              hub.profile.region, recorded=recorded)
        disposition = self.shaper.offer(alert)
        outcome = {
            AlertDisposition.QUEUED: AuditOutcome.ACCEPTED,
            AlertDisposition.COLLAPSED: AuditOutcome.COLLAPSED,
            AlertDisposition.DROPPED: AuditOutcome.REJECTED,
        }[disposition]
        try:
            await self._record(
                AuditKind.ALERT, outcome, frame=payload, hub=str(hub.address),
                hub_id=hub.profile.hub_id, category=Category.METER_ALERT,
                message_code=None if gateway_alert else self._message_code(payload),
                detail=f"{detail} ({disposition.value})" if detail else disposition.value,
            )
        except CommshubError:
            recorded.set_result(False)
            raise
        recorded.set_result(True)

    async def _hand_on_alert(self, alert: ShapedAlert) -> None:
        if isinstance(alert, _AuditedAlert) and alert.recorded is not None:
            if not await alert.recorded:
                logger.error("alert from %s not handed on: its audit record failed", alert.address)
                return
        else:
            await self._record(AuditKind.ALERT, AuditOutcome.ACCEPTED, frame=alert.payload,
                               category=alert.category, detail=_describe_gateway_alert(alert.payload))
        profile = self.registry.profile(alert.address) if alert.address else None
        frame = Frame(
            FrameType.ALERT, category=alert.category, correlation_id=next(self._alert_ids),
            address=alert.address, payload=alert.payload, gateway_alert=alert.gateway_alert,
        )
        for session in list(self._sessions):
            if session.wants(alert, profile):
                session.sink.send(frame)

    # Helpers.

    async def _record(self, kind: AuditKind, outcome: AuditOutcome, **fields: Any) -> None:
        if self._audit is None:
            return
        at = self.clock.now()
        await self._audit.record(self._audit.make_record(kind, outcome, at=at, **fields))

    def _message_code(self, payload: bytes) -> int | None:
        if self._message_code_of is None or not payload:
            return None
        try:
            return self._message_code_of(payload)
        except (CommshubError, ValueError):
            return None

    def _hub_id(self, address: Address) -> str | None:
        if isinstance(address, IPv6Address):
            profile = self.registry.profile(address)
            return profile.hub_id if profile else None
        return None

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task


class _NullSink:
    """The sink of a recovered request until its client retransmits it: frames are only kept."""

    def send(self, frame: Frame) -> None:
        pass


_NULL_SINK = _NullSink()
_EPOCH = datetime.fromtimestamp(0, UTC)


def _ipv6(text: str | None) -> IPv6Address | None:
    try:
        return IPv6Address(text) if text else None
    except ValueError:
        return None


@dataclass(frozen=True)
class _AuditedAlert(ShapedAlert):
    recorded: asyncio.Future[bool] | None = field(default=None, compare=False)


def _ack(frame: Frame, status: Status, message: str, *, targets: int = 0,
         retry_after_ms: int = 0) -> Frame:
    return Frame(FrameType.ACK, category=frame.category, correlation_id=frame.correlation_id,
                 address=frame.address, status=status, message=message, targets=targets,
                 retry_after_ms=retry_after_ms)


def _request_digest(frame: Frame) -> bytes:
    text = f"{frame.category}|{frame.address}|{frame.release_at_ms}|{frame.spread_ms}|".encode()
    return hashlib.sha256(text + frame.payload).digest()


def _target_text(address: Address) -> str | None:
    if address is None:
        return None
    return str(address) if isinstance(address, IPv6Address) else f"group:{address}"


def _utc_text(seconds: float) -> str:
    """Return UTC seconds since 1970 as ISO 8601 (2015-01-01T00:00:00Z)."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _describe_gateway_alert(payload: bytes) -> str:
    try:
        return repr(decode_gateway_alert(payload))
    except CommshubError:
        return "gateway alert"


def _delivery_outcome(category: int, final_frame: bytes, responses: int) -> tuple[AuditOutcome, str]:
    """Judge a delivery that ended with a final response, for its audit record.

    A Category 1 delivery whose final response is a chunk acknowledgement rejecting the image
    (verified: no) failed, although the hub took the chunk. Every other one succeeded.
    """
    detail = f"{responses} response(s)"
    if category != Category.FIRMWARE or not final_frame.startswith(csp.CHUNK_ACK_MAGIC):
        return AuditOutcome.SUCCESS, detail
    try:
        ack = csp.decode_chunk_ack(final_frame)
    except CodecError:
        return AuditOutcome.SUCCESS, detail
    if ack.verified is False:
        return AuditOutcome.FAILURE, f"image {ack.image_id} rejected by the hub's data store ({detail})"
    return AuditOutcome.SUCCESS, detail
