"""Shared fixtures: the RTDS corpus and hypothesis settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests run with the same bounded budget everywhere; no deadline, because the
# machine's speed must never decide whether a test passes. The default profile is
# derandomized so that a run gives the same examples on every machine and CI cannot fail on a
# new random draw; HYPOTHESIS_PROFILE=explore searches with fresh random examples instead.
_SUPPRESSED = [HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile(
    "commshub", max_examples=200, deadline=None, derandomize=True, database=None,
    suppress_health_check=_SUPPRESSED,
)
settings.register_profile(
    "explore", max_examples=1000, deadline=None, suppress_health_check=_SUPPRESSED,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "commshub"))

RTDS_ENV = "COMMSHUB_RTDS_DIR"


def rtds_root() -> Path | None:
    """Return the RTDS folder named by COMMSHUB_RTDS_DIR, or None when unset."""
    value = os.environ.get(RTDS_ENV)
    return Path(value) if value else None


@pytest.fixture(scope="session")
def rtds_dir() -> Path:
    """The RTDS tree (holding ``RTDS-4.5.0/`` and ``keystore/``); skips when not configured."""
    root = rtds_root()
    if root is None:
        pytest.skip(f"{RTDS_ENV} is not set; point it at the DCC RTDS folder to run corpus tests")
    if not (root / "RTDS-4.5.0").is_dir():
        pytest.fail(f"{RTDS_ENV}={root} does not contain RTDS-4.5.0/")
    return root


@pytest.fixture(scope="session")
def rtds_frames(rtds_dir: Path) -> list[tuple[Path, bytes]]:
    """Every RTDS frame as (path, bytes), sorted by path."""
    files = sorted((rtds_dir / "RTDS-4.5.0").rglob("*.HEX"))
    return [(path, bytes.fromhex(path.read_text().strip())) for path in files]
