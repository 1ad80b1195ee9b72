"""`course watch` in a real pseudo-terminal: a failing file, a save that fixes it, the pass,
the move to the next exercise, and a clean Ctrl-C."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

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
            if child.expect_exact(["all checks pass: 10/10", pexpect.TIMEOUT], timeout=2) == 0:
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
