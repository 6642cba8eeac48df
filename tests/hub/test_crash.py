"""SIGKILL a real process running a hub at random moments and restart it from its SQLite NVM.

Each scenario runs :mod:`crash_worker` in a subprocess, kills it after a random number of
output lines (and a random short delay), checks the NVM it left behind, restarts it, and at
last lets it finish. The checks: nothing the printed lines acknowledged is missing from NVM,
nothing is half-written (the NVM rebuilds a hub that renders the same records, and the stored
firmware chunks are an exact prefix of the image), and across all runs every power outage
alert is followed by exactly one restore alert.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from helpers import ACB, CHF, GPF, SUPPLIER

from commshub.codecs.gbcs.keystore import KeyStore, KeyUsage
from commshub.codecs.zigbee.ota import build_gbcs_ota_file
from commshub.hub.firmware import image_bytes, images
from commshub.hub.hub import Hub
from commshub.hub.transitions import FirmwareState
from commshub.store.nvm import Nvm

WORKER = Path(__file__).with_name("crash_worker.py")
KILLS = 6  # restarts after a SIGKILL per scenario
PROCESS_TIMEOUT_S = 120.0  # a worker that takes longer is stuck
OUTAGES = 40


@pytest.fixture(scope="module")
def keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("keys")
    KeyStore.generate(devices=[CHF, GPF], remote_parties=[ACB, SUPPLIER]).save(folder)
    return folder


def run_worker(nvm: Path, keys: Path, scenario: str, run: int, argument: str, *,
               kill_after: int | None, rng: random.Random) -> list[dict[str, Any]]:
    """Run the worker; kill it after ``kill_after`` lines (None: let it finish)."""
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[2] / "src"),
                                                                 os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen(
        [sys.executable, str(WORKER), str(nvm), str(keys), scenario, str(run), argument],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=environment, text=True,
    )
    assert process.stdout is not None
    lines: list[dict[str, Any]] = []
    started = time.monotonic()
    try:
        for raw in process.stdout:
            line = json.loads(raw)
            if line.get("done"):
                break
            lines.append(line)
            if kill_after is not None and len(lines) >= kill_after:
                time.sleep(rng.uniform(0.0, 0.02))  # let it get somewhere inside the next step
                break
            assert time.monotonic() - started < PROCESS_TIMEOUT_S, "crash worker is stuck"
    finally:
        if kill_after is not None:
            process.send_signal(signal.SIGKILL)
            # Lines the worker printed before it died were acknowledged too: read them all.
            for raw in process.stdout:
                if raw.endswith("\n") and '"done"' not in raw:
                    lines.append(json.loads(raw))
        process.wait(timeout=PROCESS_TIMEOUT_S)
        process.stdout.close()
    if kill_after is None:
        assert process.returncode == 0, f"worker failed with exit code {process.returncode}"
    return lines


def load(nvm: Path) -> dict[str, dict[str, bytes]]:
    with Nvm(nvm) as store:
        image = store.load()
    # Nothing half-written: the records rebuild a hub that renders exactly these records.
    assert Hub.restore(image).image() == image
    return image


def test_firmware_ingestion_survives_sigkill(tmp_path: Path, keys_dir: Path) -> None:
    rng = random.Random(1)
    key = KeyStore.load(keys_dir).private_key(SUPPLIER, KeyUsage.DIGITAL_SIGNATURE)
    assert key is not None
    image = build_gbcs_ota_file(bytes((n * 7) % 251 for n in range(4000)), manufacturer_code=0x1111,
                                image_type=1, file_version=2, private_key=key)
    image_file = tmp_path / "image.ota"
    image_file.write_bytes(image)
    nvm = tmp_path / "hub.db"
    acknowledged = 0
    for run in range(KILLS):
        lines = run_worker(nvm, keys_dir, "firmware", run, str(image_file), kill_after=rng.randint(2, 40), rng=rng)
        acks = [line["next_offset"] for line in lines if line["kind"] == "FirmwareChunkAck"]
        acknowledged = max([acknowledged, *acks])
        hub = Hub.restore(load(nvm))
        (stored,) = images(hub)
        assert stored.received >= acknowledged
        assert image_bytes(hub, "image") == image[:stored.received]
    run_worker(nvm, keys_dir, "firmware", KILLS, str(image_file), kill_after=None, rng=rng)
    (stored,) = images(Hub.restore(load(nvm)))
    assert stored.state is FirmwareState.VERIFIED


def test_device_log_changes_survive_sigkill(tmp_path: Path, keys_dir: Path) -> None:
    rng = random.Random(2)
    nvm = tmp_path / "hub.db"
    acknowledged: set[bytes] = set()
    for run in range(KILLS):
        lines = run_worker(nvm, keys_dir, "device_log", run, "-", kill_after=rng.randint(3, 30), rng=rng)
        acknowledged |= {bytes.fromhex(line["acknowledged"]) for line in lines if "acknowledged" in line}
        log = Hub.restore(load(nvm)).state.device_log
        assert acknowledged <= {entry.eui for entry in log}
    run_worker(nvm, keys_dir, "device_log", KILLS, "-", kill_after=None, rng=rng)
    assert len(Hub.restore(load(nvm)).state.device_log) == 16


def test_outage_alerts_pair_up_across_sigkills(tmp_path: Path, keys_dir: Path) -> None:
    rng = random.Random(3)
    nvm = tmp_path / "hub.db"
    alerts: dict[int, str] = {}  # message ID -> kind: a message sent again keeps its ID

    def restores() -> int:
        return sum(1 for kind in alerts.values() if kind == "PowerRestoreAlert")

    for run in range(KILLS):
        lines = run_worker(nvm, keys_dir, "outage", run, str(OUTAGES - restores()),
                           kill_after=rng.randint(2, 60), rng=rng)
        for line in lines:
            if line["kind"] in ("PowerOutageAlert", "PowerRestoreAlert"):
                assert alerts.setdefault(line["id"], line["kind"]) == line["kind"]
        load(nvm)
    run_worker(nvm, keys_dir, "outage", KILLS, str(max(0, OUTAGES - restores())), kill_after=None, rng=rng)
    hub = Hub.restore(load(nvm))
    # Messages still in the outbox were not confirmed as sent; a driver sends them at the next start.
    pending = {m.message_id: type(m.message).__name__ for m in hub.state.outbox.messages()
               if hasattr(m, "message")}
    sequence = [kind for _, kind in sorted({**alerts, **pending}.items())
                if kind in ("PowerOutageAlert", "PowerRestoreAlert")]
    assert sequence, "no outage was reported"
    for index, kind in enumerate(sequence):
        assert kind == ("PowerOutageAlert" if index % 2 == 0 else "PowerRestoreAlert"), sequence
    assert len(sequence) % 2 == 0
