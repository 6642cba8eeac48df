"""`commshub run` with no arguments, as `make run` calls it: the default scenario plays to the
end with every step passing, and Wireshark's tshark decodes its HAN capture."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from e2e_support import run_commshub

from commshub.codecs.zigbee.pcap import read_pcap, tshark_key_options

pytestmark = pytest.mark.slow

TSHARK = shutil.which("tshark")
Played = tuple[Path, subprocess.CompletedProcess[str]]
STEPS = ["install", "activate", "time", "devices", "join", "gsme", "firmware", "ota",
         "activation", "scheduled", "outage", "alerts"]


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Played:
    """The default scenario, played once for the module in a fresh folder (as `make run`)."""
    folder = tmp_path_factory.mktemp("make-run")
    return folder / "out", run_commshub("run", cwd=folder)


def test_default_scenario_passes_every_step(played: Played) -> None:
    out, result = played
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((out / "report.json").read_text())
    assert [step["step"] for step in report["steps"]] == STEPS
    assert [step["step"] for step in report["steps"] if not step["passed"]] == []
    assert all(check["passed"] for step in report["steps"] for check in step["checks"])
    assert "12 of 12 steps passed" in result.stdout


def test_default_scenario_writes_its_files(played: Played) -> None:
    out, _ = played
    for name in ("report.txt", "report.json", "audit.csv", "audit.jsonl", "audit.db",
                 "han-hub0.pcap", "han-hub0.keys"):
        assert (out / name).stat().st_size > 0, name
    csv_rows = (out / "audit.csv").read_text().splitlines()
    json_rows = [json.loads(line) for line in (out / "audit.jsonl").read_text().splitlines()]
    assert len(csv_rows) == len(json_rows) + 1  # header row
    kinds = Counter(row["kind"] for row in json_rows)
    assert {"request", "response", "alert", "firmware_delivery", "scheduled_read"} <= set(kinds)
    assert all(row["at"].endswith("Z") for row in json_rows)


def test_ota_to_the_meter_is_audited_as_a_firmware_delivery(played: Played) -> None:
    out, _ = played
    rows = [json.loads(line) for line in (out / "audit.jsonl").read_text().splitlines()]
    ota = [row for row in rows if row["kind"] == "firmware_delivery"
           and row["message_code"] == "0x0128"]  # CCS08, from the hub about a meter
    assert ota, "no firmware delivery record for the OTA transfer to the ESME"
    assert ota[0]["outcome"] == "success"
    assert "OTA transfer to 02C0FFEE000000A0" in ota[0]["detail"]
    assert "0x8F8A" in ota[0]["detail"]


def test_default_scenario_shows_progress(played: Played) -> None:
    _, result = played
    assert "bytes in the data store" in result.stderr
    assert "step outage" in result.stderr


def _keys(path: Path) -> list[tuple[bytes, str]]:
    keys = []
    for line in path.read_text().splitlines():
        key, _, label = line.split(",", 2)
        keys.append((bytes.fromhex(key.strip('"').replace(":", "")), label.strip('"')))
    return keys


@pytest.mark.skipif(TSHARK is None, reason="tshark is not installed (apt-get install tshark)")
def test_tshark_decodes_the_capture(played: Played) -> None:
    out, _ = played
    capture = out / "han-hub0.pcap"
    _, records = read_pcap(capture.read_bytes())
    command = [TSHARK or "tshark", "-r", str(capture), *tshark_key_options(_keys(out / "han-hub0.keys")),
               "-T", "fields", "-E", "separator=\t", "-e", "frame.number", "-e", "_ws.malformed",
               "-e", "frame.protocols", "-e", "_ws.expert.severity"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=True)
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert len(rows) == len(records) > 100
    assert [row[0] for row in rows if row[1]] == [], "malformed packets"
    protocols = Counter(layer for row in rows for layer in row[2].split(":"))
    # Decrypted down to ZCL: the OTA transfer, the GBCS tunnel and GBCS messages inside it.
    for layer in ("zbee_nwk", "zbee_aps", "zbee_zcl", "zbee_zcl_general.ota", "zbee_zcl_se.tun",
                  "gbcs_message"):
        assert protocols[layer] > 0, layer


def test_three_hubs_play_the_scenario(tmp_path: Path) -> None:
    result = run_commshub("run", "--hubs", "3", "--out", str(tmp_path / "out"), timeout=800)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    checks = [check["check"] for step in report["steps"] for check in step["checks"]]
    for index in range(3):
        assert any(check.startswith(f"hub {index} sent one power outage alert") for check in checks)
        assert (tmp_path / "out" / f"han-hub{index}.pcap").stat().st_size > 0
