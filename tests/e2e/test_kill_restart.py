"""`commshub run` as a real process, driven through the whole default scenario over its socket,
killed with SIGKILL mid-way and restarted: the audit trail and the hub's state lose nothing."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from e2e_support import ServiceProcess, commshub_command, run_commshub

from commshub.fleet.report import Report
from commshub.fleet.scenario import DEFAULT, Play
from commshub.fleet.session import BenchSession
from commshub.hil.runner import image_digest
from commshub.store.audit import AuditTrail
from commshub.store.nvm import Nvm

pytestmark = pytest.mark.slow

# The default scenario's steps before the kill; the rest run against the restarted process.
KILL_AFTER = "join"


def _audit(out: Path) -> dict[int, tuple[str, str, str | None]]:
    with AuditTrail(out / "audit.db") as trail:
        return {record.id or 0: (record.kind.value, record.outcome.value, record.hub)
                for record in trail.query()}


def test_killed_service_loses_nothing(service: ServiceProcess) -> None:
    port = service.start()
    names = [step.name for step in DEFAULT]
    cut = names.index(KILL_AFTER) + 1

    async def first_half() -> tuple[Report, dict[str, Any], dict[str, Any]]:
        session = await BenchSession.connect(port)
        play = Play(session, Report("default"))
        try:
            for step in DEFAULT[:cut]:
                await play.run_step(step)
            status = await session.refresh()
        finally:
            await session.close()
        return play.report, play.facts, status

    report, facts, before = asyncio.run(first_half())
    assert [step.name for step in report.steps if not step.passed] == [], report.render()
    audit_before = _audit(service.out)
    assert audit_before, "the first half left no audit records"

    service.kill()

    # What the hub reported just before the kill is what its NVM file holds.
    hub_before = before["hubs"][0]
    with Nvm(service.out / "state" / "hub0.nvm") as nvm:
        assert image_digest(nvm.load()) == hub_before["nvm"]
    audit_after_kill = _audit(service.out)
    assert audit_after_kill == audit_before

    port = service.start()

    async def second_half() -> tuple[Report, dict[str, Any]]:
        session = await BenchSession.connect(port)
        play = Play(session, report, facts)
        try:
            restarted = await session.refresh()
            for step in DEFAULT[cut:]:
                await play.run_step(step)
        finally:
            await session.close()
        return play.report, restarted

    report, restarted = asyncio.run(second_half())
    hub_after = restarted["hubs"][0]
    for key in ("lifecycle", "network_address", "address", "activated_at", "installed_at",
                "counters", "device_log", "signal"):
        assert hub_after[key] == hub_before[key], key
    assert restarted["now"] >= before["now"], "the virtual clock went back after the restart"

    audit_final = _audit(service.out)
    assert audit_before.items() <= audit_final.items()
    assert report.passed, report.render()
    assert service.stop() == 0, service.log()


def _conclusions(out: Path, use_case: str) -> tuple[list[Any], list[Any]]:
    """The accepted requests of ``use_case`` and the records that conclude one (a response or
    a failure with the same client and correlation id)."""
    with AuditTrail(out / "audit.db") as trail:
        records = trail.query()
    requests = [r for r in records if r.kind.value == "request" and r.outcome.value == "accepted"
                and r.use_case == use_case]
    keys = {(r.client, r.correlation_id) for r in requests}
    concluded = [r for r in records if r.kind.value == "response"
                 and (r.client, r.correlation_id) in keys]
    return requests, concluded


def test_request_in_flight_at_kill_is_concluded(service: ServiceProcess) -> None:
    """A request the gateway accepted but had not answered when SIGKILL came gets its
    conclusion in the audit trail after the restart: the hub's response, re-sent from its
    NVM, or an explicit failure."""
    port = service.start()
    env = {"COMMSHUB_GATEWAY": f"127.0.0.1:{port}"}

    def commshub(*arguments: str) -> str:
        result = run_commshub(*arguments, env=env, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    commshub("install")
    commshub("wan", "up")
    commshub("advance", "300")
    commshub("send", "CCS01", "device=gsme")
    in_flight = subprocess.Popen([*commshub_command(), "send", "GCS28"], env={**os.environ, **env},
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not _conclusions(service.out, "GCS28")[0]:
            assert time.monotonic() < deadline, "GCS28 was never accepted"
            assert in_flight.poll() is None, "send GCS28 ended before the kill"
            time.sleep(0.1)
        service.kill()
    finally:
        in_flight.kill()
        in_flight.wait(timeout=30)
    requests, concluded = _conclusions(service.out, "GCS28")
    assert len(requests) == 1 and concluded == []

    port = service.start()
    env["COMMSHUB_GATEWAY"] = f"127.0.0.1:{port}"
    commshub("advance", "3600")
    requests, concluded = _conclusions(service.out, "GCS28")
    assert concluded, service.log()
    # The hub sends its response again from its NVM as it restarts; it answers the request.
    assert [r.outcome.value for r in concluded] == ["success"], concluded
    assert "answers no open request" not in service.log()


def _esme(status: dict[str, Any]) -> dict[str, Any]:
    return next(device for device in status["hubs"][0]["devices"] if device["kind"] == "esme")


def test_meter_firmware_survives_kill(service: ServiceProcess) -> None:
    """A meter is a box of its own: the firmware CS06 activated on the ESME is still what it
    runs, and reports, after SIGKILL and a restart of the hub process."""
    port = service.start()
    names = [step.name for step in DEFAULT]
    cut = names.index("activation") + 1

    async def play() -> tuple[Report, dict[str, Any]]:
        session = await BenchSession.connect(port)
        play = Play(session, Report("default"))
        try:
            for step in DEFAULT[:cut]:
                await play.run_step(step)
            return play.report, await session.refresh()
        finally:
            await session.close()

    async def status(port: int) -> dict[str, Any]:
        session = await BenchSession.connect(port)
        try:
            return await session.refresh()
        finally:
            await session.close()

    report, before = asyncio.run(play())
    assert report.passed, report.render()
    activated = _esme(before)
    assert activated["activations"], activated
    assert activated["firmware_version"] == activated["activations"][-1]

    service.kill()
    port = service.start()
    after = _esme(asyncio.run(status(port)))

    assert after["firmware_version"] == activated["firmware_version"], service.log()
    env = {"COMMSHUB_GATEWAY": f"127.0.0.1:{port}"}
    ecs52 = run_commshub("send", "ECS52", env=env, timeout=300)
    assert ecs52.returncode == 0, ecs52.stdout + ecs52.stderr
    assert activated["firmware_version"] in ecs52.stdout.replace(" ", "").upper(), ecs52.stdout
    assert service.stop() == 0, service.log()
