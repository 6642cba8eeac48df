"""The gateway's socket server: binary frames and GFI text lines on one loopback port.

The first byte of a connection picks its framing: 0xC3 (the binary magic) or "G" (a GFI line,
``GBCS:``). Bad input gets an ERROR frame (or a ``GBCS:ERROR:`` line) and a WARNING in the log.
A bad frame inside a valid length is skipped and the connection goes on. A stream that has lost
its frame boundaries gets the error reply and is then closed. No connection can stall another: each
has its own reader task and a bounded queue of outgoing frames.
"""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
import logging
from dataclasses import dataclass, field
from ipaddress import IPv6Address
from os import PathLike
from typing import Any

from commshub.errors import CommshubError
from commshub.store.audit import AuditTrail, AuditWriter, UseCaseName
from commshub.wan.clock import Clock
from commshub.wan.control import ControlError, ControlHandler
from commshub.wan.framing import (
    DEFAULT_MAX_BODY,
    GFI_PREFIX,
    MAGIC,
    Category,
    Frame,
    FrameReader,
    FrameType,
    FramingError,
    GfiData,
    GfiError,
    GfiReader,
    GfiRoute,
    Status,
    encode_frame,
    encode_gfi_data,
    encode_gfi_error,
)
from commshub.wan.gateway import Gateway, GatewaySettings, MessageCodeOf

__all__ = ["GatewayServer", "RunningGateway", "ServerSettings", "start_gateway"]

logger = logging.getLogger(__name__)

# Bytes read from a socket at a time.
_READ_SIZE = 64 * 1024
# Warnings logged per connection before the rest are only counted.
_WARNINGS_PER_CONNECTION = 5
# Refused connections between two "connection limit" warnings.
_REFUSALS_PER_WARNING = 100
# Requests of one binary connection processed at once. Their audit records share group
# commits; past this many the connection stops reading until one finishes.
_PIPELINED_REQUESTS = 256
# Seconds the server waits for connection handlers to finish when it closes.
_CLOSE_GRACE_S = 5.0


@dataclass(frozen=True)
class ServerSettings:
    """Where the gateway listens and how much each connection may take.

    ``max_connections`` caps concurrent connections; more get CONNECTION_LIMIT and are
    closed. ``frame_timeout``: seconds a connection may stall inside a frame before it gets
    TRUNCATED_FRAME and is closed (an idle connection between frames stays open).
    ``first_byte_timeout``: seconds a refused connection is given to show its framing, so the
    refusal comes in the framing it speaks. ``outbound_limit``: frames queued for a client that
    does not read before it is disconnected.
    """

    host: str = "127.0.0.1"
    port: int = 0
    max_connections: int = 64
    max_body: int = DEFAULT_MAX_BODY
    frame_timeout: float = 30.0
    first_byte_timeout: float = 1.0
    outbound_limit: int = 10_000

    def __post_init__(self) -> None:
        if not ipaddress.ip_address(self.host).is_loopback:
            raise ValueError(f"the gateway listens on loopback addresses only, not {self.host}")
        if self.max_connections < 1:
            raise ValueError("max_connections must be at least 1")


