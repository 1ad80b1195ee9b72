"""Fixture submissions named after the grade they must get, checked in-process: each gets
exactly that status and score, and the grader stays healthy after each (the next check of a
passing submission still passes). Hostile ones that need the isolated worker live in
`submissions/hostile/` and are tested with it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from course_cli.grader import InProcessRunner, check_exercise

SUBMISSIONS = Path(__file__).parent / "submissions"
PROXY = SUBMISSIONS / "02-proxy-event"


def _check(tmp_path: Path, fixture: str, *, hidden: bool = False):  # type: ignore[no-untyped-def]
    folder = tmp_path / "02-proxy-event"
    folder.mkdir()
    shutil.copy(PROXY / f"{fixture}.py", folder / "handler.py")
    return check_exercise("02-proxy-event", folder, runner=InProcessRunner(), include_hidden=hidden)


def test_passes_all_gets_full_marks_including_hidden(tmp_path: Path) -> None:
    result = _check(tmp_path, "passes_all", hidden=True)
    assert result.status == "passed"
    assert result.score == result.max_score == 10


@pytest.mark.parametrize(
    ("fixture", "status", "score", "needle"),
    [
        ("body_not_string", "failed", 0, "`body` must be a string, but it is dict"),
        ("query_params_null_crash", "failed", 6, "'NoneType' object has no attribute 'get'"),
        ("constant_stub", "failed", 0, "expected \"userId\": '42', got 'u1'"),
        ("syntax_error", "error", 0, "handler.py, line 4, column 28: expected ':'"),
        ("import_error", "error", 0, "requests_that_do_not_exist"),
        pytest.param(
            "infinite_loop", "timeout", 0, "ran past its time limit", marks=pytest.mark.slow
        ),
        ("calls_sys_exit", "crashed", 0, "ended its own process"),
    ],
)
def test_fixture_gets_exactly_its_grade(
    tmp_path: Path, fixture: str, status: str, score: int, needle: str
) -> None:
    result = _check(tmp_path, fixture)
    assert (result.status, result.score, result.max_score) == (status, score, 9)
    messages = " ".join(case.message for case in result.cases)
    assert needle in messages
    # The grader is still healthy: a good submission right after still passes.
    healthy = tmp_path / "after"
    healthy.mkdir()
    assert _check(healthy, "passes_all").status == "passed"


def test_an_exception_points_at_the_learners_line(tmp_path: Path) -> None:
    result = _check(tmp_path, "query_params_null_crash")
    failed = next(case for case in result.cases if case.name.startswith("survives"))
    assert "at handler.py, line 5" in failed.message
    assert 'event["queryStringParameters"].get("include")' in failed.message


def test_json_shape_matches_the_design(tmp_path: Path) -> None:
    document = _check(tmp_path, "body_not_string").to_json()
    assert set(document) >= {"exercise", "status", "score", "max_score", "duration_s", "cases"}
    assert document["hidden_cases"] == 1
    case = document["cases"][0]
    assert set(case) >= {"name", "passed", "points", "max_points", "message", "hint"}
