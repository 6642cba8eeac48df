"""The audit trail: storage, queries, exports, the CLI, and durability under SIGKILL."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from commshub.cli import main
from commshub.store.audit import (
    AuditKind,
    AuditTrail,
    AuditWriter,
    export_records,
)
from commshub.store.sqlite import StoreError, open_database

T0 = datetime(2024, 1, 1, tzinfo=UTC)
HUB_A = "fd53:4d57:414e:0:2db:1234:5678:1"
HUB_B = "fd53:4d57:414e:0:2db:1234:5678:2"
# Acknowledged records the SIGKILL tests wait for before killing the writer.
RECORDS_BEFORE_KILL = 300
# Real seconds the SIGKILL tests wait for the child; a hang guard, never a pass condition.
CHILD_GUARD_S = 60


def _names(code: int) -> str | None:
    return {0x0001: "CCS01", 0x0059: "ECS52"}.get(code)


@pytest.fixture
def trail(tmp_path: Path) -> AuditTrail:
    trail = AuditTrail(tmp_path / "audit.db", use_case_name=_names)
    trail.record("request", "accepted", at=T0, hub=HUB_A, hub_id="00DB123456780001",
                 client="acb", correlation_id=1, category=5, message_code=0x0001, frame=b"\x01")
    trail.record("response", "success", at=T0 + timedelta(seconds=1), hub=HUB_A,
                 hub_id="00DB123456780001", client="acb", correlation_id=1, category=5,
                 message_code=0x0001, frame=b"\x02\x03")
    trail.record("request", "accepted", at=T0 + timedelta(minutes=5), hub=HUB_B,
                 hub_id="00DB123456780002", client="acb", correlation_id=2, category=5,
                 message_code=0x0059, frame=b"\x04")
    trail.record("response", "failure", at=T0 + timedelta(minutes=6), hub=HUB_B,
                 hub_id="00DB123456780002", client="acb", correlation_id=2, category=5,
                 message_code=0x0059, detail="RESPONSE_TIMEOUT: no final response")
    trail.record("firmware_delivery", "failure", at=T0 + timedelta(hours=1), hub=HUB_B,
                 category=1, detail="HUB_UNREACHABLE: hub unreachable after 4 attempts")
    yield trail
    trail.close()


def test_database_is_wal_with_full_sync(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "x.db", schema=["CREATE TABLE t (a)"], version=1, name="test")

    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    conn.close()


def test_foreign_schema_version_rejected(tmp_path: Path) -> None:
    open_database(tmp_path / "x.db", schema=["CREATE TABLE t (a)"], version=3, name="test").close()

    with pytest.raises(StoreError, match="schema version 3, but this commshub reads version 1"):
        AuditTrail(tmp_path / "x.db")


def test_use_case_named_on_write(trail: AuditTrail) -> None:
    records = trail.query()

    assert [r.use_case for r in records] == ["CCS01", "CCS01", "ECS52", "ECS52", None]
    assert records[1].frame == b"\x02\x03"
    assert records[1].size == 2
    assert records[0].at == T0


@pytest.mark.parametrize(
    ("filters", "ids"),
    [
        ({"hub": HUB_B}, [3, 4, 5]),
        ({"hub": "fd53:4d57:414e:0:02db:1234:5678:0001"}, [1, 2]),
        ({"hub": "00-db-12-34-56-78-00-02"}, [3, 4]),
        ({"use_case": "ecs52"}, [3, 4]),
        ({"use_case": "0x0001"}, [1, 2]),
        ({"use_case": 0x59}, [3, 4]),
        ({"since": T0 + timedelta(minutes=5)}, [3, 4, 5]),
        ({"until": T0 + timedelta(minutes=5)}, [1, 2]),
        ({"outcome": "failure"}, [4, 5]),
        ({"outcome": ["success", "failure"], "kind": "response"}, [2, 4]),
        ({"kind": AuditKind.FIRMWARE_DELIVERY}, [5]),
        ({"hub": HUB_B, "outcome": "accepted", "limit": 1}, [3]),
    ],
)
def test_query_filters(trail: AuditTrail, filters: dict[str, object], ids: list[int]) -> None:
    assert [r.id for r in trail.query(**filters)] == ids


def test_unknown_outcome_filter_rejected(trail: AuditTrail) -> None:
    with pytest.raises(ValueError):
        trail.query(outcome="maybe")


def test_export_csv(trail: AuditTrail) -> None:
    stream = io.StringIO()

    count = export_records(trail.query(kind="response"), stream, "csv")

    rows = list(csv.DictReader(io.StringIO(stream.getvalue())))
    assert count == 2
    assert rows[0] == {
        "id": "2", "at": "2024-01-01T00:00:01.000000Z", "kind": "response", "outcome": "success",
        "hub": HUB_A, "hub_id": "00DB123456780001", "client": "acb", "correlation_id": "1",
        "category": "5", "message_code": "0x0001", "use_case": "CCS01", "size": "2", "detail": "",
    }
    assert rows[1]["detail"] == "RESPONSE_TIMEOUT: no final response"


def test_export_jsonl_with_frames(trail: AuditTrail) -> None:
    stream = io.StringIO()

    export_records(trail.query(use_case="CCS01"), stream, "jsonl", include_frames=True)

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["frame"] for line in lines] == ["01", "0203"]
    assert lines[0]["at"] == "2024-01-01T00:00:00.000000Z"


def test_large_correlation_id_round_trips(tmp_path: Path) -> None:
    with AuditTrail(tmp_path / "a.db") as trail:
        trail.record("request", "accepted", correlation_id=2**64 - 1)

        assert trail.query()[0].correlation_id == 2**64 - 1


def test_naive_timestamp_rejected(tmp_path: Path) -> None:
    with AuditTrail(tmp_path / "a.db") as trail, pytest.raises(ValueError, match="no time zone"):
        trail.record("request", "accepted", at=datetime(2024, 1, 1))


def test_writer_commits_concurrent_records(tmp_path: Path) -> None:
    async def scenario() -> list[int]:
        with AuditTrail(tmp_path / "a.db") as trail:
            writer = AuditWriter(trail)
            stored = await asyncio.gather(*(
                writer.record(trail.make_record("alert", "accepted", detail=str(i)))
                for i in range(500)))
            await writer.close()
            assert len(trail.query()) == 500
            return [record.id or 0 for record in stored]

    ids = asyncio.run(scenario())

    assert ids == list(range(1, 501))


def test_closed_writer_rejects(tmp_path: Path) -> None:
    async def scenario() -> None:
        with AuditTrail(tmp_path / "a.db") as trail:
            writer = AuditWriter(trail)
            await writer.close()
            with pytest.raises(StoreError, match="closed"):
                await writer.record(trail.make_record("alert", "accepted"))

    asyncio.run(scenario())


# SIGKILL: a child process writes records and prints each id once its commit returns.

_CHILD_SYNC = textwrap.dedent("""
    import sys
    from commshub.store.audit import AuditTrail
    trail = AuditTrail(sys.argv[1])
    n = 0
    while True:
        record = trail.record("request", "accepted", client="child", correlation_id=n,
                              frame=bytes([n % 256]) * (n % 97), detail=f"record {n}")
        print(record.id, n, flush=True)
        n += 1