class _Connection:
    """One client connection: framing detection, a reader loop and a writer task."""

    def __init__(self, server: GatewayServer, reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter, label: str) -> None:
        self.server = server
        self.reader = reader
        self.writer = writer
        self.label = label
        self.closing = False
        self.warnings = 0
        self._outbox: asyncio.Queue[bytes | None] = asyncio.Queue(server.settings.outbound_limit)
        self._writer_task = asyncio.create_task(self._write_loop(), name=f"gateway-write-{label}")

    def send_bytes(self, data: bytes) -> None:
        if self.closing:
            return
        try:
            self._outbox.put_nowait(data)
        except asyncio.QueueFull:
            self.warn(f"client does not read; {self._outbox.qsize()} frames queued; disconnecting")
            self.abort()

    def warn(self, message: str) -> None:
        self.warnings += 1
        if self.warnings <= _WARNINGS_PER_CONNECTION:
            logger.warning("connection %s: %s", self.label, message)
        elif self.warnings == _WARNINGS_PER_CONNECTION + 1:
            logger.warning("connection %s: further warnings on this connection are only counted",
                           self.label)

    def abort(self) -> None:
        self.closing = True
        self.writer.transport.abort()

    async def _write_loop(self) -> None:
        try:
            while (data := await self._outbox.get()) is not None:
                self.writer.write(data)
                await self.writer.drain()
        except (ConnectionError, OSError) as exc:
            logger.debug("connection %s: write failed: %s", self.label, exc)
        finally:
            self.writer.close()

    async def finish(self) -> None:
        """Send what is queued, then close."""
        self.closing = True
        try:
            self._outbox.put_nowait(None)
        except asyncio.QueueFull:
            self.writer.transport.abort()
        await asyncio.gather(self._writer_task, return_exceptions=True)

    async def read(self, *, inside_frame: bool) -> bytes:
        """Read more bytes; inside a frame, give up after the frame timeout with TimeoutError."""
        if inside_frame:
            return await asyncio.wait_for(self.reader.read(_READ_SIZE),
                                          self.server.settings.frame_timeout)
        return await self.reader.read(_READ_SIZE)


class _BinarySink:
    def __init__(self, connection: _Connection) -> None:
        self._connection = connection

    def send(self, frame: Frame) -> None:
        self._connection.send_bytes(encode_frame(frame))


class _GfiSink:
    """Translates gateway frames to GFI lines: responses and GBCS alerts as DATA lines,
    rejections and failures as ERROR lines. GFI has no acknowledgement and no gateway alerts."""

    def __init__(self, connection: _Connection) -> None:
        self._connection = connection

    def send(self, frame: Frame) -> None:
        if frame.frame_type in (FrameType.RESPONSE, FrameType.ALERT) and not frame.gateway_alert:
            self._connection.send_bytes(encode_gfi_data(frame.payload))
        elif frame.frame_type in (FrameType.ERROR, FrameType.ACK) and not _accepted(frame.status):
            self._connection.send_bytes(encode_gfi_error(frame.status, frame.message))


def _accepted(status: int) -> bool:
    return status in (Status.ACCEPTED, Status.ACCEPTED_DUPLICATE)


class _Protocol:
    """What the binary and GFI protocols share: the read loop and the replies to bad input."""

    def __init__(self, connection: _Connection, stream: FrameReader | GfiReader) -> None:
        self.connection = connection
        self.stream = stream

    @property
    def buffered(self) -> int:
        return self.stream.buffered

    def next_message(self) -> Any:
        """Return the next whole frame or line, or None; raise FramingError."""
        raise NotImplementedError

    async def handle(self, message: Any) -> None:
        raise NotImplementedError

    def error_reply(self, status: Status, message: str) -> bytes:
        raise NotImplementedError

    async def drain(self) -> None:
        """Wait until every request read from this connection has been acknowledged."""

    async def feed(self, data: bytes) -> None:
        self.stream.feed(data)
        while not self.connection.closing:
            try:
                message = self.next_message()
            except FramingError as exc:
                self.reject_input(exc)
                if not exc.recoverable:
                    return
                continue
            if message is None:
                return
            await self.handle(message)

    def reject_input(self, exc: FramingError) -> None:
        self.connection.warn(f"rejected input ({exc.status.name}): {exc}")
        self.connection.send_bytes(self.error_reply(exc.status, str(exc)))
        if not exc.recoverable:
            self.connection.closing = True

    def end_of_stream(self, *, stalled_for: float | None = None) -> None:
        """Reject a frame or line left unfinished when the stream ended or stalled."""
        try:
            self.stream.check_eof(stalled_for=stalled_for)
        except FramingError as exc:
            self.reject_input(exc)


