"""End-to-end tests import their process helpers from ``e2e_support.py`` beside this file."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from e2e_support import ServiceProcess


@pytest.fixture()
def service(tmp_path: Path) -> Iterator[ServiceProcess]:
    """A `commshub run --serve` process in a fresh run folder; stopped after the test."""
    process = ServiceProcess(tmp_path / "run")
    try:
        yield process
    finally:
        process.stop()
