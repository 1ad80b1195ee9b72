"""A learner's debug prints in the scripts a check runs (`answers.py`, `deploy.py`) are shown
with the result, in the terminal view and in `course check --json`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from course_cli.grader.checking import check_exercise
from course_cli.grader.result import CheckResult

ROOT = Path(__file__).resolve().parents[2]
EXERCISE = "01-integration-types"


def _printing_solution(folder: Path) -> Path:
    shutil.copytree(ROOT / "solutions" / EXERCISE, folder)
    answers = folder / "answers.py"
    answers.write_text('print("debug: my choices are ready")\n' + answers.read_text())
    return folder


def test_what_a_script_printed_comes_back_with_the_result(tmp_path: Path) -> None:
    result = check_exercise(EXERCISE, _printing_solution(tmp_path / EXERCISE))
    assert result.passed
    assert result.printed == "answers.py:\ndebug: my choices are ready"
    again = CheckResult.from_json(json.loads(json.dumps(result.to_json())))
    assert again.printed == result.printed


@pytest.mark.slow
def test_course_check_shows_the_prints_in_the_terminal_and_in_json(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    env = {**os.environ, "COURSE_HOME": str(tmp_path / "home"), "COLUMNS": "100"}
    course = [sys.executable, "-m", "course_cli"]
    subprocess.run([*course, "init", str(workspace)], env=env, check=True, capture_output=True)
    target = workspace / "exercises" / EXERCISE
    shutil.rmtree(target)
    _printing_solution(target)
    shown = subprocess.run(
        [*course, "check", EXERCISE], cwd=workspace, env=env, capture_output=True, text=True
    )
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "what your code printed while it was checked:" in shown.stdout
    assert "debug: my choices are ready" in shown.stdout
    as_json = subprocess.run(
        [*course, "check", EXERCISE, "--json"], cwd=workspace, env=env, capture_output=True
    )
    assert "debug: my choices are ready" in json.loads(as_json.stdout)["printed"]