class _BinaryProtocol(_Protocol):
    def __init__(self, connection: _Connection, gateway: Gateway, max_body: int) -> None:
        self.frames = FrameReader(max_body=max_body)
        super().__init__(connection, self.frames)
        self.sink = _BinarySink(connection)
        self.session = gateway.open_session(f"tcp:{connection.label}", self.sink)
        self._slots = asyncio.Semaphore(_PIPELINED_REQUESTS)
        self._submissions: set[asyncio.Task[None]] = set()

    def next_message(self) -> Frame | None:
        return self.frames.next_frame()

    def error_reply(self, status: Status, message: str) -> bytes:
        return encode_frame(Frame(FrameType.ERROR, status=status, message=message))

    async def _submit(self, frame: Frame) -> None:
        try:
            await self.session.submit(frame)
        except Exception:
            logger.exception("connection %s: request %d failed inside the gateway",
                             self.connection.label, frame.correlation_id)
            self.sink.send(Frame(FrameType.ACK, correlation_id=frame.correlation_id,
                                 status=Status.INTERNAL_ERROR, message="internal gateway error"))
        finally:
            self._slots.release()

    async def drain(self) -> None:
        """Wait until every request read from this connection has been acknowledged."""
        await asyncio.gather(*self._submissions, return_exceptions=True)

    async def handle(self, frame: Frame) -> None:
        if frame.frame_type is FrameType.REQUEST:
            # Requests are submitted in arrival order and each is acknowledged only after its
            # audit record commits; running them as tasks lets those commits be grouped.
            await self._slots.acquire()
            task = asyncio.create_task(self._submit(frame))
            self._submissions.add(task)
            task.add_done_callback(self._submissions.discard)
        elif frame.frame_type is FrameType.HELLO:
            name = frame.message.strip()
            if not name or not name.isprintable():
                self.sink.send(Frame(FrameType.ACK, correlation_id=frame.correlation_id,
                                     status=Status.INVALID_REQUEST,
                                     message="HELLO needs a printable, non-empty client name"))
                return
            self.session.rename(name)
            self.sink.send(Frame(FrameType.ACK, correlation_id=frame.correlation_id,
                                 status=Status.ACCEPTED, message=f"hello {name}"))
        elif frame.frame_type is FrameType.SUBSCRIBE:
            ack = self.session.subscribe(frame.address)
            self.sink.send(Frame(FrameType.ACK, correlation_id=frame.correlation_id,
                                 address=frame.address, status=ack.status, message=ack.message))
        elif frame.frame_type is FrameType.CONTROL:
            await self._control(frame)
        else:
            self.connection.warn(f"unexpected {frame.frame_type.name} frame from a client")
            self.sink.send(Frame(
                FrameType.ERROR, correlation_id=frame.correlation_id,
                status=Status.UNEXPECTED_FRAME_TYPE,
                message=f"{frame.frame_type.name} frames go from the gateway to clients, not back",
            ))


    async def _control(self, frame: Frame) -> None:
        handler = self.connection.server.control_handler
        status, message = Status.ACCEPTED, ""
        if handler is None:
            status, message = Status.UNEXPECTED_FRAME_TYPE, "this gateway takes no bench controls"
        else:
            try:
                message = await handler(frame.message)
            except ControlError as exc:
                status, message = Status.INVALID_REQUEST, str(exc)
        if status is not Status.ACCEPTED:
            logger.info("connection %s: bench control %r rejected: %s", self.connection.label,
                        frame.message[:80], message)
        self.sink.send(Frame(FrameType.ACK, correlation_id=frame.correlation_id, status=status,
                             message=message))


