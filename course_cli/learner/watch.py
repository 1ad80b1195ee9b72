"""`course watch`: check an exercise, wait for a save, check again; on a pass, move on to the
next exercise still to do (never passed, or changed since its check). Runs until Ctrl-C.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from course_cli.grader.result import CheckResult
    from course_cli.progress import ProgressStore
    from course_cli.workspace import Workspace

DEBOUNCE_MS = 300


def next_pending(
    store: ProgressStore, workspace: Workspace | None = None, after: str | None = None
) -> str | None:
    """The first exercise (after `after`, in lesson order) still to do: not passed, or, given
    the `workspace`, with a file saved after its last check."""
    from course_cli.grader.checking import exercise_ids

    ids = exercise_ids()
    if after is not None:
        ids = ids[ids.index(after) + 1 :]
    done = store.load().get("exercises", {})
    for exercise_id in ids:
        entry = done.get(exercise_id) or {}
        if entry.get("status") != "passed":
            return exercise_id
        if workspace is not None and _changed_since_check(workspace, exercise_id, entry):
            return exercise_id
    return None


def _changed_since_check(workspace: Workspace, exercise_id: str, entry: dict[str, Any]) -> bool:
    """Whether a file of the exercise was saved after `checked_at` (whole seconds, so a save in
    the same second as the check counts as changed: one check too many, never one too few)."""
    try:
        checked = datetime.fromisoformat(str(entry.get("checked_at"))).timestamp()
    except ValueError:
        return True
    folder = workspace.exercises_dir / exercise_id
    try:
        saved = [p.stat().st_mtime for p in folder.iterdir() if p.is_file()]
    except OSError:
        return False  # no folder: `course check` says what is missing when asked
    return any(mtime >= checked for mtime in saved)


def watch_exercises(
    workspace: Workspace,
    store: ProgressStore,
    console: Console,
    render_check: Callable[[CheckResult], RenderableType],
    start: str | None = None,
) -> None:
    """Run the watch loop until the learner presses Ctrl-C, showing each check's result on
    `console` as `render_check` draws it."""
    from course_cli.grader import check_exercise
    from course_cli.learner.loop import record_check

    current = start
    if current is None:
        current = next_pending(store, workspace)
        if current is not None:
            entry = store.load().get("exercises", {}).get(current) or {}
            why = "changed since it passed" if entry.get("status") == "passed" else "not passed yet"
            console.print(f"starting with {current}, the first exercise {why}", style="muted")
    try:
        while True:
            if current is None:
                current = _watch_all(workspace, store, console)
            console.rule(f"{current} · {datetime.now():%H:%M:%S}")
            result = check_exercise(current, workspace)
            record_check(store, result)
            console.print(render_check(result))
            if result.passed:
                following = next_pending(store, workspace, current) or next_pending(
                    store, workspace
                )
                if following == current:  # saved in the very second it was checked
                    following = None
                if following is None:
                    console.print("every exercise passes: well done", style="ok")
                else:
                    console.print(f"{current} passes: moving on to {following}", style="ok")
                current = following
                continue
            folder = workspace.exercises_dir / current
            console.print(
                f"watching {_shown(folder)} for changes: a save re-checks {current} "
                "(Ctrl-C to stop)",
                style="muted",
            )
            _wait_for_save([folder])
    except KeyboardInterrupt:
        console.print("\nstopped watching", style="muted")


def _watch_all(workspace: Workspace, store: ProgressStore, console: Console) -> str:
    """Wait until a save touches some exercise's folder; that exercise's id."""
    from course_cli.grader.checking import exercise_ids

    ids = exercise_ids()
    console.print(
        f"watching all {len(ids)} exercises in {_shown(workspace.exercises_dir)}: a save "
        "re-checks the exercise it belongs to (Ctrl-C to stop)",
        style="muted",
    )
    root = workspace.exercises_dir.resolve()
    while True:
        saved = [p.resolve() for p in _wait_for_save([workspace.exercises_dir])]
        names = {
            p.relative_to(root).parts[0] for p in saved if p.is_relative_to(root) and p != root
        }
        touched = next((exercise_id for exercise_id in ids if exercise_id in names), None)
        if touched is not None:  # the first in lesson order
            return touched


def _wait_for_save(folders: list[Path]) -> list[Path]:
    """Block until something in `folders` changes; the changed paths."""
    import watchfiles

    for changes in watchfiles.watch(*folders, debounce=DEBOUNCE_MS, step=50):
        return [Path(path) for _change, path in changes]
    return []  # the watch ended without a change (it only does when stopped)


def _shown(folder: Path) -> str:
    """`folder` relative to the current directory when it is below it (shorter to read)."""
    try:
        return str(folder.resolve().relative_to(Path.cwd().resolve())) or "."
    except ValueError:
        return str(folder)
