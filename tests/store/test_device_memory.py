"""The virtual devices' memory: a snapshot saved, reopened from the file, and kept on change."""

from __future__ import annotations

from pathlib import Path

from commshub.store.devices import DeviceMemory

ESME = bytes.fromhex("02C0FFEE000000B1")
SNAPSHOT = {"firmware_version": "01250000", "counters": {"90b3d51f30010000": 7}, "joined": True}


def test_snapshot_survives_reopen(tmp_path: Path) -> None:
    with DeviceMemory(tmp_path / "hub0.devices") as memory:
        assert memory.save(ESME, "esme", SNAPSHOT)

    with DeviceMemory(tmp_path / "hub0.devices") as memory:
        assert memory.load(ESME) == SNAPSHOT
        assert memory.load(bytes(8)) is None


def test_unchanged_snapshot_not_rewritten(tmp_path: Path) -> None:
    with DeviceMemory(tmp_path / "hub0.devices") as memory:
        assert memory.save(ESME, "esme", SNAPSHOT)
        assert not memory.save(ESME, "esme", dict(SNAPSHOT))
        assert memory.save(ESME, "esme", {**SNAPSHOT, "firmware_version": "01260000"})
        assert memory.load(ESME)["firmware_version"] == "01260000"