""")

_CHILD_ASYNC = textwrap.dedent("""
    import asyncio, sys
    from commshub.store.audit import AuditTrail, AuditWriter

    async def main():
        trail = AuditTrail(sys.argv[1])
        writer = AuditWriter(trail)

        async def one(n):
            record = await writer.record(trail.make_record(
                "response", "success", client="child", correlation_id=n,
                frame=bytes([n % 256]) * (n % 97), detail=f"record {n}"))
            print(record.id, n, flush=True)

        n = 0
        while True:
            await asyncio.gather(*(one(n + i) for i in range(16)))
            n += 16

    asyncio.run(main())
""")


@pytest.mark.parametrize("child", [_CHILD_SYNC, _CHILD_ASYNC], ids=["sync", "group-commit"])
def test_acknowledged_records_survive_sigkill(tmp_path: Path, child: str) -> None:
    path = tmp_path / "audit.db"
    process = subprocess.Popen([sys.executable, "-c", child, str(path)], stdout=subprocess.PIPE,
                               text=True)
    acknowledged: dict[int, int] = {}
    deadline = time.monotonic() + CHILD_GUARD_S
    try:
        assert process.stdout is not None
        while len(acknowledged) < RECORDS_BEFORE_KILL and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            record_id, n = map(int, line.split())
            acknowledged[record_id] = n
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=CHILD_GUARD_S)
    assert process.returncode == -signal.SIGKILL
    assert len(acknowledged) >= RECORDS_BEFORE_KILL

    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    with AuditTrail(path) as trail:
        stored = {record.id: record for record in trail.query()}

    missing = sorted(set(acknowledged) - set(stored))
    assert missing == []
    for record in stored.values():
        n = record.correlation_id
        assert n is not None
        assert record.detail == f"record {n}"
        assert record.frame == bytes([n % 256]) * (n % 97)
    for record_id, n in acknowledged.items():
        assert stored[record_id].correlation_id == n


# The CLI.


def test_cli_filters_and_formats(trail: AuditTrail) -> None:
    runner = CliRunner()

    result = runner.invoke(main, ["audit", "--db", str(trail.path), "--hub", HUB_B,
                                  "--outcome", "failure", "--format", "jsonl"])

    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == [4, 5]
    assert "2 audit records" in result.stderr


def test_cli_time_range_and_use_case(trail: AuditTrail, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"

    result = CliRunner().invoke(main, [
        "audit", "--db", str(trail.path), "--use-case", "CCS01", "--since", "2024-01-01T00:00:01Z",
        "--until", "2024-01-02", "--frames", "-o", str(out)])

    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open()))
    assert [(row["id"], row["frame"]) for row in rows] == [("2", "0203")]


def test_cli_bad_time_explained(trail: AuditTrail) -> None:
    result = CliRunner().invoke(main, ["audit", "--db", str(trail.path), "--since", "yesterday"])

    assert result.exit_code == 2
    assert "not an ISO 8601 time" in result.output


def test_cli_as_installed_command(trail: AuditTrail) -> None:
    command = Path(sys.executable).with_name("commshub")
    if not command.exists():
        pytest.skip("the commshub console script is not installed beside this Python")
    env = {**os.environ, "COMMSHUB_AUDIT_DB": str(trail.path)}

    done = subprocess.run([str(command), "audit", "--kind", "firmware_delivery"], env=env,
                          capture_output=True, text=True, timeout=CHILD_GUARD_S, check=False)

    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [(row["hub"], row["outcome"]) for row in rows] == [(HUB_B, "failure")]


def test_virtual_clock_time_rounded_to_ms(tmp_path: Path) -> None:
    with AuditTrail(tmp_path / "audit.db") as trail:
        record = trail.record("request", "accepted", at=1420070432.449999)

        assert record.at.microsecond == 450_000
        assert trail.query()[0].to_json()["at"] == "2015-01-01T00:00:32.450000Z"
