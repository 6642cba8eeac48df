"""Replay the DCC's reference test data against the emulated hub and its virtual devices.

``replay(directory)`` runs every command of an RTDS tree whose recipient the emulator has and
returns one :class:`CaseResult` per command: ``match``, ``differ`` (with the first difference)
or ``unsupported`` (with the reason).
"""

from __future__ import annotations

from pathlib import Path

from commshub.replay.compare import IGNORED, Difference, Role, first_difference, frame_tree
from commshub.replay.corpus import Corpus, CorpusError, ReplayCase, find_corpus
from commshub.replay.report import json_lines, table, totals
from commshub.replay.runner import CaseResult, Outcome, Replayer

__all__ = [
    "IGNORED",
    "CaseResult",
    "Corpus",
    "CorpusError",
    "Difference",
    "Outcome",
    "ReplayCase",
    "Replayer",
    "Role",
    "find_corpus",
    "first_difference",
    "frame_tree",
    "json_lines",
    "replay",
    "table",
    "totals",
]


def replay(directory: str | Path) -> list[CaseResult]:
    """Replay every command of the RTDS tree at ``directory``; see the module docstring."""
    return Replayer(find_corpus(directory)).run()
