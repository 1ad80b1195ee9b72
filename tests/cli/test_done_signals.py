"""What `course check` and `course hint` say once an exercise passes, and hints at 80 columns:
wrapped (an identifier folds onto the next line), never cut with "…"."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from course_cli.grader.checks import ex06_crud_handler
from course_cli.workspace import bundled_dir, init_workspace
from tests.conftest import CliResult

Run = Callable[..., CliResult]
EXERCISE = "02-proxy-event"


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = init_workspace(tmp_path / "ws").root
    monkeypatch.chdir(root)
    yield root


def _solve(root: Path, exercise: str = EXERCISE) -> None:
    for path in (bundled_dir("solutions") / exercise).iterdir():
        shutil.copy(path, root / "exercises" / exercise / path.name)


@pytest.mark.slow
def test_a_pass_says_done_and_what_comes_next(workspace: Path, run_cli: Run) -> None:
    _solve(workspace)
    result = run_cli("check", EXERCISE)
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert f"Done: {EXERCISE} passes every check (9/9)" in text
    # The hidden check is named for what it is, and does not leave the learner waiting.
    assert "grading adds 1 hidden check" in text and "nothing more to do here" in text
    assert "run at grading" not in text
    assert f"course solution {EXERCISE}" in text
    assert "next exercise: course check 03-fix-the-502" in text
    document = json.loads(run_cli("check", EXERCISE, "--json").stdout)
    assert document["status"] == "passed"  # the JSON shape is unchanged


def test_the_last_hint_after_a_pass_points_at_the_open_solution(
    workspace: Path, run_cli: Run
) -> None:
    before = run_cli("hint", EXERCISE, "--all")
    assert "the solution opens once you pass" in " ".join(before.stdout.split())
    _solve(workspace)
    assert run_cli("check", EXERCISE).exit_code == 0
    after = " ".join(run_cli("hint", EXERCISE, "--all").stdout.split())
    assert "opens once you pass" not in after
    assert f"you passed: compare with the reference, course solution {EXERCISE}" in after


def _column(output: str, index: int) -> str:
    """The text of one column of a Rich box table, every line's cell run together."""
    cells = [line.split("│")[index] for line in output.splitlines() if line.count("│") >= 5]
    return "".join(cells)


@pytest.mark.slow
def test_hints_wrap_at_80_columns_instead_of_being_cut(
    workspace: Path, run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from course_cli.ui.console import get_console

    monkeypatch.setenv("COLUMNS", "80")
    get_console.cache_clear()  # consoles read COLUMNS when made
    try:
        result = run_cli("check", "06-crud-handler")  # the starter: every case fails, with hints
    finally:
        get_console.cache_clear()
    assert result.exit_code == 1
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert "…" not in result.stdout
    shown = re.sub(r"\s", "", _column(result.stdout, 4))
    for case in ex06_crud_handler.CASES:
        if not case.hidden:
            assert re.sub(r"\s", "", case.hint) in shown, case.hint
