"""`commshub replay DIR --gateway HOST:PORT` gives the table the in-process replay gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from e2e_support import ServiceProcess, run_commshub

# Real-second bounds of the two replays (hang guards, never pass conditions). Their sum stays
# below the test's own pytest-timeout, which replaces the project's 900 s per test, so that a
# slow machine fails with the replay's own message, not a timeout traceback.
IN_PROCESS_GUARD_S = 800
WIRED_GUARD_S = 900
pytestmark = [pytest.mark.slow, pytest.mark.timeout(IN_PROCESS_GUARD_S + WIRED_GUARD_S + 300)]


def _results(output: str) -> dict[tuple[str, str], dict[str, str]]:
    rows = [json.loads(line) for line in output.splitlines() if line.strip()]
    return {(row["folder"], row["use_case"]): row for row in rows}


def test_replay_through_the_gateway_matches_in_process(rtds_dir: Path, tmp_path: Path) -> None:
    in_process = run_commshub("replay", str(rtds_dir), "--json", timeout=IN_PROCESS_GUARD_S)
    assert in_process.returncode == 0, in_process.stderr
    # The system clock: the gateway's rate limits refill as the replay goes on.
    service = ServiceProcess(tmp_path / "run", clock="system")
    try:
        port = service.start()
        wired = run_commshub("replay", str(rtds_dir), "--json", "--gateway", f"127.0.0.1:{port}",
                             timeout=WIRED_GUARD_S)
        assert wired.returncode == 0, wired.stderr + service.log()
        assert service.stop() == 0, service.log()
    finally:
        service.stop()
    expected, got = _results(in_process.stdout), _results(wired.stdout)
    assert len(expected) > 400
    assert got.keys() == expected.keys()
    assert [key for key in expected if got[key] != expected[key]] == []
    assert sum(row["outcome"] == "match" for row in got.values()) > 200