class _GfiProtocol(_Protocol):
    def __init__(self, connection: _Connection, gateway: Gateway, max_body: int) -> None:
        self.lines = GfiReader(max_body=max_body)
        super().__init__(connection, self.lines)
        self.gateway = gateway
        self.sink = _GfiSink(connection)
        self.session = gateway.open_session(f"gfi:{connection.label}", self.sink)
        self.route: IPv6Address | None = None
        self._correlation_ids = itertools.count(1)

    def next_message(self) -> GfiData | GfiRoute | GfiError | None:
        return self.lines.next_message()

    def error_reply(self, status: Status, message: str) -> bytes:
        return encode_gfi_error(status, message)

    async def handle(self, message: GfiData | GfiRoute | GfiError) -> None:
        if isinstance(message, GfiData):
            await self.forward(message)
        elif isinstance(message, GfiRoute):
            self.select(message.address)
        else:
            self.reject_input(FramingError(
                "GBCS:ERROR lines go from the gateway to clients, not back",
                status=Status.UNEXPECTED_FRAME_TYPE, recoverable=True, path=("gfi",),
            ))

    def select(self, address: IPv6Address) -> None:
        if self.gateway.registry.profile(address) is None:
            self.connection.send_bytes(encode_gfi_error(
                Status.UNKNOWN_ADDRESS, f"no hub is installed at network address {address}"))
            return
        self.route = address
        self.session.subscriptions = []
        self.session.subscribe(address)

    async def forward(self, message: GfiData) -> None:
        if self.route is None:
            installed = list(self.gateway.registry)
            if len(installed) != 1:
                self.connection.send_bytes(encode_gfi_error(
                    Status.INVALID_ADDRESS,
                    f"{len(installed)} hubs are installed; send GBCS:ROUTE:<network address> "
                    "to choose one"))
                return
            self.select(installed[0][0])
        frame = Frame(FrameType.REQUEST, category=Category.UNICAST,
                      correlation_id=next(self._correlation_ids), address=self.route,
                      payload=message.payload)
        await self.session.submit(frame)


