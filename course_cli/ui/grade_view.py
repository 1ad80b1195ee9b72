"""What `course grade` shows: progress while it grades, then the class at a glance.

`GradeProgress`: a progress bar on a terminal, one plain line per submission otherwise (a CI
log). `render_class_report`: a row per learner, each case's pass rate, the score histogram.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from course_cli.grader.classroom.batch import GradeListener

if TYPE_CHECKING:
    from course_cli.grader.classroom.batch import BatchResult
    from course_cli.grader.classroom.class_report import ClassReport, ClassSummary, GradedSubmission

_STATUS_STYLE = {
    "passed": "ok",
    "failed": "fail",
    "error": "error",
    "timeout": "warning",
    "crashed": "error",
}
_BAR_WIDTH = 24


class GradeProgress(Progress, GradeListener):
    """Progress of a batch on `console` (stderr): a live bar, or plain lines when piped."""

    def __init__(self, console: Console) -> None:
        super().__init__(
            TextColumn("grading"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TextColumn("[ok]{task.fields[passed]} passed"),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        self.total = 0
        self.done = 0
        self.passed = 0
        self.task: TaskID | None = None

    def started(self, total: int, to_grade: int) -> None:
        self.total = to_grade
        reused = total - to_grade
        if reused:
            self.console.print(
                f"[muted]{reused} of {total} already graded (--resume); grading {to_grade}[/]"
            )
        self.task = self.add_task("grading", total=to_grade, rate="", passed=0)

    def graded(self, graded: GradedSubmission) -> None:
        self.done += 1
        self.passed += graded.result.passed
        if self.task is not None:
            elapsed = self.tasks[0].elapsed or 0.0
            # Not before a second has passed: the first results (a submission that cannot be
            # graded is one at once) would promise a rate the rest never keeps.
            rate = f"{self.done / elapsed:.1f}/s" if elapsed >= 1.0 else ""
            self.update(self.task, advance=1, rate=rate, passed=self.passed)
        if self.disable:  # not a terminal: one plain line per submission
            width = len(str(self.total))
            self.console.print(
                f"[{self.done:>{width}}/{self.total}] {escape(graded.learner)}: "
                f"[{_STATUS_STYLE.get(graded.status, 'fail')}]{graded.status}[/] "
                f"{graded.score}/{graded.max_score} ({graded.result.duration_s:.1f} s)",
                soft_wrap=True,
            )


def render_class_report(batch: BatchResult) -> RenderableType:
    """The class at a glance (see the module docstring)."""
    report = batch.report
    summary = report.summary()
    parts: list[RenderableType] = [_learners_table(report)]
    if summary.cases:
        parts.append(_cases_table(summary))
    if summary.learners > 1:
        parts.append(_histogram(summary))
    counts = ", ".join(f"{n} {status}" for status, n in summary.statuses.items() if n)
    line = Text(
        f"{summary.learners} graded ({counts}); mean {summary.mean_score:.1f}/"
        f"{summary.max_score}, median {summary.median_score:g}",
        style="heading",
    )
    if batch.reused:
        line.append(f"  ({batch.reused} from the earlier run)", style="muted")
    line.append(f"  in {batch.elapsed_s:.1f} s", style="muted")
    parts.append(line)
    return Group(*parts)


def _learners_table(report: ClassReport) -> Table:
    table = Table(title=f"course grade {report.exercise}", title_justify="left")
    table.add_column("learner", max_width=28)
    table.add_column("status", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("time", justify="right", no_wrap=True)
    table.add_column("slowest case", max_width=30)
    table.add_column("first problem", ratio=1)
    for sub in report.submissions:
        result = sub.result
        slowest = max(result.cases, key=lambda case: case.duration_s, default=None)
        problem = result.message or next(
            (case.name + ": " + case.message for case in result.cases if not case.passed), ""
        )
        table.add_row(
            escape(sub.learner),
            Text(sub.status, style=_STATUS_STYLE.get(sub.status, "fail")),
            f"{sub.score}/{sub.max_score}",
            f"{result.duration_s:.1f} s",
            Text(
                f"{_shorten(slowest.name, 22)} {slowest.duration_s:.2f} s"
                if slowest is not None and slowest.duration_s > 0
                else "",
                style="muted",
            ),
            Text(_shorten(problem, 80)),
        )
    return table


def _cases_table(summary: ClassSummary) -> Table:
    hardest = summary.hardest_case
    table = Table(title="cases across the class", title_justify="left")
    table.add_column("case")
    table.add_column("passed", justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
    table.add_column("rate", justify="right", no_wrap=True)
    for case in summary.cases:
        name = Text(case.name)
        if hardest is not None and case is hardest and case.pass_rate < 1:
            name.append("  ← the class struggles here", style="warning")
        table.add_row(
            name,
            f"{case.passed}/{case.graded}",
            _bar(case.pass_rate, "ok"),
            f"{case.pass_rate:.0%}",
        )
    return table


def _histogram(summary: ClassSummary) -> Table:
    most = max((n for _, n in summary.histogram), default=0)
    table = Table(title="score distribution", title_justify="left", show_header=False, box=None)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("bar", no_wrap=True)
    table.add_column("learners", justify="right", no_wrap=True)
    for score, learners in summary.histogram:
        table.add_row(
            f"{score}/{summary.max_score}",
            _bar(learners / most if most else 0, "heading"),
            str(learners),
        )
    return table


def _bar(fraction: float, style: str) -> Text:
    filled = round(max(0.0, min(1.0, fraction)) * _BAR_WIDTH)
    bar = Text("█" * filled, style=style)
    bar.append("·" * (_BAR_WIDTH - filled), style="muted")
    return bar


def _shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
