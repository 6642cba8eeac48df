"""The bench's commands against a running `commshub run --serve`: controls, `send` and the
CONTROL frame's handling of bad commands."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest
from e2e_support import ServiceProcess, run_commshub

from commshub.wan.client import GatewayClient, GatewayRejected
from commshub.wan.control import ControlError, encode_control, parse_control
from commshub.wan.framing import Frame, FrameType, Status, decode_frame, encode_frame

pytestmark = pytest.mark.slow


def test_controls_and_send_drive_a_hub(service: ServiceProcess) -> None:
    port = service.start()
    env = {"COMMSHUB_GATEWAY": f"127.0.0.1:{port}"}

    def commshub(*arguments: str) -> str:
        result = run_commshub(*arguments, env=env, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    assert "awaiting_coverage" in commshub("install")
    assert "WAN up" in commshub("wan", "up")
    commshub("advance", "300")
    status = json.loads(commshub("status", "--json"))
    hub = status["hubs"][0]
    assert hub["lifecycle"] == "active"
    assert hub["synchronised"] is True

    added = commshub("send", "CCS01", "device=esme")
    assert "CCS01 response from 02C0FFEE000000A2 [MAC valid]" in added
    commshub("advance", "30")
    read = commshub("send", "ECS52")
    assert "ECS52 response from 02C0FFEE000000A0 [MAC valid]" in read
    record = json.loads(commshub("send", "--json", "ECS26n"))
    assert record["use_case"] == "ECS26n"
    assert record["verified"] is True

    assert "mains_on" not in commshub("power", "off")
    commshub("advance", "200")
    assert "mains_on" in commshub("power", "on")

    by_address = commshub("send", "--hub", hub["address"], "ECS52")
    assert "ECS52 response from 02C0FFEE000000A0 [MAC valid]" in by_address
    assert "ECS52 response" in commshub("send", "--hub", hub["chf"], "ECS52")
    no_hub = run_commshub("send", "--hub", "00DB000000000000", "ECS52", env=env)
    assert no_hub.returncode == 2
    assert "no hub '00DB000000000000'" in no_hub.stderr
    # A single-band hub has no sub-GHz objects: the response says object-undefined.
    single_band = run_commshub("send", "DBCH01", env=env, timeout=300)
    assert single_band.returncode == 1, single_band.stdout + single_band.stderr
    assert "DBCH01: the response reports a failure" in single_band.stderr
    assert "object-undefined" in single_band.stderr
    assert re.search(r"now \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", commshub("status"))
    assert re.fullmatch(r"now \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\n", commshub("advance", "1"))

    unknown = run_commshub("send", "NOPE", env=env)
    assert unknown.returncode == 1
    assert "cannot build 'NOPE'" in unknown.stderr
    assert "CCS01 (0x0001, CHF)" in run_commshub("send", "--list", "x", env=env).stdout


def test_bad_controls_rejected(service: ServiceProcess) -> None:
    port = service.start()

    async def scenario() -> None:
        client = await GatewayClient.connect(port=port, name="bad-controls")
        try:
            for text, reason in (("not json", "JSON object"), ('{"command": "fly"}', "unknown"),
                                 ('{"command": "power", "state": "dim"}', "state must be"),
                                 ('{"command": "status", "hub": 7}', "no hub number 7")):
                with pytest.raises(GatewayRejected) as info:
                    await client.control(text)
                assert info.value.status == Status.INVALID_REQUEST
                assert reason in info.value.message
            reply = json.loads(await client.control(encode_control("status")))
            assert reply["ok"] is True
        finally:
            await client.close()

    asyncio.run(scenario())


def test_advance_on_the_system_clock_is_rejected(tmp_path: Path) -> None:
    process = ServiceProcess(tmp_path / "run", clock="system")
    try:
        port = process.start()
        result = run_commshub("advance", "10", env={"COMMSHUB_GATEWAY": f"127.0.0.1:{port}"})
        assert result.returncode == 1
        assert "only a virtual clock" in result.stderr
    finally:
        process.stop()


def test_control_frame_round_trip() -> None:
    frame = Frame(FrameType.CONTROL, correlation_id=9, message=encode_control("wan", state="up", hub=0))
    assert decode_frame(encode_frame(frame)) == frame
    assert parse_control(frame.message).arguments == {"hub": 0, "state": "up"}
    with pytest.raises(ControlError, match="needs seconds"):
        parse_control('{"command": "advance"}')
    with pytest.raises(ControlError, match="seconds must be a number"):
        encode_control("advance", seconds=-1)