class GatewayServer:
    """Serves a :class:`Gateway` on a loopback TCP port.

    ``control_handler``, when set, answers CONTROL frames (the bench's own controls, see
    :mod:`commshub.wan.control`); without one they get UNEXPECTED_FRAME_TYPE.
    """

    def __init__(self, gateway: Gateway, settings: ServerSettings | None = None) -> None:
        self.gateway = gateway
        self.settings = settings or ServerSettings()
        self.control_handler: ControlHandler | None = None
        self._server: asyncio.Server | None = None
        self._connections: set[_Connection] = set()
        self._handlers: set[asyncio.Task[None]] = set()
        self.refused = 0

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the gateway server is not started")
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def host(self) -> str:
        return self.settings.host

    @property
    def connections(self) -> int:
        return len(self._connections)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, self.settings.host, self.settings.port)
        logger.info("gateway listening on %s port %d", self.settings.host, self.port)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for connection in list(self._connections):
            connection.abort()
        # Aborted connections end their handlers; cancelling a handler of asyncio.start_server
        # makes asyncio log the cancellation as an error, so it is the last resort.
        if self._handlers:
            _, stuck = await asyncio.wait(set(self._handlers), timeout=_CLOSE_GRACE_S)
            for task in stuck:
                task.cancel()
            await asyncio.gather(*stuck, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
        logger.info("gateway server closed")

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        peer = writer.get_extra_info("peername")
        label = f"{peer[0]}:{peer[1]}" if peer else "?"
        try:
            if len(self._connections) >= self.settings.max_connections:
                await self._refuse(reader, writer, label)
                return
            connection = _Connection(self, reader, writer, label)
            self._connections.add(connection)
            try:
                await self._serve(connection)
            finally:
                self._connections.discard(connection)
                await connection.finish()
        except Exception:
            logger.exception("connection %s failed", label)
            writer.transport.abort()
        finally:
            self._handlers.discard(task)

    async def _refuse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                      label: str) -> None:
        self.refused += 1
        if self.refused % _REFUSALS_PER_WARNING == 1:
            logger.warning("refused connection from %s: %d connections open (limit %d); "
                           "%d refused so far", label, len(self._connections),
                           self.settings.max_connections, self.refused)
        message = (f"too many connections ({self.settings.max_connections} open); "
                   "try again later")
        try:
            first = await asyncio.wait_for(reader.read(1), self.settings.first_byte_timeout)
        except (TimeoutError, ConnectionError, OSError):
            first = b""
        if first[:1] == GFI_PREFIX[:1]:
            reply = encode_gfi_error(Status.CONNECTION_LIMIT, message)
        else:
            reply = encode_frame(Frame(FrameType.ERROR, status=Status.CONNECTION_LIMIT,
                                       message=message, retry_after_ms=1000))
        try:
            writer.write(reply)
            await writer.drain()
        except (ConnectionError, OSError):
            pass
        writer.close()

    async def _serve(self, connection: _Connection) -> None:
        first = await connection.read(inside_frame=False)
        if not first:
            return
        max_body = self.settings.max_body
        protocol: _Protocol
        if first[:1] == MAGIC[:1]:
            protocol = _BinaryProtocol(connection, self.gateway, max_body)
        elif first[:1] == GFI_PREFIX[:1]:
            protocol = _GfiProtocol(connection, self.gateway, max_body)
        else:
            message = (f"unrecognised framing: first byte 0x{first[0]:02X}; expected a binary "
                       f"frame ({MAGIC.hex(' ').upper()}) or a GFI line (GBCS:)")
            connection.warn(message)
            connection.send_bytes(encode_frame(Frame(FrameType.ERROR, status=Status.MALFORMED_FRAME,
                                                     message=message)))
            return
        logger.debug("connection %s speaks %s", connection.label,
                     "GFI" if isinstance(protocol, _GfiProtocol) else "binary frames")
        try:
            data = first
            while True:
                await protocol.feed(data)
                if connection.closing:
                    return
                try:
                    data = await connection.read(inside_frame=protocol.buffered > 0)
                except TimeoutError:
                    protocol.end_of_stream(stalled_for=self.settings.frame_timeout)
                    return
                except (ConnectionError, OSError) as exc:
                    logger.debug("connection %s: read failed: %s", connection.label, exc)
                    return
                if not data:
                    protocol.end_of_stream()
                    return
        finally:
            await protocol.drain()
            protocol.session.close()


@dataclass
class RunningGateway:
    """A started gateway with its server and audit trail; :meth:`close` stops all three."""

    gateway: Gateway
    server: GatewayServer
    trail: AuditTrail | None = None
    writer: AuditWriter | None = None
    _closed: bool = field(default=False, repr=False)

    @property
    def port(self) -> int:
        return self.server.port

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self.server.close()
        await self.gateway.close()
        if self.writer is not None:
            await self.writer.close()
        if self.trail is not None:
            self.trail.close()


async def start_gateway(
    *,
    audit_path: str | PathLike[str] | None,
    settings: GatewaySettings | None = None,
    server_settings: ServerSettings | None = None,
    clock: Clock | None = None,
    message_code_of: MessageCodeOf | None = None,
    use_case_name: UseCaseName | None = None,
) -> RunningGateway:
    """Open the audit trail at ``audit_path`` (None: no audit trail), start a gateway and
    serve it. Install hubs with ``running.gateway.install_hub(...)``."""
    trail = writer = None
    if audit_path is not None:
        trail = AuditTrail(audit_path, use_case_name=use_case_name)
        writer = AuditWriter(trail)
    gateway = Gateway(settings=settings, clock=clock, audit=writer, message_code_of=message_code_of)
    await gateway.start()
    server = GatewayServer(gateway, server_settings)
    try:
        await server.start()
    except (OSError, CommshubError):
        await gateway.close()
        if writer is not None:
            await writer.close()
        if trail is not None:
            trail.close()
        raise
    return RunningGateway(gateway, server, trail, writer)
