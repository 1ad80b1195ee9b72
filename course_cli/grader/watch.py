"""`course watch`: check an exercise, wait for a save, check again; on a pass, move on to the
next exercise not yet passed. Ctrl-C ends it cleanly."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from course_cli.progress import ProgressStore
    from course_cli.workspace import Workspace


def next_pending(store: ProgressStore, after: str | None = None) -> str | None:
    """The first exercise (after `after`, in lesson order) that has not passed."""
    from course_cli.grader.checking import exercise_ids

    ids = exercise_ids()
    if after is not None:
        ids = ids[ids.index(after) + 1 :]
    done = store.load().get("exercises", {})
    return next((e for e in ids if (done.get(e) or {}).get("status") != "passed"), None)


def watch_exercises(
    workspace: Workspace, store: ProgressStore, console: Console, start: str | None = None
) -> None:
    """Run the watch loop until every exercise passes or the learner presses Ctrl-C."""
    import watchfiles

    from course_cli.grader import check_exercise
    from course_cli.grader.loop import record_check

    current = start or next_pending(store)
    try:
        while current is not None:
            console.rule(f"{current} · {datetime.now():%H:%M:%S}")
            result = check_exercise(current, workspace)
            record_check(store, result)
            console.print(result)
            if result.passed:
                following = next_pending(store, current)
                if following is None:
                    console.print("every exercise passes: well done", style="ok")
                    return
                console.print(f"{current} passes: moving on to {following}", style="ok")
                current = following
                continue
            folder = workspace.exercises_dir / current
            console.print(f"watching {folder} for changes (Ctrl-C to stop)", style="muted")
            for _changes in watchfiles.watch(folder, debounce=300, step=50):
                break
    except KeyboardInterrupt:
        console.print("\nstopped watching", style="muted")
