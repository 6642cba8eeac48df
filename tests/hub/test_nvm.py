"""The SQLite non-volatile memory: atomic writes, reload, and a hub rebuilt from it."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import Bench

from commshub.hub import events as ev
from commshub.hub.actions import NvmWrite, PersistState
from commshub.hub.hub import Hub
from commshub.store.nvm import Nvm, NvmError


def test_apply_then_load(tmp_path: Path) -> None:
    with Nvm(tmp_path / "hub.db") as nvm:
        nvm.apply(PersistState((NvmWrite("power", "power", b"on"), NvmWrite("counters", "aa", b"1"))))
        nvm.apply(PersistState((NvmWrite("counters", "aa", None),)))
    with Nvm(tmp_path / "hub.db") as nvm:
        assert nvm.load() == {"power": {"power": b"on"}}


def test_journal_is_wal(tmp_path: Path) -> None:
    with Nvm(tmp_path / "hub.db") as nvm:
        nvm.apply(PersistState((NvmWrite("power", "power", b"on"),)))
        assert (tmp_path / "hub.db-wal").exists()


def test_unknown_table_writes_nothing(tmp_path: Path) -> None:
    with Nvm(tmp_path / "hub.db") as nvm:
        with pytest.raises(NvmError, match="not an NVM table"):
            nvm.apply(PersistState((NvmWrite("power", "power", b"on"), NvmWrite("nope", "k", b"v"))))
        assert nvm.load() == {}


def test_hub_rebuilt_from_sqlite_equals_the_hub_before(tmp_path: Path) -> None:
    bench = Bench()
    path = tmp_path / "hub.db"
    with Nvm(path) as nvm:
        bench.nvm = nvm  # type: ignore[assignment]
        bench.commission()
        bench.feed(ev.MainsLost(at=bench.now))
        before = bench.hub.image()
    with Nvm(path) as nvm:
        rebuilt = Hub.restore(nvm.load())
    assert rebuilt.image() == before
