"""Gateway test fixtures: an echo hub on the hub side of the gateway, a started gateway on a
loopback port, and an asyncio runner with a hang guard."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from commshub.wan.addresses import HubProfile
from commshub.wan.clock import Clock
from commshub.wan.endpoint import HubUnreachableError, Uplink
from commshub.wan.framing import Frame, FrameReader, encode_frame
from commshub.wan.gateway import GatewaySettings
from commshub.wan.server import RunningGateway, ServerSettings, start_gateway

# Real seconds a test may take before it is failed as hung. It never decides a pass, so it is
# generous for a loaded 2-core CI machine.
HANG_GUARD_S = 300.0


class EchoHub:
    """A hub endpoint for tests: records each delivery and answers with ``b"R:" + frame``.

    ``unreachable`` deliveries fail with HubUnreachableError first; with ``silent`` set the
    hub takes frames but never answers; ``responses`` answers per request (the last final).
    """

    def __init__(self, *, responses: int = 1, unreachable: int = 0, silent: bool = False) -> None:
        self.responses = responses
        self.unreachable = unreachable
        self.silent = silent
        self.uplink: Uplink | None = None
        self.delivered: list[tuple[bytes, int, int]] = []
        self.delivery_times: list[float] = []
        self.attempt_times: list[float] = []
        self.clock: Clock | None = None
        self.attempts = 0
        self.delivered_event = asyncio.Event()

    async def deliver(self, frame: bytes, category: int, request_id: int) -> None:
        self.attempts += 1
        now = self.clock.now() if self.clock else 0.0
        self.attempt_times.append(now)
        if self.unreachable > 0:
            self.unreachable -= 1
            raise HubUnreachableError("WAN link down")
        self.delivered.append((frame, category, request_id))
        self.delivery_times.append(now)
        self.delivered_event.set()
        if not self.silent:
            asyncio.get_running_loop().create_task(self._answer(frame, request_id))

    async def _answer(self, frame: bytes, request_id: int) -> None:
        assert self.uplink is not None
        for index in range(self.responses):
            suffix = b"" if self.responses == 1 else bytes([index])
            await self.uplink.respond(request_id, b"R:" + frame + suffix,
                                      final=index == self.responses - 1)

    async def wait_deliveries(self, count: int) -> None:
        while len(self.delivered) < count:
            self.delivered_event.clear()
            await self.delivered_event.wait()


def hub_profile(index: int, **attributes: str) -> HubProfile:
    return HubProfile(hub_id=f"00DB12345678{index:04X}", **attributes)


@dataclass
class GatewayUnderTest:
    running: RunningGateway
    hubs: list[EchoHub] = field(default_factory=list)
    addresses: list[Any] = field(default_factory=list)

    @property
    def port(self) -> int:
        return self.running.port

    def install(self, hub: EchoHub, profile: HubProfile) -> Any:
        hub.clock = self.running.gateway.clock
        uplink = self.running.gateway.install_hub(hub, profile)
        hub.uplink = uplink
        self.hubs.append(hub)
        self.addresses.append(uplink.address)
        return uplink.address


@pytest.fixture
def gateway_factory(tmp_path: Path) -> Callable[..., Any]:
    """Return an async context manager that starts a gateway with ``hubs`` echo hubs."""

    @asynccontextmanager
    async def start(
        *,
        hubs: int = 1,
        clock: Clock | None = None,
        settings: GatewaySettings | None = None,
        server_settings: ServerSettings | None = None,
        audit: bool = True,
        message_code_of: Callable[[bytes], int | None] | None = None,
        **hub_options: Any,
    ) -> AsyncIterator[GatewayUnderTest]:
        running = await start_gateway(
            audit_path=tmp_path / "audit.db" if audit else None, settings=settings,
            server_settings=server_settings, clock=clock, message_code_of=message_code_of,
        )
        under_test = GatewayUnderTest(running)
        for index in range(hubs):
            under_test.install(EchoHub(**hub_options), hub_profile(index, postcode=f"AB{index % 2 + 1} 2CD"))
        try:
            yield under_test
        finally:
            await running.close()

    return start


@pytest.fixture
def run() -> Callable[[Coroutine[Any, Any, Any]], Any]:
    """Run a coroutine to completion in a new event loop, failing it if it hangs."""

    def runner(coroutine: Coroutine[Any, Any, Any]) -> Any:
        async def guarded() -> Any:
            return await asyncio.wait_for(coroutine, HANG_GUARD_S)

        return asyncio.run(guarded())

    return runner


@pytest.fixture
def echo_hub_class() -> type[EchoHub]:
    return EchoHub


@pytest.fixture
def make_profile() -> Callable[..., HubProfile]:
    return hub_profile


class RawConnection:
    """A bare socket to the gateway for tests that write exact bytes and read exact frames."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.stream = FrameReader()

    async def send(self, data: bytes | Frame) -> None:
        self.writer.write(encode_frame(data) if isinstance(data, Frame) else data)
        await self.writer.drain()

    async def recv(self) -> Frame:
        while (frame := self.stream.next_frame()) is None:
            data = await self.reader.read(65536)
            if not data:
                raise ConnectionError("the gateway closed the connection")
            self.stream.feed(data)
        return frame

    async def recv_line(self) -> bytes:
        return await self.reader.readuntil(b"\r\n")

    async def closed_by_peer(self) -> bool:
        """Return True once the gateway has closed the connection (after reading what is left)."""
        return await self.reader.read(65536) == b""

    def close(self) -> None:
        self.writer.close()


@pytest.fixture
def raw_connect() -> Callable[[int], Coroutine[Any, Any, RawConnection]]:
    async def connect(port: int) -> RawConnection:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return RawConnection(reader, writer)

    return connect
