"""What a check says about a submission: one `CheckResult` holding one `CaseResult` per case.

`status` is `passed`, `failed`, `error` (the submission could not load), `timeout` or
`crashed` (it exited or killed its process); `message` explains a whole-submission failure.
`CheckResult.to_json` is `course check --json`'s document.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Final

PASSED: Final = "passed"
FAILED: Final = "failed"
ERROR: Final = "error"
TIMEOUT: Final = "timeout"
CRASHED: Final = "crashed"
STATUSES: Final = (PASSED, FAILED, ERROR, TIMEOUT, CRASHED)


@dataclass(frozen=True)
class CaseResult:
    """One named case: its points and, when it failed, what was expected and what happened."""

    name: str
    status: str
    points: int
    max_points: int
    message: str = ""
    hint: str = ""
    hidden: bool = False
    duration_s: float = 0.0  # how long the case ran (`course grade` shows the slowest)

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CaseResult:
        """The case `to_json` described (`course grade --resume` reads its own results)."""
        return cls(
            name=str(data["name"]),
            status=str(data["status"]),
            points=int(data["points"]),
            max_points=int(data["max_points"]),
            message=str(data.get("message") or ""),
            hint=str(data.get("hint") or ""),
            hidden=bool(data.get("hidden", False)),
            duration_s=float(data.get("duration_s", 0.0)),
        )

    def to_json(self) -> dict[str, Any]:
        """The case as `course check --json` prints it."""
        fields = asdict(self)
        fields["duration_s"] = round(self.duration_s, 3)
        return {"name": self.name, "status": self.status, "passed": self.passed, **fields}


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one exercise."""

    exercise: str
    status: str
    cases: tuple[CaseResult, ...] = ()
    duration_s: float = 0.0
    message: str | None = None  # why the whole submission failed (error, timeout, crashed)
    hidden_cases: int = 0  # cases not run by `course check`, run at grading
    # What the learner's scripts printed while checked (`deploy.py`'s debug prints), capped.
    printed: str = ""
    # Which file was graded when it is not the starter's ("graded handler.mjs ..."), else "".
    note: str = ""

    @property
    def score(self) -> int:
        return sum(case.points for case in self.cases)

    @property
    def max_score(self) -> int:
        return sum(case.max_points for case in self.cases)

    @property
    def passed(self) -> bool:
        """Whether every case that ran passed."""
        return self.status == PASSED

    @property
    def first_failure(self) -> CaseResult | None:
        """The first case that did not pass (what hint level 2 points at)."""
        return next((case for case in self.cases if not case.passed), None)

    def summary(self) -> str:
        """One line: the status in words, the score, and honesty about hidden cases."""
        if self.status == PASSED:
            line = f"all checks pass: {self.score}/{self.max_score}"
            if self.hidden_cases:
                hidden = f"{self.hidden_cases} hidden {_plural(self.hidden_cases, 'check')}"
                line += f" (grading adds {hidden} on the same rules)"
            return line
        failed = sum(not case.passed for case in self.cases)
        words = {
            FAILED: f"{failed} of {len(self.cases)} {_plural(len(self.cases), 'check')} failed",
            ERROR: "your file could not be loaded",
            TIMEOUT: "your code ran past its time limit",
            CRASHED: "your code stopped the process",
        }
        return f"{words.get(self.status, self.status)}: {self.score}/{self.max_score}"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckResult:
        """The result `to_json` described; `KeyError`/`ValueError`/`TypeError` if it is not
        one."""
        status = str(data["status"])
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        return cls(
            exercise=str(data["exercise"]),
            status=status,
            cases=tuple(CaseResult.from_json(case) for case in data["cases"]),
            duration_s=float(data.get("duration_s", 0.0)),
            message=data.get("message"),
            hidden_cases=int(data.get("hidden_cases", 0)),
            printed=str(data.get("printed") or ""),
            note=str(data.get("note") or ""),
        )

    def to_json(self) -> dict[str, Any]:
        """The document `course check --json` prints (see the module docstring)."""
        return {
            "exercise": self.exercise,
            "status": self.status,
            "score": self.score,
            "max_score": self.max_score,
            "duration_s": round(self.duration_s, 3),
            "message": self.message,
            "hidden_cases": self.hidden_cases,
            "cases": [case.to_json() for case in self.cases],
            **({"printed": self.printed} if self.printed else {}),
            **({"note": self.note} if self.note else {}),
        }


def _plural(count: int, word: str) -> str:
    return word if count == 1 else word + "s"
