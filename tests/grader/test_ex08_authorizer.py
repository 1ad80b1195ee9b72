"""Exercise 08: fixture authorizers named after what they do get exactly their grade, and the
message of a failing case says what API Gateway did with the authorizer's answer."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from course_cli.grader import InProcessRunner, check_exercise
from course_cli.grader.result import CheckResult
from course_cli.workspace import bundled_dir

SUBMISSIONS = Path(__file__).parent / "submissions" / "08-authorizer"
EXERCISE = "08-authorizer"


def _check(tmp_path: Path, fixture: Path, *, isolated: bool = False) -> CheckResult:
    folder = tmp_path / EXERCISE
    folder.mkdir()
    shutil.copy(fixture, folder / "authorizer.py")
    runner = None if isolated else InProcessRunner()
    return check_exercise(EXERCISE, folder, runner=runner, include_hidden=True)


def _failed(result: CheckResult) -> dict[str, str]:
    return {case.name: case.message for case in result.cases if not case.passed}


def test_always_allow_fails_deny_and_unknown_tokens(tmp_path: Path) -> None:
    result = _check(tmp_path, SUBMISSIONS / "always_allow.py")
    assert (result.status, result.score, result.max_score) == ("failed", 7, 12)
    assert set(_failed(result)) == {
        "deny: 403 with an explicit deny",
        "an unknown token: 401",
        "tokens are compared exactly",
    }


def test_an_exception_other_than_unauthorized_is_a_500_at_the_learners_line(
    tmp_path: Path,
) -> None:
    result = _check(tmp_path, SUBMISSIONS / "raises_for_unknown_tokens.py")
    message = _failed(result)["an unknown token: 401"]
    assert "got 500" in message and "KeyError" in message
    assert "only the exact message 'Unauthorized' becomes a 401" in message
    assert "authorizer.py, line 7" in message


def test_an_http_response_instead_of_a_policy_is_a_500(tmp_path: Path) -> None:
    result = _check(tmp_path, SUBMISSIONS / "returns_http_response.py")
    assert result.score == 1  # only the 401 API Gateway answers itself
    message = _failed(result)["deny: 403 with an explicit deny"]
    assert "got 500" in message and "no policyDocument" in message


def test_a_policy_for_one_method_fails_only_the_cached_policy_case(tmp_path: Path) -> None:
    solution = (bundled_dir("solutions") / EXERCISE / "authorizer.py").read_text()
    one_method = solution.replace(
        'resource = every_method(event["methodArn"])', 'resource = event["methodArn"]'
    )
    assert one_method != solution
    (tmp_path / "one_method.py").write_text(one_method)
    result = _check(tmp_path, tmp_path / "one_method.py")
    failed = _failed(result)
    assert list(failed) == ["the cached policy covers every method"]
    assert "POST /items" in failed["the cached policy covers every method"]
    assert "/*/*" in failed["the cached policy covers every method"]


@pytest.mark.slow
def test_an_endless_authorizer_times_out_in_the_worker(tmp_path: Path) -> None:
    result = _check(tmp_path, SUBMISSIONS / "infinite_loop.py", isolated=True)
    assert (result.status, result.score) == ("timeout", 0)
    assert "the authorizer ran past its time limit" in result.cases[0].message
    # The grader is still healthy: the reference solution passes right after.
    again = check_exercise(EXERCISE, bundled_dir("solutions"), include_hidden=True)
    assert again.status == "passed"
