"""Replay tests share one replay of the whole RTDS corpus, made once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from commshub.replay import CaseResult, Replayer, find_corpus


@pytest.fixture(scope="session")
def replayer(rtds_dir: Path) -> Replayer:
    return Replayer(find_corpus(rtds_dir))


@pytest.fixture(scope="session")
def replay_results(replayer: Replayer) -> dict[str, CaseResult]:
    """Every replayable command of the corpus, by use-case variant name."""
    return {result.use_case: result for result in replayer.run()}
