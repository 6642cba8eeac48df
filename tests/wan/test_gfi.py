"""GFI text framing on the gateway port, as GFI-style scripts use it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from commshub.store.audit import AuditKind
from commshub.wan.framing import GfiData, GfiReader, Status, encode_gfi_data, encode_gfi_route
from commshub.wan.server import ServerSettings

Runner = Callable[[Coroutine[Any, Any, Any]], Any]

# The example GBCS frame of the GFI line in the public HenryGiraldo GBCS emulator (c/gfi.c).
GBCS_FRAME = bytes.fromhex(
    "DD000000000000401100000000DF090200000000000003EB0800DB1234567890A00890B3D51F30010000000200"
    "210CDA200003EB0000010001020000F4E3A029790221B3B6549478"
)


def _parse(line: bytes) -> object:
    reader = GfiReader()
    reader.feed(line)
    return reader.next_message()


def test_gfi_line_to_single_hub_and_back(gateway_factory: Any, raw_connect: Any, run: Runner) -> None:
    async def scenario() -> None:
        async with gateway_factory(hubs=1) as gw:
            gfi = await raw_connect(gw.port)
            await gfi.send(encode_gfi_data(GBCS_FRAME))

            line = await gfi.recv_line()

            assert line.startswith(b"GBCS:DATA#0:74:")
            assert _parse(line) == GfiData(b"R:" + GBCS_FRAME)
            assert gw.hubs[0].delivered[0][:2] == (GBCS_FRAME, 5)
            requests = gw.running.trail.query(kind=AuditKind.REQUEST)
            assert requests[0].client.startswith("gfi:127.0.0.1:")
            assert requests[0].frame == GBCS_FRAME
            gfi.close()

    run(scenario())


def test_gfi_route_selects_hub(gateway_factory: Any, raw_connect: Any, run: Runner) -> None:
    async def scenario() -> None:
        async with gateway_factory(hubs=2) as gw:
            gfi = await raw_connect(gw.port)
            await gfi.send(encode_gfi_data(GBCS_FRAME))
            unrouted = await gfi.recv_line()
            await gfi.send(encode_gfi_route(gw.addresses[1]) + encode_gfi_data(b"\x01\x02"))
            routed = await gfi.recv_line()

            assert unrouted.startswith(b"GBCS:ERROR:%04X:2 hubs are installed" % Status.INVALID_ADDRESS)
            assert _parse(routed) == GfiData(b"R:\x01\x02")
            assert gw.hubs[1].delivered[0][0] == b"\x01\x02"
            assert gw.hubs[0].delivered == []
            gfi.close()

    run(scenario())


def test_gfi_unknown_route_rejected(gateway_factory: Any, raw_connect: Any, run: Runner) -> None:
    async def scenario() -> None:
        async with gateway_factory(hubs=1) as gw:
            gfi = await raw_connect(gw.port)
            await gfi.send(b"GBCS:ROUTE:fd53:4d57:414e::dead\r\n")

            line = await gfi.recv_line()

            assert line.startswith(b"GBCS:ERROR:%04X:no hub is installed" % Status.UNKNOWN_ADDRESS)
            gfi.close()

    run(scenario())


def test_gfi_bad_line_answered_then_served(
    gateway_factory: Any, raw_connect: Any, run: Runner, caplog: pytest.LogCaptureFixture,
) -> None:
    async def scenario() -> None:
        async with gateway_factory(hubs=1) as gw:
            gfi = await raw_connect(gw.port)
            await gfi.send(b"GBCS:DATA#0:5:DD00\r\nGBCS:nonsense\r\n" + encode_gfi_data(b"\xdd"))

            length_error = await gfi.recv_line()
            unknown_error = await gfi.recv_line()
            response = await gfi.recv_line()

            assert b"says 5 bytes but 4 hex digits" in length_error
            assert b"not a GFI line" in unknown_error
            assert _parse(response) == GfiData(b"R:\xdd")
            warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
            assert len(warnings) == 2
            gfi.close()

    run(scenario())


def test_gfi_truncated_line_answered(gateway_factory: Any, raw_connect: Any, run: Runner) -> None:
    async def scenario() -> None:
        async with gateway_factory(hubs=1) as gw:
            gfi = await raw_connect(gw.port)
            await gfi.send(encode_gfi_data(GBCS_FRAME)[:30])
            gfi.writer.write_eof()

            line = await gfi.recv_line()

            assert line.startswith(b"GBCS:ERROR:%04X:" % Status.TRUNCATED_FRAME)
            assert gw.hubs[0].delivered == []

    run(scenario())


def test_gfi_stalled_line_times_out(gateway_factory: Any, raw_connect: Any, run: Runner) -> None:
    async def scenario() -> None:
        server_settings = ServerSettings(frame_timeout=0.2)
        async with gateway_factory(hubs=1, server_settings=server_settings) as gw:
            gfi = await raw_connect(gw.port)
            await gfi.send(encode_gfi_data(GBCS_FRAME)[:30])

            line = await gfi.recv_line()

            assert line.startswith(b"GBCS:ERROR:%04X:" % Status.TRUNCATED_FRAME)
            assert b"no data for 0.2 s after 30 bytes of a GFI line" in line
            assert await gfi.closed_by_peer()
            assert gw.hubs[0].delivered == []

    run(scenario())


def test_gfi_receives_gbcs_alerts_of_its_hub(gateway_factory: Any, raw_connect: Any, run: Runner) -> None:
    async def scenario() -> None:
        async with gateway_factory(hubs=1) as gw:
            gfi = await raw_connect(gw.port)
            await gfi.send(encode_gfi_route(gw.addresses[0]))
            await gfi.send(encode_gfi_data(b"\x00"))
            await gfi.recv_line()

            await gw.hubs[0].uplink.power_outage(1_704_067_200)  # gateway alert: not for GFI
            await gw.hubs[0].uplink.alert(b"\x8f\x12")
            line = await gfi.recv_line()

            assert _parse(line) == GfiData(b"\x8f\x12")
            gfi.close()

    run(scenario())
