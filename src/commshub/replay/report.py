"""Render replay results: a text table with a total, or JSON lines."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable

from commshub.replay.runner import CaseResult, Outcome

__all__ = ["json_lines", "table", "totals"]

_DETAIL_WIDTH = 110


def totals(results: Iterable[CaseResult]) -> Counter[Outcome]:
    """Count the results by outcome."""
    return Counter(result.outcome for result in results)


def table(results: list[CaseResult]) -> str:
    """One line per case (outcome, use case, folder, detail), then the totals."""
    width = max((len(result.use_case) for result in results), default=10)
    folder_width = max((len(result.folder) for result in results), default=6)
    lines = []
    for result in results:
        detail = result.detail if len(result.detail) <= _DETAIL_WIDTH else result.detail[:_DETAIL_WIDTH - 3] + "..."
        lines.append(f"{result.outcome.value:<11}  {result.use_case:<{width}}  {result.folder:<{folder_width}}  "
                     f"{detail}".rstrip())
    count = totals(results)
    lines.append("")
    lines.append(f"total {len(results)}: " + ", ".join(
        f"{count[outcome]} {outcome.value}" for outcome in Outcome))
    return "\n".join(lines)


def json_lines(results: Iterable[CaseResult]) -> str:
    """One JSON object per case: use_case, folder, outcome, detail."""
    return "\n".join(json.dumps(result.to_json(), sort_keys=False) for result in results)
