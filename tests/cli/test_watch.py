"""`course watch` in a real pseudo-terminal: a failing file, a save that fixes it, the pass,
the move to the next exercise, and a clean Ctrl-C; without an id, what it watches once every
exercise passed."""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pexpect
import pytest

from course_cli.workspace import bundled_dir, init_workspace
from tests.conftest import course_subprocess_env


@pytest.mark.slow
def test_watch_rechecks_on_save_and_moves_on(tmp_path: Path, course_home: Path) -> None:
    root = init_workspace(tmp_path / "ws").root
    env = course_subprocess_env(course_home)
    env.update({"TERM": "xterm", "COLUMNS": "120", "LINES": "40", "NO_COLOR": "1"})
    child = pexpect.spawn(
        sys.executable,
        ["-m", "course_cli", "watch", "01-integration-types"],
        cwd=str(root),
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 120),
    )
    try:
        child.expect_exact("10 of 10 checks failed")
        child.expect_exact("watching")
        answers = root / "exercises" / "01-integration-types" / "answers.py"
        solution = bundled_dir("solutions") / "01-integration-types" / "answers.py"
        # "watching" is printed just before the watcher starts: save until it sees the change.
        for _ in range(10):
            time.sleep(0.5)
            shutil.copy(solution, answers)
            if child.expect_exact(["passes every check (10/10)", pexpect.TIMEOUT], timeout=2) == 0:
                break
        else:
            pytest.fail("course watch never re-checked after the save")
        child.expect_exact("01-integration-types passes: moving on to 02-proxy-event")
        child.expect_exact("course check 02-proxy-event")  # the next exercise's table
        child.expect_exact("watching")
        child.sendintr()
        child.expect_exact("stopped watching")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0


def _all_passed(course_home: Path, checked_at: datetime) -> None:
    """A progress file saying every exercise passed, at `checked_at`."""
    from course_cli.grader.checking import exercise_ids
    from course_cli.progress import ProgressStore

    def change(data: dict[str, Any]) -> None:
        for exercise_id in exercise_ids():
            data["exercises"][exercise_id] = {
                "status": "passed",
                "score": 1,
                "max_score": 1,
                "passed_once": True,
                "hints_shown": 0,
                "checked_at": checked_at.isoformat(timespec="seconds"),
            }

    ProgressStore(course_home / "progress.json").update(change)


def _save_until(child: pexpect.spawn, save: Callable[[], None], expected: str) -> None:
    """Save (again) until `course watch` shows `expected`: the watcher starts just after it says
    what it watches, so the first save may come too early."""
    for _ in range(10):
        time.sleep(0.5)
        save()
        if child.expect_exact([expected, pexpect.TIMEOUT], timeout=3) == 0:
            return
    pytest.fail(f"course watch never showed {expected!r} after the save")


@pytest.mark.slow
def test_watch_without_an_id_watches_everything_once_all_passed(
    tmp_path: Path, course_home: Path
) -> None:
    root = init_workspace(tmp_path / "ws").root
    _all_passed(course_home, datetime.now(UTC))
    env = course_subprocess_env(course_home)
    env.update({"TERM": "xterm", "COLUMNS": "120", "LINES": "40", "NO_COLOR": "1"})
    child = pexpect.spawn(
        sys.executable,
        ["-m", "course_cli", "watch"],
        cwd=str(root),
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 120),
    )
    handler = root / "exercises" / "02-proxy-event" / "handler.py"
    starter = handler.read_text()
    solved = (bundled_dir("solutions") / "02-proxy-event" / "handler.py").read_text()
    try:
        child.expect_exact("watching all 8 exercises in exercises")
        # The learner breaks a file that had passed: the save re-checks that exercise.
        _save_until(child, lambda: handler.write_text(starter), "course check 02-proxy-event")
        child.expect_exact("failed")
        child.expect_exact("watching exercises/02-proxy-event for changes")
        _save_until(child, lambda: handler.write_text(solved), "Done: 02-proxy-event passes")
        child.expect_exact("every exercise passes")
        child.expect_exact("watching all 8 exercises")
        child.sendintr()
        child.expect_exact("stopped watching")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0


def test_an_exercise_saved_after_it_passed_is_to_do_again(
    tmp_path: Path, course_home: Path
) -> None:
    from course_cli.learner.watch import next_pending
    from course_cli.progress import ProgressStore
    from course_cli.workspace import Workspace

    root = init_workspace(tmp_path / "ws").root
    workspace = Workspace(root, "workspace")
    store = ProgressStore(course_home / "progress.json")
    _all_passed(course_home, datetime.now(UTC) - timedelta(seconds=5))
    assert next_pending(store, workspace) is None
    (root / "exercises" / "03-fix-the-502" / "handler.py").write_text("# broken again\n")
    assert next_pending(store, workspace) == "03-fix-the-502"
    assert next_pending(store) is None  # without the workspace only the record counts
    assert next_pending(store, workspace, after="03-fix-the-502") is None
