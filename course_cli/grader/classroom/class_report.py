"""What `course grade` knows about a class: one `GradedSubmission` per learner, gathered in a
`ClassReport`, and the numbers an instructor reads first (`ClassSummary`, derived, never
stored, so a report is the same however many `--resume` runs graded it).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from course_cli.grader.result import STATUSES, CheckResult


@dataclass(frozen=True)
class GradedSubmission:
    """One learner's graded submission."""

    learner: str
    result: CheckResult
    source: str = ""  # where it was found, relative to what was graded ("alice/handler.py")
    digest: str = ""  # "sha256:<hex>" of the files graded (`--resume` regrades a changed one)

    @property
    def score(self) -> int:
        return self.result.score

    @property
    def max_score(self) -> int:
        return self.result.max_score

    @property
    def status(self) -> str:
        return self.result.status

    def to_json(self) -> dict[str, Any]:
        """The submission as one line of `results.jsonl` (see the module docstring)."""
        return {
            "learner": self.learner,
            "source": self.source,
            "digest": self.digest,
            **self.result.to_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GradedSubmission:
        """The submission `to_json` described; `KeyError`/`ValueError`/`TypeError` if not."""
        learner = data["learner"]
        if not isinstance(learner, str) or not learner:
            raise ValueError("no learner name")
        return cls(
            learner=learner,
            result=CheckResult.from_json(data),
            source=str(data.get("source", "")),
            digest=str(data.get("digest", "")),
        )


@dataclass(frozen=True)
class CaseSummary:
    """How the class did on one case."""

    name: str
    max_points: int
    passed: int  # learners who passed it
    graded: int  # learners whose grading reached it (ran or was counted)

    @property
    def pass_rate(self) -> float:
        """Share of learners who passed it, 0..1 (0 when nobody was graded)."""
        return self.passed / self.graded if self.graded else 0.0


@dataclass(frozen=True)
class ClassSummary:
    """The numbers for the whole class."""

    learners: int
    max_score: int
    statuses: dict[str, int]  # every status, in `STATUSES` order, with 0 for none
    mean_score: float
    median_score: float
    cases: tuple[CaseSummary, ...]  # in the order the exercise runs them
    histogram: tuple[tuple[int, int], ...]  # (score, learners with it) for 0..max_score

    @property
    def hardest_case(self) -> CaseSummary | None:
        """The case with the lowest pass rate (the first such one), if any case ran."""
        graded = [case for case in self.cases if case.graded]
        return min(graded, key=lambda case: case.pass_rate) if graded else None

    def to_json(self) -> dict[str, Any]:
        """The `summary` object of `results.json`."""
        return {
            "learners": self.learners,
            "max_score": self.max_score,
            "statuses": dict(self.statuses),
            "mean_score": round(self.mean_score, 3),
            "median_score": self.median_score,
            "cases": [
                {**asdict(case), "pass_rate": round(case.pass_rate, 4)} for case in self.cases
            ],
            "histogram": [{"score": score, "learners": n} for score, n in self.histogram],
        }


@dataclass(frozen=True)
class ClassReport:
    """Every graded submission of one exercise, sorted by learner name."""

    exercise: str
    submissions: tuple[GradedSubmission, ...]
    # The boundary the submissions ran behind: "namespaces", "uid" or "none".
    isolation: str = "none"

    @classmethod
    def of(
        cls, exercise: str, submissions: list[GradedSubmission], isolation: str = "none"
    ) -> ClassReport:
        """The report for these submissions; a learner graded more than once keeps the last."""
        latest = {s.learner: s for s in submissions}
        return cls(exercise, tuple(by_learner(latest.values())), isolation)

    def summary(self) -> ClassSummary:
        """The class numbers (see `ClassSummary`)."""
        subs = self.submissions
        max_score = max((s.max_score for s in subs), default=0)
        counts = Counter(s.status for s in subs)
        scores = [s.score for s in subs]
        case_order: dict[str, int] = {}
        passed: Counter[str] = Counter()
        graded: Counter[str] = Counter()
        for sub in subs:
            for case in sub.result.cases:
                case_order.setdefault(case.name, case.max_points)
                graded[case.name] += 1
                passed[case.name] += case.passed
        by_score = Counter(scores)
        return ClassSummary(
            learners=len(subs),
            max_score=max_score,
            statuses={status: counts.get(status, 0) for status in STATUSES},
            mean_score=statistics.fmean(scores) if scores else 0.0,
            median_score=statistics.median(scores) if scores else 0,
            cases=tuple(
                CaseSummary(name, points, passed[name], graded[name])
                for name, points in case_order.items()
            ),
            histogram=tuple((score, by_score.get(score, 0)) for score in range(max_score + 1)),
        )

    def to_json(self) -> dict[str, Any]:
        """`results.json`: `{"exercise", "isolation", "submissions": [...], "summary"}`."""
        return {
            "exercise": self.exercise,
            "isolation": self.isolation,
            "submissions": [s.to_json() for s in self.submissions],
            "summary": self.summary().to_json(),
        }


def by_learner(subs: Iterable[GradedSubmission]) -> list[GradedSubmission]:
    """`subs` by learner name: case-insensitive first ("bob" between "Alice" and "Carol"),
    then exact, to be total."""
    return sorted(subs, key=lambda sub: (sub.learner.casefold(), sub.learner))
