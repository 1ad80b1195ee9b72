"""`course check / hint / reset / solution` on a workspace made by `course init`, and bad ids."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from course_cli.content import load_lesson
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


def test_check_fails_on_the_starter_and_records_it(workspace: Path, run_cli: Run) -> None:
    result = run_cli("check", EXERCISE)
    assert result.exit_code == 1
    assert "✗" in result.stdout and "reads the path parameter" in result.stdout
    status = json.loads(run_cli("status", "--json").stdout)
    entry = next(e for e in status["exercises"] if e["id"] == EXERCISE)
    assert entry["status"] == "failed"


def test_check_json_passes_on_the_solution(workspace: Path, run_cli: Run) -> None:
    _solve(workspace)
    result = run_cli("check", "2", "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["status"] == "passed" and document["score"] == document["max_score"]
    assert document["hidden_cases"] == 1
    human = run_cli("check", EXERCISE)
    text = " ".join(human.stdout.split())
    assert "Done: 02-proxy-event passes every check (9/9)" in text
    assert "grading adds 1 hidden check" in text


def test_check_shows_the_gateway_explanation_for_a_502(workspace: Path, run_cli: Run) -> None:
    result = run_cli("check", "03-fix-the-502", "--json")
    assert result.exit_code == 1
    messages = " ".join(c["message"] for c in json.loads(result.stdout)["cases"])
    assert "got 502" in messages and "`body` must be a string" in messages


def test_hints_escalate_and_are_remembered(
    workspace: Path, run_cli: Run, course_home: Path
) -> None:
    hints = load_lesson("lesson-3").exercise(EXERCISE).hints  # type: ignore[union-attr]
    run_cli("check", EXERCISE)
    first = json.loads(run_cli("hint", EXERCISE, "--json").stdout)
    assert first["level"] == 1 and first["hints"] == [hints[0]]
    second = run_cli("hint", EXERCISE)
    assert hints[1].split()[0] in second.stdout
    assert "your last check failed at 'reads the path parameter'" in second.stdout
    every = json.loads(run_cli("hint", EXERCISE, "--all", "--json").stdout)
    assert every["level"] == len(hints)
    progress = json.loads((course_home / "progress.json").read_text())
    assert progress["exercises"][EXERCISE]["hints_shown"] == len(hints)


def test_reset_restores_the_starter_and_keeps_a_backup(workspace: Path, run_cli: Run) -> None:
    mine = workspace / "exercises" / EXERCISE / "handler.py"
    mine.write_text("# my work\n")
    result = run_cli("reset", EXERCISE)
    assert result.exit_code == 0, result.stderr
    assert mine.read_text() == (bundled_dir("exercises") / EXERCISE / "handler.py").read_text()
    backups = list((workspace / ".course-backups" / EXERCISE).glob("*/handler.py"))
    assert [b.read_text() for b in backups] == ["# my work\n"]
    assert "saved as" in result.stdout
    assert "nothing changed" in run_cli("reset", EXERCISE).stdout


@pytest.mark.slow
def test_solution_is_refused_until_the_exercise_passed(workspace: Path, run_cli: Run) -> None:
    refused = run_cli("solution", EXERCISE)
    assert refused.exit_code == 1 and "opens once your own version passes" in refused.stderr
    _solve(workspace)
    assert run_cli("check", EXERCISE).exit_code == 0
    shown = run_cli("solution", EXERCISE)
    assert shown.exit_code == 0 and "normalise them once" in shown.stdout
    # The exercise also grades a handler.mjs: its answer in JavaScript comes after.
    assert shown.stdout.index("handler.py") < shown.stdout.index("handler.mjs")
    assert "export const handler = async (event)" in shown.stdout


@pytest.mark.parametrize("command", ["check", "hint", "reset", "solution"])
def test_unknown_exercise_is_a_usage_error_with_a_suggestion(
    workspace: Path, run_cli: Run, command: str
) -> None:
    result = run_cli(command, "02-proxy-evnt")
    assert result.exit_code == 2
    assert "no exercise '02-proxy-evnt'" in result.stderr
    assert "did you mean '02-proxy-event'?" in result.stderr


def test_hints_follow_the_language_of_the_handler_graded(workspace: Path, run_cli: Run) -> None:
    exercise = "03-fix-the-502"
    python = json.loads(run_cli("hint", exercise, "--all", "--json").stdout)["hints"]
    assert "json.dumps" in python[-1]
    (workspace / "exercises" / exercise / "handler.mjs").write_text(
        "export const handler = async () => ({ statusCode: 200, body: '{}' });\n"
    )
    javascript = json.loads(run_cli("hint", exercise, "--all", "--json").stdout)["hints"]
    assert len(javascript) == len(python)
    assert "JSON.stringify" in javascript[-1] and "json.dumps" not in javascript[-1]
    assert "exercises/03-fix-the-502/handler.mjs" in javascript[0]
