"""The learner's loop around the grader: record a check in progress, escalating hints, reset
to the starter with a backup, and the reference solution once the exercise has passed.
A `practice` check (other code, e.g. a notebook cell) is kept apart and never undoes a pass.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from course_cli.errors import CourseError, WorkspaceError

if TYPE_CHECKING:
    from course_cli.content.model import Exercise
    from course_cli.grader.result import CheckResult
    from course_cli.progress import ProgressStore
    from course_cli.workspace import Workspace

BACKUP_DIR = ".course-backups"


def record_check(store: ProgressStore, result: CheckResult, *, practice: bool = False) -> None:
    """Save a check's outcome (what `course status` shows): a check of the workspace's file
    is the record, a worse one included; a `practice` check (other code) replaces it only
    when better, so practising never demotes an exercise."""

    def change(data: dict[str, Any]) -> None:
        entry = data["exercises"].setdefault(result.exercise, {})
        outcome = {"status": result.status, "score": result.score, "max_score": result.max_score}
        outcome["checked_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        entry.setdefault("hints_shown", 0)
        if practice:
            entry["practice"] = dict(outcome)
            if not _better(result, entry):
                return
        failure = result.first_failure
        entry.update(
            outcome,
            passed_once=bool(entry.get("passed_once")) or result.passed,
            last_failure=(
                {"case": failure.name, "message": failure.message} if failure is not None else None
            ),
        )

    store.update(change)


def _better(result: CheckResult, entry: dict[str, Any]) -> bool:
    """Whether `result` beats the recorded check: a pass beats anything, then the higher score."""
    if "status" not in entry or entry.get("status") == "not started":
        return True
    recorded_passed = entry.get("status") == "passed"
    score = entry.get("score")
    recorded_score = score if isinstance(score, int) else -1
    return (result.passed, result.score) > (recorded_passed, recorded_score)


@dataclass(frozen=True)
class HintView:
    """Hints shown so far (1-based `level` is the newest), and what the last check found."""

    exercise: str
    hints: tuple[str, ...]  # every level shown so far, oldest first
    total: int
    last_failure: dict[str, Any] | None
    passed: bool = False  # the exercise has passed once: its solution is open

    @property
    def level(self) -> int:
        return len(self.hints)

    def to_json(self) -> dict[str, Any]:
        return {
            "exercise": self.exercise,
            "level": self.level,
            "levels": self.total,
            "hints": list(self.hints),
            "last_failure": self.last_failure,
            "passed": self.passed,
        }


def next_hint(
    store: ProgressStore, exercise: Exercise, *, show_all: bool = False, javascript: bool = False
) -> HintView:
    """Show one more hint level (all of them with `show_all`) and remember it; in JavaScript's
    words with `javascript`, where the exercise has them."""
    hints = exercise.js_hints if javascript and exercise.js_hints else exercise.hints
    total = len(hints)

    def change(data: dict[str, Any]) -> None:
        entry = data["exercises"].setdefault(exercise.id, {"status": "not started"})
        before = int(entry.get("hints_shown", 0) or 0)
        entry["hints_shown"] = total if show_all else min(before + 1, total)

    entry = store.update(change)["exercises"][exercise.id]
    failure = entry.get("last_failure")
    return HintView(
        exercise.id,
        hints[: entry["hints_shown"]],
        total,
        failure if isinstance(failure, dict) else None,
        bool(entry.get("passed_once")),
    )


@dataclass(frozen=True)
class ResetResult:
    """Files put back to the starter, and where the learner's versions were saved."""

    exercise: str
    restored: tuple[Path, ...]
    backups: tuple[Path, ...]


def reset_exercise(workspace: Workspace, exercise: Exercise) -> ResetResult:
    """Copy the shipped starter files (`starter_file`) back over the learner's, after saving
    each changed file under `<workspace>/.course-backups/<exercise>/<time>/`. Never deletes."""
    from course_cli.workspace import starter_file

    starters = {name: starter_file(workspace, exercise.id, name) for name in exercise.files}
    target = workspace.exercises_dir / exercise.id
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    backup_dir = workspace.root / BACKUP_DIR / exercise.id / stamp
    restored: list[Path] = []
    backups: list[Path] = []
    try:
        target.mkdir(parents=True, exist_ok=True)
        for name in exercise.files:
            starter, mine = starters[name], target / name
            if mine.is_file():
                if mine.read_bytes() == starter:
                    continue
                backup_dir.mkdir(parents=True, exist_ok=True)
                shutil.copy2(mine, backup_dir / name)
                backups.append(backup_dir / name)
            mine.write_bytes(starter)
            restored.append(mine)
    except OSError as error:
        raise WorkspaceError(
            f"cannot reset {exercise.id}: {error.strerror} ({error.filename})",
            hint="your files are unchanged unless a backup is listed above",
        ) from None
    return ResetResult(exercise.id, tuple(restored), tuple(backups))


def solution_files(store: ProgressStore, exercise: Exercise) -> list[tuple[str, str]]:
    """The reference files, as (name, text); refused until the exercise has passed once."""
    from course_cli.workspace import bundled_dir

    # The store's documents are validated: every exercise entry is an object.
    if not store.load()["exercises"].get(exercise.id, {}).get("passed_once"):
        raise CourseError(
            f"the solution of {exercise.id} opens once your own version passes",
            hint=f"run `course check {exercise.id}`; stuck? `course hint {exercise.id}`",
        )
    folder = bundled_dir("solutions") / exercise.id
    files = [(name, (folder / name).read_text(encoding="utf-8")) for name in exercise.files]
    # The same answer in JavaScript, for the exercises that also grade a handler.mjs.
    javascript = bundled_dir("solutions") / "javascript" / exercise.id
    if javascript.is_dir():
        files += [(p.name, p.read_text(encoding="utf-8")) for p in sorted(javascript.iterdir())]
    return files
