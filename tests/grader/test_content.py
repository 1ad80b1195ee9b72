"""rustlings' dev check: every shipped starter FAILS, every reference solution PASSES with
full marks (hidden cases included), and the exercise folders match the lesson."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from course_cli.content import load_lesson
from course_cli.grader import InProcessRunner, check_exercise, default_runner, exercise_ids
from course_cli.grader.isolated_runner import IsolatedRunner
from course_cli.workspace import bundled_dir

LESSON = load_lesson("lesson-3")


def test_every_lesson_exercise_has_checks_and_folders() -> None:
    assert [e.id for e in LESSON.exercises] == exercise_ids()
    for exercise in LESSON.exercises:
        for kind in ("exercises", "solutions"):
            folder = bundled_dir(kind) / exercise.id
            assert sorted(p.name for p in folder.iterdir()) == sorted(exercise.files)
        for name in exercise.files:
            assert "TODO" in (bundled_dir("exercises") / exercise.id / name).read_text()


def test_course_check_grades_in_the_isolated_worker() -> None:
    assert isinstance(default_runner(), IsolatedRunner)


# With no runner given, `check_exercise` uses `default_runner()`: the isolated worker, as
# `course check` does. Notebooks pass `InProcessRunner`: solutions must pass there too.
@pytest.mark.slow
@pytest.mark.parametrize("exercise_id", exercise_ids())
def test_starter_fails(exercise_id: str) -> None:
    result = check_exercise(exercise_id, bundled_dir("exercises"))
    assert result.status == "failed", result.to_json()
    assert result.score < result.max_score


@pytest.mark.slow
@pytest.mark.parametrize("in_process", [False, True], ids=["isolated", "in-process"])
@pytest.mark.parametrize("exercise_id", exercise_ids())
def test_solution_passes_with_full_marks(exercise_id: str, in_process: bool) -> None:
    runner = InProcessRunner() if in_process else None
    result = check_exercise(
        exercise_id, bundled_dir("solutions"), runner=runner, include_hidden=True
    )
    assert result.status == "passed", result.to_json()
    assert result.score == result.max_score > 0


# --- 04-vtl-request: the apostrophe that $util.escapeJavaScript alone turns into \' ----------

UNDO_APOSTROPHE = """.replaceAll("\\\\'", "'")"""


def test_the_04_solution_prints_json_for_an_apostrophe() -> None:
    from course_cli.gateway.vtl.preview import preview_template

    template = (bundled_dir("solutions") / "04-vtl-request" / "request.vtl").read_text()
    preview = preview_template(
        template, path_params=[("userId", "o'brien")], query=[("q", "it's"), ("k'", 'say "hi"')]
    )
    assert preview.json_valid, preview.output
    rendered = json.loads(preview.output)
    assert rendered["userId"] == "o'brien"
    assert rendered["filters"] == {"q": "it's", "k'": 'say "hi"'}


def test_escape_javascript_alone_fails_the_04_apostrophe_case(tmp_path: Path) -> None:
    solution = (bundled_dir("solutions") / "04-vtl-request" / "request.vtl").read_text()
    assert UNDO_APOSTROPHE in solution
    (tmp_path / "request.vtl").write_text(solution.replace(UNDO_APOSTROPHE, ""))
    result = check_exercise("04-vtl-request", tmp_path, runner=InProcessRunner())
    assert result.status == "failed"
    failed = [case for case in result.cases if not case.passed]
    assert [case.name for case in failed] == ["an apostrophe inside a value stays valid JSON"]
    assert "$util.escapeJavaScript writes ' as \\'" in failed[0].message
    assert UNDO_APOSTROPHE in failed[0].message
