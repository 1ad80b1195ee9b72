"""`check_exercise`: run an exercise's cases against the learner's files, and the registry of
check modules (one per exercise, in `course_cli/grader/checks/`)."""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import pkgutil
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol, cast

from course_cli.errors import UnknownExerciseError
from course_cli.grader import checks
from course_cli.grader.cases import Case, CaseFailed
from course_cli.grader.handler_files import graded_note, grades_javascript
from course_cli.grader.isolated_runner import default_runner
from course_cli.grader.result import (
    CRASHED,
    ERROR,
    FAILED,
    PASSED,
    TIMEOUT,
    CaseResult,
    CheckResult,
)
from course_cli.grader.runner import SubmissionFailed, SubmissionRunner

if TYPE_CHECKING:
    from course_cli.workspace import Workspace

# Exercise id -> its check module in course_cli.grader.checks: `ex03_fix_the_502` checks
# `03-fix-the-502`. Sorted by name, which is lesson order.
CHECK_MODULES = {
    module.name.removeprefix("ex").replace("_", "-"): module.name
    for module in sorted(pkgutil.iter_modules(checks.__path__), key=lambda module: module.name)
    if module.name.startswith("ex")
}


class CheckModule(Protocol):
    """What every check module defines. A module may also define `ACCEPTED_FILES`, the files
    graded in place of its starter's (`grader.handler_files`)."""

    EXERCISE: str
    CASES: tuple[Case, ...]

    def session(self, folder: Path, runner: SubmissionRunner) -> AbstractContextManager[Any]: ...


# Debug prints shown with a check result: enough to debug, not a log to store.
_PRINTED_CHARS = 8000


def exercise_ids() -> list[str]:
    """Every exercise that has checks, in lesson order."""
    return list(CHECK_MODULES)


def check_module(exercise_id: str) -> CheckModule:
    """The check module of `exercise_id`; `UnknownExerciseError` (exit 2) with a suggestion."""
    name = CHECK_MODULES.get(exercise_id)
    if name is None:
        raise unknown_exercise(exercise_id)
    module: ModuleType = importlib.import_module(f"course_cli.grader.checks.{name}")
    return cast("CheckModule", module)


def unknown_exercise(exercise_id: str) -> UnknownExerciseError:
    """The error for an id that names no exercise, with the closest id as a suggestion."""
    ids = exercise_ids()
    by_number = [e for e in ids if exercise_id and e.split("-", 1)[0] == exercise_id.zfill(2)]
    close = by_number or difflib.get_close_matches(exercise_id, ids, n=1, cutoff=0.4)
    hint = f"did you mean '{close[0]}'?" if close else "exercises: " + ", ".join(ids)
    return UnknownExerciseError(f"no exercise '{exercise_id}'", hint=hint)


def resolve_exercise_id(exercise_id: str) -> str:
    """The full id for `exercise_id`; a bare number (`3`, `03`) is accepted as a shortcut."""
    if exercise_id in CHECK_MODULES:
        return exercise_id
    matches = [e for e in CHECK_MODULES if exercise_id.isdigit() and e[:2] == exercise_id.zfill(2)]
    if len(matches) == 1:
        return matches[0]
    raise unknown_exercise(exercise_id)


def check_exercise(
    exercise_id: str,
    workspace: Workspace | Path,
    *,
    runner: SubmissionRunner | None = None,
    include_hidden: bool = False,
) -> CheckResult:
    """Run `exercise_id`'s cases on the workspace's `exercises/<id>/` (or the folder given);
    public cases only unless `include_hidden`. Never raises for what the learner's code does."""
    exercise_id = resolve_exercise_id(exercise_id)
    module = check_module(exercise_id)
    if isinstance(workspace, Path):  # a folder of exercises, or the exercise folder itself
        folder = workspace / exercise_id if (workspace / exercise_id).is_dir() else workspace
    else:
        folder = workspace.exercises_dir / exercise_id
    runner = runner or default_runner()
    accepted = getattr(module, "ACCEPTED_FILES", {})
    note = graded_note(folder, accepted)
    cases = [c for c in module.CASES if include_hidden or not c.hidden]
    if grades_javascript(folder, accepted):
        cases = [c.for_javascript() for c in cases]
    hidden = 0 if include_hidden else sum(c.hidden for c in module.CASES)
    started = time.perf_counter()
    try:
        results = list(_run_cases(module, folder, runner, cases))
    except SubmissionFailed as failed:
        took = time.perf_counter() - started
        not_run = not_run_result(
            exercise_id, failed.status, failed.message, include_hidden=include_hidden, cases=cases
        )
        return dataclasses.replace(not_run, duration_s=took, printed=_printed(runner), note=note)
    finally:
        runner.close()  # the workers of this check: each check starts afresh
    return CheckResult(
        exercise_id,
        _overall(results),
        tuple(results),
        time.perf_counter() - started,
        next((r.message for r in results if r.status in (ERROR, CRASHED, TIMEOUT)), None),
        hidden,
        _printed(runner),
        note,
    )


def _printed(runner: SubmissionRunner) -> str:
    """What the runner's scripts printed, kept to `_PRINTED_CHARS` (the end is cut)."""
    text = "\n".join(getattr(runner, "printed", []))
    if len(text) > _PRINTED_CHARS:
        text = text[:_PRINTED_CHARS] + f"\n… ({len(text) - _PRINTED_CHARS} more characters)"
    return text


def not_run_result(
    exercise_id: str,
    status: str,
    message: str,
    *,
    duration_s: float = 0.0,
    include_hidden: bool = True,
    cases: list[Case] | None = None,
) -> CheckResult:
    """The result of a submission none of whose cases could run: each scores 0 with `message`.
    `cases`: the cases as the check ran them (default: the module's)."""
    module = check_module(resolve_exercise_id(exercise_id))
    if cases is None:
        cases = [c for c in module.CASES if include_hidden or not c.hidden]
    hidden = 0 if include_hidden else sum(c.hidden for c in module.CASES)
    results = tuple(
        CaseResult(c.name, status, 0, c.points, "not run: " + message, c.hint, c.hidden)
        for c in cases
    )
    return CheckResult(module.EXERCISE, status, results, duration_s, message, hidden)


def _run_cases(
    module: CheckModule, folder: Path, runner: SubmissionRunner, cases: list[Case]
) -> Iterator[CaseResult]:
    with module.session(folder, runner) as shared:
        stopped: str | None = None
        for case in cases:
            if stopped is not None:
                yield CaseResult(case.name, FAILED, 0, case.points, stopped, case.hint, case.hidden)
                continue
            started = time.perf_counter()
            try:
                case.run(shared)
            except CaseFailed as failed:
                status, points, message, hint = failed.status, 0, failed.message, case.hint
            else:
                status, points, message, hint = PASSED, case.points, "", ""
            took = time.perf_counter() - started
            yield CaseResult(
                case.name, status, points, case.points, message, hint, case.hidden, took
            )
            if status in (TIMEOUT, CRASHED):
                # Each further case would wait for the same limit: say so and stop.
                what = "timed out" if status == TIMEOUT else "crashed"
                stopped = f"not run: the case '{case.name}' {what}"


def _overall(results: list[CaseResult]) -> str:
    """The worst status of the cases: error, crashed, timeout, failed, else passed."""
    statuses = {r.status for r in results}
    return next((s for s in (ERROR, CRASHED, TIMEOUT, FAILED) if s in statuses), PASSED)
