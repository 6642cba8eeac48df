"""A remote party's client for the gateway: send a frame to a hub or group, await the ACK and
the responses by correlation id, and receive alerts.

Retry strategy: a request whose ACK does not arrive within ``ack_timeout`` (or whose
connection drops) is sent again with the same correlation id and the retransmission flag, on a
new connection if needed, up to ``max_attempts`` times with exponential backoff. The gateway
recognises the id, does not deliver twice, and sends the frames already produced for it
again. RATE_LIMITED and HUB_QUEUE_FULL rejections are retried after the delay the gateway
names. Every other rejection raises :class:`GatewayRejected`.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
import time
import uuid
from collections.abc import AsyncIterator, Coroutine
from concurrent.futures import Future as ThreadFuture
from dataclasses import dataclass, field
from ipaddress import IPv6Address
from typing import Any, Self, TypeVar

from commshub.errors import CommshubError
from commshub.wan.addresses import GroupSelector
from commshub.wan.alerts import GatewayAlert, decode_gateway_alert
from commshub.wan.framing import (
    DEFAULT_MAX_BODY,
    Address,
    Category,
    Frame,
    FrameReader,
    FrameType,
    FramingError,
    Status,
    encode_frame,
)

__all__ = [
    "Ack",
    "Alert",
    "Failure",
    "GatewayClient",
    "GatewayConnectionError",
    "GatewayRejected",
    "PendingRequest",
    "Response",
    "Result",
    "SyncGatewayClient",
]

logger = logging.getLogger(__name__)

_RETRYABLE = frozenset({Status.RATE_LIMITED, Status.HUB_QUEUE_FULL, Status.CONNECTION_LIMIT})
# Alerts kept for a client that does not take them; older ones are dropped.
_ALERT_BUFFER = 10_000

T = TypeVar("T")


class GatewayRejected(CommshubError):
    """The gateway rejected a request (or a HELLO or SUBSCRIBE); ``status`` gives the reason."""

    def __init__(self, status: int, message: str, *, retry_after_ms: int = 0) -> None:
        self.status = status
        self.message = message
        self.retry_after_ms = retry_after_ms
        try:
            name = Status(status).name
        except ValueError:
            name = f"0x{status:04X}"
        super().__init__(f"gateway rejected the request: {name}: {message}")


class GatewayConnectionError(CommshubError):
    """The gateway could not be reached, or sent no ACK, after every retry."""


@dataclass(frozen=True)
class Ack:
    status: int
    message: str
    targets: int
    retry_after_ms: int = 0

    @property
    def accepted(self) -> bool:
        return self.status in (Status.ACCEPTED, Status.ACCEPTED_DUPLICATE)


@dataclass(frozen=True)
class Response:
    """A hub's response; ``final`` is false when more responses from that hub follow."""

    address: IPv6Address | None
    payload: bytes
    category: int
    final: bool


@dataclass(frozen=True)
class Failure:
    """A target hub that gave no final response: unreachable, timed out, decommissioned."""

    address: IPv6Address | None
    status: int
    message: str


@dataclass(frozen=True)
class Result:
    """Everything a request produced, once every target hub has finished."""

    correlation_id: int
    ack: Ack
    responses: tuple[Response, ...]
    failures: tuple[Failure, ...]

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def payloads(self) -> list[bytes]:
        return [response.payload for response in self.responses]


@dataclass(frozen=True)
class Alert:
    """An alert handed on by the gateway; ``gateway_alert`` marks a gateway-defined payload."""

    address: IPv6Address | None
    payload: bytes
    category: int
    gateway_alert: bool

    def decoded(self) -> GatewayAlert:
        """Decode a gateway alert (power outage, restore, correlated outage)."""
        if not self.gateway_alert:
            raise ValueError("this alert carries a GBCS frame, not a gateway alert")
        return decode_gateway_alert(self.payload)


@dataclass(eq=False)
class _Tracking:
    frame: Frame
    ack: asyncio.Future[Ack]
    responses: list[Response] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    finished_hubs: set[IPv6Address | None] = field(default_factory=set)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def complete(self, targets: int) -> bool:
        return len(self.finished_hubs) >= targets


class PendingRequest:
    """An accepted request: its ACK, and its responses as they arrive."""

    def __init__(self, client: GatewayClient, tracking: _Tracking, ack: Ack) -> None:
        self._client = client
        self._tracking = tracking
        self.ack = ack

    @property
    def correlation_id(self) -> int:
        return self._tracking.frame.correlation_id

    async def result(self, timeout: float = 60.0) -> Result:
        """Wait until every target hub has sent its final response or failed."""
        return await self._client._await_result(self._tracking, self.ack, timeout)


