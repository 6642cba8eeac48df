"""Bad input on the gateway socket is answered and logged, and other clients keep being served."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from commshub.wan.client import GatewayClient
from commshub.wan.framing import Category, Frame, FrameType, Status, encode_frame
from commshub.wan.server import ServerSettings

Runner = Callable[[Coroutine[Any, Any, Any]], Any]
SERVER_LOGGER = "commshub.wan.server"


def _request(address: Any, correlation_id: int = 1) -> Frame:
    return Frame(FrameType.REQUEST, category=Category.UNICAST, correlation_id=correlation_id,
                 address=address, payload=b"\xdd\x00")


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == SERVER_LOGGER and r.levelno == logging.WARNING]


@pytest.mark.parametrize(
    ("data", "status", "text"),
    [
        (b"\x00\x01garbage", Status.MALFORMED_FRAME, "unrecognised framing: first byte 0x00"),
        (b"\xc3\x00\x01\x02", Status.MALFORMED_FRAME, "expected the frame magic c3 48"),
        (b"\xc3\x48\x01\x02\xff\xff\xff\xff", Status.FRAME_TOO_LARGE, "exceeds the maximum"),
    ],
)
def test_unrecoverable_input_answered_and_closed(
    gateway_factory: Any, raw_connect: Any, run: Runner, caplog: pytest.LogCaptureFixture,
    data: bytes, status: Status, text: str,
) -> None:
    async def scenario() -> None:
        async with gateway_factory(hubs=1) as gw:
            async with await GatewayClient.connect(port=gw.port) as bystander:
                bad = await raw_connect(gw.port)
                await bad.send(data)

                error = await bad.recv()
                closed = await bad.closed_by_peer()
                still_served = await bystander.request(gw.addresses[0], b"ok")

            assert error.frame_type is FrameType.ERROR
            assert error.status == status
            assert text in error.message
            assert closed
            assert still_served.payloads == [b"R:ok"]
            assert any(text in message for message in _warnings(caplog))

    run(scenario())


def test_truncated_frame_answered_at_end_of_stream(
    gateway_factory: Any, raw_connect: Any, run: Runner, caplog: pytest.LogCaptureFixture,
) -> None:
    async def scenario() -> None:
        async with gateway_factory(hubs=1) as gw:
            raw = await raw_connect(gw.port)
            whole = encode_frame(_request(gw.addresses[0]))
            await raw.send(whole[:20])
            raw.writer.write_eof()

            error = await raw.recv()

            assert error.status == Status.TRUNCATED_FRAME
            assert f"after 20 of the {len(whole)} bytes" in error.message
            assert gw.hubs[0].delivered == []
            assert any("TRUNCATED_FRAME" in message for message in _warnings(caplog))

    run(scenario())


def test_stalled_frame_times_out(gateway_factory: Any, raw_connect: Any, run: Runner) -> None:
    async def scenario() -> None:
        server_settings = ServerSettings(frame_timeout=0.2)
        async with gateway_factory(hubs=1, server_settings=server_settings) as gw:
            raw = await raw_connect(gw.port)
            whole = encode_frame(_request(gw.addresses[0]))
            await raw.send(whole[:12])

            error = await raw.recv()

            assert error.status == Status.TRUNCATED_FRAME
            assert f"no data for 0.2 s after 12 of the {len(whole)} bytes" in error.message
            assert "stream ended" not in error.message
            assert await raw.closed_by_peer()

    run(scenario())


def test_malformed_frame_skipped_connection_continues(
    gateway_factory: Any, raw_connect: Any, run: Runner, caplog: pytest.LogCaptureFixture,
) -> None:
    async def scenario() -> None:
        async with gateway_factory(hubs=1) as gw:
            raw = await raw_connect(gw.port)
            short_body = b"\xc3\x48\x01\x02\x00\x00\x00\x02\x05\x00"
            future_version = b"\xc3\x48\x09\x02\x00\x00\x00\x01\x00"
            client_ack = encode_frame(Frame(FrameType.ACK, correlation_id=3))
            await raw.send(short_body + future_version + client_ack + encode_frame(_request(gw.addresses[0])))

            errors = [await raw.recv() for _ in range(3)]
            ack = await raw.recv()
            response = await raw.recv()

            assert [e.status for e in errors] == [Status.MALFORMED_FRAME, Status.UNSUPPORTED_VERSION,
                                                  Status.UNEXPECTED_FRAME_TYPE]
            assert "correlation_id" in errors[0].message
            assert ack.status == Status.ACCEPTED
            assert response.payload == b"R:\xdd\x00"
            assert len(_warnings(caplog)) == 3
            raw.close()

    run(scenario())


def test_connection_flood_capped(
    gateway_factory: Any, raw_connect: Any, run: Runner, caplog: pytest.LogCaptureFixture,
) -> None:
    async def scenario() -> None:
        server_settings = ServerSettings(max_connections=4, first_byte_timeout=0.2)
        async with gateway_factory(hubs=1, server_settings=server_settings) as gw:
            bystander = await GatewayClient.connect(port=gw.port)
            flood = [await raw_connect(gw.port) for _ in range(12)]
            for connection in flood:
                await connection.send(Frame(FrameType.HELLO, message="flood"))
            answers = [await connection.recv() for connection in flood]
            served = await bystander.request(gw.addresses[0], b"still here")

            statuses = [frame.status for frame in answers]
            assert statuses.count(Status.ACCEPTED) == 3
            assert statuses.count(Status.CONNECTION_LIMIT) == 9
            assert served.payloads == [b"R:still here"]
            assert gw.running.server.refused == 9
            assert any("refused connection" in message for message in _warnings(caplog))
            for connection in flood:
                connection.close()
            await bystander.close()

    run(scenario())


def test_refused_gfi_connection_answered_in_gfi(gateway_factory: Any, raw_connect: Any, run: Runner) -> None:
    async def scenario() -> None:
        # A first-byte wait far above the time the refused client takes to send its line, so a
        # loaded machine cannot turn the GFI reply into a binary one.
        server_settings = ServerSettings(max_connections=1, first_byte_timeout=60.0)
        async with gateway_factory(hubs=1, server_settings=server_settings) as gw:
            holder = await raw_connect(gw.port)
            await holder.send(Frame(FrameType.HELLO, message="holder"))
            await holder.recv()
            refused = await raw_connect(gw.port)
            await refused.send(b"GBCS:DATA#0:1:00\r\n")

            line = await refused.recv_line()

            assert line.startswith(b"GBCS:ERROR:%04X:too many connections" % Status.CONNECTION_LIMIT)
            holder.close()
            refused.close()

    run(scenario())


def test_slow_reader_disconnected_others_served(gateway_factory: Any, raw_connect: Any, run: Runner) -> None:
    async def scenario() -> None:
        server_settings = ServerSettings(outbound_limit=4)
        async with gateway_factory(hubs=1, server_settings=server_settings) as gw:
            sleeper = await raw_connect(gw.port)
            await sleeper.send(Frame(FrameType.SUBSCRIBE, correlation_id=1))
            await sleeper.recv()
            # The sleeper stops reading; alerts pile up in its socket and then its queue.
            big = bytes(60_000)
            for index in range(40):
                await gw.hubs[0].uplink.alert(big + index.to_bytes(2, "big"))
            async with await GatewayClient.connect(port=gw.port) as client:
                served = await client.request(gw.addresses[0], b"fine")

            assert served.payloads == [b"R:fine"]
            # Wait for the condition; the run fixture's hang guard bounds the wait.
            while gw.running.server.connections != 1:
                await asyncio.sleep(0.05)
            assert gw.running.server.connections == 1
            sleeper.close()

    run(scenario())
