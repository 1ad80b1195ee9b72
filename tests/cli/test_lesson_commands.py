"""`course start/next/back/goto/status/lessons` as a script (no terminal) would use them."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from course_cli.content import load_lesson
from tests.conftest import CliResult, course_subprocess_env

Run = Callable[..., CliResult]
LESSON = load_lesson("lesson-3")


def test_start_without_a_terminal_prints_the_step_and_how_to_continue(run_cli: Run) -> None:
    result = run_cli("start", "lesson-3")
    assert result.exit_code == 0, result.stderr
    first = LESSON.steps[0]
    assert f"1/{len(LESSON.topics)} {LESSON.topics[0].title} · step 1/" in result.stdout
    assert first.title in result.stdout
    for command in ("course next", "course goto STEP", "course status"):
        assert command in result.stdout


def test_start_without_argument_uses_lesson_3(run_cli: Run) -> None:
    assert run_cli("start", "--no-input").exit_code == 0
    assert json.loads(run_cli("status", "--json").stdout)["lesson"] == "lesson-3"


def test_next_back_goto_move_and_persist(run_cli: Run) -> None:
    run_cli("start", "lesson-3")
    second = json.loads(run_cli("next", "--json").stdout)
    assert second["step"] == LESSON.steps[1].number and second["moved"] is True
    assert json.loads(run_cli("back", "--json").stdout)["step"] == "1.1"
    jumped = json.loads(run_cli("goto", "2.3", "--json").stdout)
    assert (jumped["step"], jumped["title"]) == ("2.3", LESSON.topics[1].steps[2].title)
    assert jumped["markdown"] == LESSON.topics[1].steps[2].markdown()
    # A new process resumes where the last one stopped.
    assert json.loads(run_cli("start", "--json").stdout)["step"] == "2.3"


def test_next_at_the_last_step_says_so(run_cli: Run) -> None:
    last = LESSON.steps[-1]
    run_cli("goto", last.number)
    result = run_cli("next")
    assert result.exit_code == 0
    assert "This is the last step" in result.stdout
    assert json.loads(run_cli("next", "--json").stdout)["at_end"] is True


def test_back_at_the_first_step_says_so(run_cli: Run) -> None:
    assert "This is the first step" in run_cli("back").stdout


def test_goto_accepts_a_step_id(run_cli: Run) -> None:
    step = LESSON.topics[2].steps[1]
    assert json.loads(run_cli("goto", step.id, "--json").stdout)["step"] == step.number


def test_status_shows_topics_exercises_and_next(run_cli: Run) -> None:
    run_cli("start")
    run_cli("next")
    result = run_cli("status")
    assert result.exit_code == 0
    for topic in LESSON.topics:
        assert topic.title in result.stdout
    assert f"2/{len(LESSON.topics[0].steps)}" in result.stdout
    for exercise in LESSON.exercises:
        assert exercise.id in result.stdout
    assert "Next:" in result.stdout
    doc = json.loads(run_cli("status", "--json").stdout)
    assert doc["topics"][0]["seen"] == 2
    assert [e["id"] for e in doc["exercises"]] == [e.id for e in LESSON.exercises]
    assert all(e["status"] == "not started" for e in doc["exercises"])


def test_lessons_lists_lessons_and_topics(run_cli: Run) -> None:
    result = run_cli("lessons")
    assert result.exit_code == 0 and "lesson-3" in result.stdout
    for topic in LESSON.topics:
        assert topic.title in result.stdout
    doc = json.loads(run_cli("lessons", "--json").stdout)
    assert doc[0]["id"] == "lesson-3" and len(doc[0]["topics"]) == len(LESSON.topics) == 6


@pytest.mark.parametrize(
    ("args", "message", "hint"),
    [
        (("start", "lesson-9"), "no lesson 'lesson-9'; available: lesson-3", "course lessons"),
        (("goto", "9.9"), "no step '9.9' in lesson-3", "use topic.step"),
        (("goto", "banana"), "no step 'banana' in lesson-3", "topic.step"),
        (("next", "--lesson", "nope"), "no lesson 'nope'", "course lessons"),
        (("start", "--bogus"), "--bogus", "course start --help"),
        (("status", "extra"), "unexpected extra argument", "course status --help"),
        (("teleport",), "teleport", "course --help"),
        (("goto",), "missing argument", "course goto --help"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_2(
    run_cli: Run, args: tuple[str, ...], message: str, hint: str
) -> None:
    result = run_cli(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: ") and message.lower() in lines[0].lower()
    assert lines[1].startswith("hint: ") and hint in lines[1]
    assert "Traceback" not in result.stderr


def test_corrupt_progress_warns_and_starts_fresh(run_cli: Run, course_home: Path) -> None:
    (course_home / "progress.json").write_text("{oops")
    result = run_cli("start", "--no-input")
    assert result.exit_code == 0
    assert "warning: progress file was unusable" in result.stderr
    assert list(course_home.glob("progress.json.corrupt-*"))
    assert json.loads(run_cli("status", "--json").stdout)["current_step"] == "1.1"


@pytest.mark.slow
def test_python_m_course_cli_is_the_same_program(course_home: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "course_cli", "goto", "3.2", "--json"],
        capture_output=True,
        text=True,
        env=course_subprocess_env(course_home),
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["step"] == "3.2"
    again = subprocess.run(
        [sys.executable, "-m", "course_cli", "start", "lesson-9"],
        capture_output=True,
        text=True,
        env=course_subprocess_env(course_home),
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert again.returncode == 2 and "Traceback" not in again.stderr


def test_the_step_that_introduces_an_exercise_shows_its_state(run_cli: Run) -> None:
    step = next(s for s in LESSON.steps if s.exercise == "03-fix-the-502")
    before = run_cli("goto", step.number)
    assert "03-fix-the-502: not checked yet" in before.stdout
    assert json.loads(run_cli("goto", step.number, "--json").stdout)["exercise_status"] == (
        "not started"
    )
    from course_cli.progress import ProgressStore

    ProgressStore.default().update(
        lambda d: d["exercises"].__setitem__(
            "03-fix-the-502", {"status": "failed", "score": 2, "max_score": 5}
        )
    )
    assert "✗ 03-fix-the-502: last check failed (2/5)" in run_cli("start", "--no-input").stdout
    ProgressStore.default().update(
        lambda d: d["exercises"].__setitem__(
            "03-fix-the-502", {"status": "passed", "score": 5, "max_score": 5}
        )
    )
    assert "✓ 03-fix-the-502 passed" in run_cli("start", "--no-input").stdout