class GatewayClient:
    """An asyncio client; create it with :meth:`connect`."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        name: str,
        ack_timeout: float,
        max_attempts: int,
        backoff: float,
        max_body: int,
    ) -> None:
        self.host = host
        self.port = port
        self.name = name
        self.ack_timeout = ack_timeout
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_body = max_body
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._read_task: asyncio.Task[None] | None = None
        self._control: dict[int, asyncio.Future[Frame]] = {}
        self._tracking: dict[int, _Tracking] = {}
        self._alerts: asyncio.Queue[Alert] = asyncio.Queue(_ALERT_BUFFER)
        self._subscriptions: list[Address] = []
        self._ids = itertools.count(int(time.time() * 1000) * 1000)
        self._connect_lock = asyncio.Lock()
        self._closed = False
        self.gateway_errors: list[Frame] = []

    @classmethod
    async def connect(
        cls,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        name: str | None = None,
        ack_timeout: float = 10.0,
        max_attempts: int = 4,
        backoff: float = 0.5,
        max_body: int = DEFAULT_MAX_BODY,
    ) -> GatewayClient:
        """Connect and introduce the client by ``name`` (default: a name unique to this object).

        The name identifies the client's requests across reconnections.
        """
        client = cls(host, port, name=name or f"client-{uuid.uuid4().hex[:12]}",
                     ack_timeout=ack_timeout, max_attempts=max_attempts, backoff=backoff,
                     max_body=max_body)
        await client._ensure_connected()
        return client

    def next_correlation_id(self) -> int:
        """Return a new correlation id; ids start at the current Unix time in microseconds."""
        return next(self._ids)

    # Connection.

    @property
    def connected(self) -> bool:
        return self._writer is not None and not self._writer.is_closing()

    async def _ensure_connected(self) -> None:
        async with self._connect_lock:
            if self.connected:
                return
            if self._closed:
                raise GatewayConnectionError("the client is closed")
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(self.host, self.port), self.ack_timeout)
            except (OSError, TimeoutError) as exc:
                raise GatewayConnectionError(
                    f"cannot connect to the gateway at {self.host}:{self.port}: {exc}") from exc
            self._reader, self._writer = reader, writer
            self._read_task = asyncio.create_task(self._read_loop(reader), name="gateway-client-read")
            await self._control_request(Frame(FrameType.HELLO, message=self.name))
            for address in self._subscriptions:
                await self._control_request(Frame(FrameType.SUBSCRIBE, address=address))

    async def _control_request(self, frame: Frame) -> Frame:
        correlation_id = self.next_correlation_id()
        future: asyncio.Future[Frame] = asyncio.get_running_loop().create_future()
        self._control[correlation_id] = future
        try:
            await self._send(Frame(frame.frame_type, correlation_id=correlation_id,
                                   address=frame.address, message=frame.message))
            ack = await asyncio.wait_for(future, self.ack_timeout)
        except TimeoutError:
            raise GatewayConnectionError(
                f"no ACK for {frame.frame_type.name} within {self.ack_timeout} s") from None
        finally:
            self._control.pop(correlation_id, None)
        if ack.frame_type is FrameType.ERROR or not Status(ack.status).accepted:
            raise GatewayRejected(ack.status, ack.message)
        return ack

    async def _send(self, frame: Frame) -> None:
        if self._writer is None:
            raise ConnectionError("not connected")
        self._writer.write(encode_frame(frame))
        await self._writer.drain()

    def _drop_connection(self) -> None:
        if self._writer is not None:
            self._writer.transport.abort()
        self._writer = None

    async def _read_loop(self, reader: asyncio.StreamReader) -> None:
        stream = FrameReader(max_body=self.max_body)
        try:
            while data := await reader.read(65536):
                stream.feed(data)
                while (frame := stream.next_frame()) is not None:
                    self._dispatch(frame)
        except FramingError as exc:
            logger.warning("gateway %s:%d sent a bad frame: %s", self.host, self.port, exc)
        except (ConnectionError, OSError) as exc:
            logger.debug("gateway connection lost: %s", exc)
        finally:
            self._drop_connection()
            for tracking in self._tracking.values():
                tracking.changed.set()
            for future in self._control.values():
                if not future.done():
                    future.set_exception(ConnectionError("the gateway closed the connection"))

    def _dispatch(self, frame: Frame) -> None:
        if frame.frame_type is FrameType.ALERT:
            alert = Alert(frame.address if isinstance(frame.address, IPv6Address) else None,
                          frame.payload, frame.category, frame.gateway_alert)
            if self._alerts.full():
                self._alerts.get_nowait()
                logger.warning("alert buffer full (%d); dropped the oldest alert", _ALERT_BUFFER)
            self._alerts.put_nowait(alert)
            return
        control = self._control.get(frame.correlation_id)
        if control is not None and not control.done():
            control.set_result(frame)
            return
        tracking = self._tracking.get(frame.correlation_id)
        if tracking is None:
            if frame.frame_type is FrameType.ERROR:
                logger.warning("gateway error: %s: %s", frame.status_name(), frame.message)
                self.gateway_errors.append(frame)
            return
        address = frame.address if isinstance(frame.address, IPv6Address) else None
        if frame.frame_type is FrameType.ACK:
            ack = Ack(frame.status, frame.message, frame.targets, frame.retry_after_ms)
            if not tracking.ack.done():
                tracking.ack.set_result(ack)
        elif frame.frame_type is FrameType.RESPONSE:
            response = Response(address, frame.payload, frame.category, not frame.more_follows)
            tracking.responses.append(response)
            if response.final:
                tracking.finished_hubs.add(address)
        elif frame.frame_type is FrameType.ERROR:
            tracking.failures.append(Failure(address, frame.status, frame.message))
            tracking.finished_hubs.add(address)
        tracking.changed.set()

    # Requests.

    async def submit(
        self,
        address: IPv6Address | GroupSelector,
        payload: bytes,
        *,
        category: int = Category.UNICAST,
        critical: bool = False,
        correlation_id: int | None = None,
        release_at: float | None = None,
        spread: float | None = None,
    ) -> PendingRequest:
        """Send a request and wait for its ACK; raise GatewayRejected if it is rejected.

        ``release_at`` (Unix seconds) asks the gateway to hold the request until then;
        ``spread`` (seconds) spreads a group request's deliveries evenly over that period.
        ``correlation_id`` defaults to a new id; a GBCS command's originator counter is a
        good choice, being unique per remote party.
        """
        frame = Frame(
            FrameType.REQUEST, category=category,
            correlation_id=self.next_correlation_id() if correlation_id is None else correlation_id,
            address=address, payload=payload, critical=critical,
            release_at_ms=None if release_at is None else round(release_at * 1000),
            spread_ms=None if spread is None else round(spread * 1000),
        )
        tracking = _Tracking(frame, asyncio.get_running_loop().create_future())
        self._tracking[frame.correlation_id] = tracking
        try:
            ack = await self._acknowledged(tracking)
        except BaseException:
            self._tracking.pop(frame.correlation_id, None)
            raise
        return PendingRequest(self, tracking, ack)

    async def request(
        self,
        address: IPv6Address | GroupSelector,
        payload: bytes,
        *,
        timeout: float = 60.0,
        **options: Any,
    ) -> Result:
        """Send a request and wait for every target hub's final response or failure.

        Takes the options of :meth:`submit`; ``timeout`` bounds the wait after the ACK.
        """
        pending = await self.submit(address, payload, **options)
        return await pending.result(timeout)

    async def _acknowledged(self, tracking: _Tracking) -> Ack:
        frame = tracking.frame
        delay = self.backoff
        last_problem = "no attempt made"
        for attempt in range(1, self.max_attempts + 1):
            if attempt > 1 or frame.retransmission:
                # The gateway answers a retransmission with every frame sent so far.
                frame = _as_retransmission(frame)
                tracking.frame = frame
                tracking.responses.clear()
                tracking.failures.clear()
                tracking.finished_hubs.clear()
            try:
                await self._ensure_connected()
                await self._send(frame)
                ack = await asyncio.wait_for(asyncio.shield(tracking.ack), self.ack_timeout)
            except (TimeoutError, ConnectionError, GatewayConnectionError) as exc:
                last_problem = str(exc) or type(exc).__name__
                logger.info("request %d: no ACK (attempt %d of %d): %s", frame.correlation_id,
                            attempt, self.max_attempts, last_problem)
                self._drop_connection()
                await asyncio.sleep(delay)
                delay *= 2
                continue
            if ack.accepted:
                return ack
            if ack.status in _RETRYABLE and attempt < self.max_attempts:
                wait = max(ack.retry_after_ms / 1000, delay)
                logger.info("request %d: %s; retrying in %.3f s", frame.correlation_id,
                            Status(ack.status).name, wait)
                tracking.ack = asyncio.get_running_loop().create_future()
                await asyncio.sleep(wait)
                delay *= 2
                continue
            raise GatewayRejected(ack.status, ack.message, retry_after_ms=ack.retry_after_ms)
        raise GatewayConnectionError(
            f"request {frame.correlation_id}: no ACK after {self.max_attempts} attempts "
            f"({last_problem})")

    async def _await_result(self, tracking: _Tracking, ack: Ack, timeout: float) -> Result:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while not tracking.complete(ack.targets):
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise TimeoutError(
                        f"request {tracking.frame.correlation_id}: {len(tracking.finished_hubs)} "
                        f"of {ack.targets} hubs finished within {timeout} s")
                if not self.connected:
                    # The gateway replays what it has sent for this id on the new connection.
                    tracking.ack = loop.create_future()
                    tracking.frame = _as_retransmission(tracking.frame)
                    await self._acknowledged(tracking)
                    continue
                tracking.changed.clear()
                try:
                    await asyncio.wait_for(tracking.changed.wait(), remaining)
                except TimeoutError:
                    continue
        finally:
            self._tracking.pop(tracking.frame.correlation_id, None)
        return Result(tracking.frame.correlation_id, ack, tuple(tracking.responses),
                      tuple(tracking.failures))

    # Bench controls.

    async def control(self, command: str, *, timeout: float | None = None) -> str:
        """Send a bench control command (JSON text, see :mod:`commshub.wan.control`) and return
        the reply text; raise GatewayRejected when the gateway rejects it.

        ``timeout`` (seconds, default ``ack_timeout``) bounds the wait for the reply: moving a
        virtual clock on by a day takes longer than an ACK.
        """
        await self._ensure_connected()
        correlation_id = self.next_correlation_id()
        future: asyncio.Future[Frame] = asyncio.get_running_loop().create_future()
        self._control[correlation_id] = future
        wait = self.ack_timeout if timeout is None else timeout
        try:
            await self._send(Frame(FrameType.CONTROL, correlation_id=correlation_id,
                                   message=command))
            reply = await asyncio.wait_for(future, wait)
        except TimeoutError:
            raise GatewayConnectionError(f"no reply to a bench control within {wait} s") from None
        finally:
            self._control.pop(correlation_id, None)
        if reply.frame_type is FrameType.ERROR or not Status(reply.status).accepted:
            raise GatewayRejected(reply.status, reply.message)
        return reply.message

    # Alerts.

    async def subscribe(self, address: Address = None) -> None:
        """Receive alerts from the hub or group ``address``, or from every hub when None."""
        await self._ensure_connected()
        await self._control_request(Frame(FrameType.SUBSCRIBE, address=address))
        self._subscriptions.append(address)

    async def next_alert(self, timeout: float | None = None) -> Alert:
        """Return the next alert; raise TimeoutError after ``timeout`` seconds."""
        return await asyncio.wait_for(self._alerts.get(), timeout)

    async def alerts(self) -> AsyncIterator[Alert]:
        """Yield alerts as they arrive, forever."""
        while True:
            yield await self._alerts.get()

    async def close(self) -> None:
        self._closed = True
        if self._writer is not None:
            self._writer.close()
        if self._read_task is not None:
            await asyncio.gather(self._read_task, return_exceptions=True)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


def _as_retransmission(frame: Frame) -> Frame:
    return Frame(**{**vars(frame), "retransmission": True})


class SyncGatewayClient:
    """A blocking wrapper of :class:`GatewayClient` that runs its own event loop thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, **options: Any) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="gateway-client",
                                        daemon=True)
        self._thread.start()
        try:
            self._client: GatewayClient = self._call(GatewayClient.connect(host, port, **options))
        except BaseException:
            self._stop_loop()
            raise

    def _call(self, coroutine: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        future: ThreadFuture[T] = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return future.result(timeout)

    @property
    def name(self) -> str:
        return self._client.name

    def request(self, address: IPv6Address | GroupSelector, payload: bytes, **options: Any) -> Result:
        """See :meth:`GatewayClient.request`."""
        return self._call(self._client.request(address, payload, **options))

    def subscribe(self, address: Address = None) -> None:
        self._call(self._client.subscribe(address))

    def control(self, command: str, *, timeout: float | None = None) -> str:
        """See :meth:`GatewayClient.control`."""
        return self._call(self._client.control(command, timeout=timeout))

    def next_alert(self, timeout: float | None = None) -> Alert:
        return self._call(self._client.next_alert(timeout))

    def close(self) -> None:
        try:
            self._call(self._client.close(), timeout=10)
        finally:
            self._stop_loop()

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
