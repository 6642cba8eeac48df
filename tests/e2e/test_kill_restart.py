"""`commshub run` as a real process, driven through the whole default scenario over its socket,
killed with SIGKILL mid-way and restarted: the audit trail and the hub's state lose nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from e2e_support import ServiceProcess

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
