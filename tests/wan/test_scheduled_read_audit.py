"""A scheduled read that the hub dropped at its deadline reaches the gateway's audit trail as a
failed scheduled read, through the `commshub run` driver."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from commshub.hil.runner import HubRunner, RunnerOptions
from commshub.hub.actions import ScheduledReadMissed, SendCsp
from commshub.hub.settings import HubSettings
from commshub.store.audit import AuditOutcome
from commshub.wan.clock import VirtualClock
from commshub.wan.framing import Category

METER = bytes.fromhex("00DB1234567800A0")
READ_CODE = 0x0059  # a Category 2 meter read (GBCS message code)
DEADLINE = 1_700_000_000


def test_missed_read_audited_as_failure(gateway_factory: Any, make_profile: Any, run: Any,
                                        tmp_path: Path) -> None:
    async def scenario() -> None:
        async with gateway_factory(hubs=0) as gw:
            gateway = gw.running.gateway
            runner = HubRunner(
                index=0, identity=lambda: None, settings=HubSettings(), time_sync=None,
                nvm_path=tmp_path / "hub.nvm", environment=tmp_path / "hub.bench",
                clock=VirtualClock(DEADLINE), gateway=gateway, devices=[], time_service=None,
                options=RunnerOptions())
            profile = make_profile(0)
            runner.uplink = gateway.install_hub(runner, profile)
            await runner._send_csp(SendCsp(1, ScheduledReadMissed(METER, READ_CODE, DEADLINE)))

            (record,) = gw.running.trail.query(kind="scheduled_read")
            assert record.outcome is AuditOutcome.FAILURE
            assert record.message_code == READ_CODE
            assert record.category == Category.SCHEDULED_READ
            assert record.hub_id == profile.hub_id
            assert METER.hex().upper() in record.detail
            assert str(DEADLINE) in record.detail
            assert runner.timeline[-1].kind == "scheduled_read"

    run(scenario())
