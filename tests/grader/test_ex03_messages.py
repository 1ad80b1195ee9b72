"""Exercise 03's failure messages name the actual cause and its fix.

Each fixture in `submissions/03-fix-the-502/` is the reference solution with one fault; the
message of the failing case must give the advice for *that* fault, not another one's.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from course_cli.grader import check_exercise
from course_cli.grader.result import CheckResult

SUBMISSIONS = Path(__file__).parent / "submissions" / "03-fix-the-502"
EXERCISE = "03-fix-the-502"


def _check(name: str, tmp_path: Path) -> CheckResult:
    folder = tmp_path / EXERCISE
    folder.mkdir()
    shutil.copy(SUBMISSIONS / f"{name}.py", folder / "handler.py")
    return check_exercise(EXERCISE, folder)


def _message(result: CheckResult, case: str) -> str:
    found = next(c for c in result.cases if c.name == case)
    assert not found.passed, f"{case} passed"
    return found.message


@pytest.mark.slow
def test_the_handlers_own_json_dumps_meeting_a_decimal(tmp_path: Path) -> None:
    result = _check("decimal_in_json_dumps", tmp_path)
    message = _message(result, "a Decimal price is written as a number")
    assert "json.dumps" in message and "Decimal" in message
    assert "default=" in message  # the fix: teach json.dumps to write a Decimal
    assert "int or float" in message
    assert "line " in message and "json.dumps(payload)" in message  # the learner's own line
    assert "Catch errors in the handler" not in message  # catching would only hide it


@pytest.mark.slow
def test_a_datetime_header_value(tmp_path: Path) -> None:
    result = _check("datetime_header", tmp_path)
    message = _message(result, "header values are strings")
    assert "datetime" in message and ".isoformat()" in message
    assert "Decimal" not in message  # a Decimal is not the problem (and the runtime writes one)


@pytest.mark.slow
def test_a_route_that_forgets_to_return(tmp_path: Path) -> None:
    result = _check("forgets_a_return", tmp_path)
    message = _message(result, "a Decimal price is written as a number")
    assert "None None" not in message
    assert "returned None" in message and "return" in message.split("returned None", 1)[1]
