"""The report of a scenario: a timeline of steps, each with the checks that decided it.

A step passes only when every check in it passed, and a check states an outcome the bench
observed (a decoded and verified response, an alert received, a status value, an audit
record), never what the script intended.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = ["Check", "Report", "StepResult"]


@dataclass(frozen=True)
class Check:
    """One observed outcome: what was checked, whether it held, and what was seen."""

    text: str
    passed: bool
    seen: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"check": self.text, "passed": self.passed, "seen": self.seen}


@dataclass
class StepResult:
    """One step of the timeline; ``started``/``ended`` on the service's clock (Unix seconds)."""

    name: str
    title: str
    started: float
    ended: float = 0.0
    real_seconds: float = 0.0
    checks: list[Check] = field(default_factory=list)
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and bool(self.checks) and all(c.passed for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        return {"step": self.name, "title": self.title, "passed": self.passed,
                "started": _iso(self.started), "ended": _iso(self.ended),
                "real_seconds": round(self.real_seconds, 3), "error": self.error,
                "checks": [check.to_json() for check in self.checks]}


@dataclass
class Report:
    """The whole scenario: its name, the steps in order and the files it wrote."""

    scenario: str
    steps: list[StepResult] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return bool(self.steps) and all(step.passed for step in self.steps)

    def to_json(self) -> dict[str, Any]:
        return {"scenario": self.scenario, "passed": self.passed,
                "steps": [step.to_json() for step in self.steps], "files": dict(self.files)}

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2)

    def render(self) -> str:
        """Render the timeline as text: one line per step, its checks indented below it."""
        lines = [f"scenario {self.scenario}"]
        for number, step in enumerate(self.steps, start=1):
            verdict = "PASS" if step.passed else "FAIL"
            lines.append(f"{number:2d}. {verdict}  {_iso(step.started)}  {step.title}")
            for check in step.checks:
                mark = "ok " if check.passed else "NOT"
                seen = f" ({check.seen})" if check.seen else ""
                lines.append(f"         {mark} {check.text}{seen}")
            if step.error:
                lines.append(f"         error: {step.error}")
        passed = sum(step.passed for step in self.steps)
        lines.append(f"{passed} of {len(self.steps)} steps passed")
        for what, path in self.files.items():
            lines.append(f"{what}: {path}")
        return "\n".join(lines)


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
