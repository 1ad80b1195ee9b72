"""Renderers for the exercise loop: a check's case table, hints, reset and solutions."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from course_cli.grader.result import CheckResult
    from course_cli.learner.loop import HintView, ResetResult

_MARK = {"passed": ("✓", "ok"), "failed": ("✗", "fail")}


def render_check(result: CheckResult, next_exercise: str | None = None) -> RenderableType:
    """One row per case (✓/✗, points, what was expected and what happened), then the score;
    after a pass, that the exercise is done and what comes next (`next_exercise`, if given)."""
    table = Table(title=f"course check {result.exercise}", title_justify="left", show_lines=True)
    table.add_column("", no_wrap=True)
    # Narrow columns fold a long identifier onto the next line instead of cutting it with "…".
    table.add_column("case", overflow="fold")
    table.add_column("points", justify="right", no_wrap=True)
    table.add_column("what happened", overflow="fold")
    for case in result.cases:
        mark, style = _MARK.get(case.status, ("✗", "fail"))
        detail = Text(case.message or "as expected", style="" if case.message else "muted")
        if case.hint and not case.passed:
            detail.append(f"\nhint: {case.hint}", style="hint")
        table.add_row(
            Text(mark, style=style),
            escape(case.name) + (" (hidden)" if case.hidden else ""),
            f"{case.points}/{case.max_points}",
            detail,
        )
    parts: list[RenderableType] = [table]
    if result.note:
        parts.append(Text(result.note, style="muted"))
    if result.printed:
        parts.append(Text("what your code printed while it was checked:", style="muted"))
        parts.append(Text(result.printed))
    if result.message and result.status in ("error", "timeout", "crashed"):
        parts.append(Text(f"{result.status}: {result.message}", style="fail"))
    took = f"  ({result.duration_s:.2f} s)"
    if result.passed:
        parts += _done(result, took, next_exercise)
    else:
        parts.append(Text(result.summary() + took, style="fail"))
        parts.append(Text(f"stuck? course hint {result.exercise}", style="hint"))
    return Group(*parts)


def _done(result: CheckResult, took: str, next_exercise: str | None) -> list[RenderableType]:
    """The done signal: passed, what a hidden check means, the solution, the next exercise."""
    lines: list[RenderableType] = [
        Text(
            f"Done: {result.exercise} passes every check ({result.score}/{result.max_score})."
            + took,
            style="ok",
        )
    ]
    if result.hidden_cases:
        checks = "check" if result.hidden_cases == 1 else "checks"
        lines.append(
            Text(
                f"Your instructor's grading adds {result.hidden_cases} hidden {checks} on the "
                "same rules, so there is nothing more to do here.",
                style="muted",
            )
        )
    lines.append(
        Text.assemble(
            "compare with the reference: ", (f"course solution {result.exercise}", "command")
        )
    )
    if next_exercise is not None:
        lines.append(Text.assemble("next exercise: ", (f"course check {next_exercise}", "command")))
    return lines


def check_html(result: CheckResult) -> str:
    """The same table for a notebook."""
    rows = "".join(
        f"<tr><td>{'✓' if c.passed else '✗'}</td><td>{html.escape(c.name)}</td>"
        f"<td>{c.points}/{c.max_points}</td><td>{html.escape(c.message or 'as expected')}</td></tr>"
        for c in result.cases
    )
    return (
        f"<div><b>course check {html.escape(result.exercise)}</b>: "
        f"{html.escape(result.summary())}<table><tr><th></th><th>case</th><th>points</th>"
        f"<th>what happened</th></tr>{rows}</table></div>"
    )


def render_hint(view: HintView) -> RenderableType:
    """Every hint level shown so far, the newest last, and the last check's finding."""
    parts: list[RenderableType] = []
    for level, hint in enumerate(view.hints, start=1):
        parts.append(Text.assemble((f"hint {level}/{view.total}: ", "heading"), hint))
        if level == 2 and view.last_failure:
            parts.append(
                Text(
                    f"  your last check failed at '{view.last_failure.get('case')}': "
                    f"{view.last_failure.get('message')}",
                    style="hint",
                )
            )
    if view.level >= view.total and view.passed:
        parts.append(
            Text(
                "that was the last hint; you passed: compare with the reference, "
                f"course solution {view.exercise}",
                "muted",
            )
        )
    elif view.level >= view.total:
        parts.append(Text("that was the last hint; the solution opens once you pass", "muted"))
    else:
        parts.append(Text(f"more: course hint {view.exercise}", style="muted"))
    return Group(*parts)


def render_reset(result: ResetResult) -> RenderableType:
    """What was restored and where the learner's versions went."""
    if not result.restored:
        return Text(f"{result.exercise} already holds the starter files; nothing changed", "muted")
    parts: list[RenderableType] = [
        Text(f"restored the starter of {result.exercise}: {path.name}", style="ok")
        for path in result.restored
    ]
    parts += [Text(f"your version is saved as {path}", style="hint") for path in result.backups]
    return Group(*parts)


def render_solution(files: list[tuple[str, str]]) -> RenderableType:
    """The reference files, syntax-highlighted."""
    lexers = {".py": "python", ".vtl": "velocity", ".mjs": "javascript", ".js": "javascript"}
    parts: list[RenderableType] = []
    for name, text in files:
        lexer = lexers.get(name[name.rfind(".") :], "text")
        parts.append(Text(name, style="heading"))
        parts.append(Syntax(text, lexer, line_numbers=True, word_wrap=True))
    return Group(*parts)
