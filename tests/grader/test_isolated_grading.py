"""`course check`'s runner: hostile submissions graded through the isolated worker get the
right status, and the grader stays healthy (a good submission right after still passes);
the grader's own backends never enter the learner's worker."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from course_cli.gateway.invoker import Outcome
from course_cli.grader import CheckResult, check_exercise
from course_cli.grader.backends import __file__ as BACKENDS
from course_cli.grader.isolated_runner import IsolatedRunner, default_runner
from course_cli.grader.runner import SubmissionFailed, SubmittedFunction
from course_cli.runtime.worker.process import Limits
from course_cli.runtime.worker.results import IsolatedResult
from course_cli.workspace import bundled_dir

HOSTILE = Path(__file__).parent / "submissions" / "hostile"
EXERCISE = "03-fix-the-502"
# A smaller address space than the default, so the memory hog ends sooner.
LIMITS = Limits(memory_mb=384)


def _check(tmp_path: Path, handler: Path, runner: IsolatedRunner) -> CheckResult:
    folder = tmp_path / EXERCISE
    folder.mkdir(parents=True)
    shutil.copy(handler, folder / "handler.py")
    return check_exercise(EXERCISE, folder, runner=runner)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fixture", "status", "needle"),
    [
        ("syntax_error", "error", "syntax error in handler.py, line 4"),
        ("infinite_loop", "timeout", "ran past its time limit"),
        ("calls_os_exit", "crashed", "ended its own process"),
        ("calls_sys_exit", "crashed", "called sys.exit() while loading at handler.py, line 5"),
        ("memory_hog", "crashed", "Runtime.OutOfMemory"),
        ("prints_fake_pass", "failed", "`body` must be a string"),
        ("patches_grader", "failed", "`body` must be a string"),
    ],
)
def test_hostile_submission_gets_its_status_and_the_next_one_still_passes(
    tmp_path: Path, fixture: str, status: str, needle: str
) -> None:
    runner = default_runner(LIMITS)
    result = _check(tmp_path / "hostile", HOSTILE / f"{fixture}.py", runner)
    assert (result.status, result.score) == (status, 0), result.to_json()
    assert needle in " ".join(case.message for case in result.cases)
    assert runner._runtimes == {}  # check_exercise ended the check's workers
    # Same runner, right after: the reference solution still gets full marks.
    good = _check(tmp_path / "good", bundled_dir("solutions") / EXERCISE / "handler.py", runner)
    assert (good.status, good.score) == ("passed", good.max_score), good.to_json()


def test_the_grader_s_own_backend_runs_in_the_grader_s_process() -> None:
    runner = default_runner()
    backend = SubmittedFunction(f"{BACKENDS}:legacy_echo", grader_code=True)
    runner.load(backend)
    result = runner.invoker({"legacy": backend})("legacy", {"pid": os.getpid()})
    assert result.outcome is Outcome.OK
    assert result.value == {"pid": os.getpid()}
    assert not isinstance(result, IsolatedResult)
    assert runner._runtimes == {}  # no worker was started for it


def test_a_learner_handler_runs_in_a_worker_with_only_the_given_environment(
    tmp_path: Path,
) -> None:
    (tmp_path / "handler.py").write_text(
        "import os\n\n"
        "def handler(event, context):\n"
        "    return {'pid': os.getpid(), 'env': sorted(k for k in os.environ if 'SECRET' in k)}\n"
    )
    os.environ["COURSE_TEST_PARENT_SECRET"] = "x"
    try:
        with_env = SubmittedFunction(f"{tmp_path / 'handler.py'}:handler", {"MY_SECRET": "y"})
        runner = default_runner()
        try:
            result = runner.invoker({"f": with_env})("f", {})
        finally:
            runner.close()
    finally:
        del os.environ["COURSE_TEST_PARENT_SECRET"]
    assert isinstance(result, IsolatedResult)
    assert result.value["pid"] != os.getpid()
    assert result.value["env"] == ["MY_SECRET"]


@pytest.mark.slow
def test_a_script_s_failures_become_statuses(tmp_path: Path) -> None:
    runner = default_runner()
    script = tmp_path / "deploy.py"
    script.write_text("import sys\n\ndef deploy(package):\n    return len(package)\n")
    assert runner.run_file(script, "deploy", (b"abc",)) == 3
    script.write_text("def deploy(package):\n    return 1 / 0\n")
    with pytest.raises(SubmissionFailed) as failed:
        runner.run_file(script, "deploy", (b"abc",))
    assert failed.value.status == "error"
    assert "deploy.py failed at deploy.py, line 2: ZeroDivisionError" in failed.value.message
    script.write_text("import sys\n\nCHOICES = {}\nsys.exit(0)\n")
    with pytest.raises(SubmissionFailed) as failed:
        runner.run_file(script)
    assert (failed.value.status, failed.value.message) == (
        "crashed",
        "deploy.py called sys.exit(): nothing after it ran",
    )
    script.write_text("while True:\n    pass\n")
    with pytest.raises(SubmissionFailed) as failed:
        runner.run_file(script, timeout_s=1.0)
    assert failed.value.status == "timeout"


@pytest.mark.slow  # starts moto
def test_a_crud_handler_that_does_not_load_is_one_clear_error(tmp_path: Path) -> None:
    # 06 loads the handler in its worker while it deploys the API: the load's failure must
    # still be the result, not lost in the background.
    folder = tmp_path / "06-crud-handler"
    folder.mkdir()
    shutil.copy(HOSTILE / "syntax_error.py", folder / "handler.py")
    result = check_exercise("06-crud-handler", folder, runner=default_runner())
    assert (result.status, result.score) == ("error", 0), result.to_json()
    assert "syntax error in handler.py, line 4" in result.message + " ".join(
        case.message for case in result.cases
    )
