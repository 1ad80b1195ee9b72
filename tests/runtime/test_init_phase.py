"""A cold start's init phase, timed apart from the invocation, as Lambda times it.

Lambda runs a module's top level (the Init phase) before the invocation, with a limit of its
own (10 s): the function's timeout, `get_remaining_time_in_millis()` and REPORT's `Duration`
cover the invoke phase only, `Init Duration` the init, and the billed duration both. A top
level that runs past the init limit is run again within the invocation ("suppressed"),
under the function's timeout, and its time then counts in `Duration`.
"""

from __future__ import annotations

import math
import re
import time
from pathlib import Path

import pytest

from course_cli.gateway.invoker import LambdaResult, Outcome
from course_cli.runtime import InProcessRuntime, inprocess
from tests.runtime.conftest import WriteHandler, in_thread

# A module whose top level takes `sleep` seconds, and counts its runs in `runs.txt`.
SLOW_TOP_LEVEL = """
import pathlib
import time

with pathlib.Path(__file__).with_name("runs.txt").open("a") as runs:
    runs.write("run\\n")
time.sleep({sleep})


def handler(event, context):
    return {{"remaining_ms": context.get_remaining_time_in_millis()}}
"""


def slow_runtime(write_handler: WriteHandler, sleep: float) -> tuple[InProcessRuntime, Path]:
    path = write_handler("handler.py", SLOW_TOP_LEVEL.format(sleep=sleep))
    return InProcessRuntime({"fn": str(path)}), path.with_name("runs.txt")


def report_of(result: LambdaResult) -> dict[str, str]:
    """REPORT's fields by name: `{"Duration": "12.34 ms", ...}`."""
    line = result.logs.splitlines()[-1]
    assert line.startswith(f"REPORT RequestId: {result.request_id}\t")
    return dict(field.split(": ", 1) for field in line.rstrip("\t").split("\t")[1:])


def milliseconds(text: str) -> float:
    match = re.fullmatch(r"([0-9.]+) ms", text)
    assert match is not None, text
    return float(match[1])


@pytest.mark.slow
@pytest.mark.parametrize("where", ["main thread", "other thread"])
def test_a_slow_top_level_does_not_use_up_the_function_s_timeout(
    write_handler: WriteHandler, where: str
) -> None:
    runtime, runs = slow_runtime(write_handler, sleep=0.5)

    def call() -> LambdaResult:
        return runtime("fn", {}, timeout_s=0.3)

    cold = call() if where == "main thread" else in_thread(call)
    assert cold.outcome is Outcome.OK, cold.payload
    assert cold.value["remaining_ms"] > 200  # the whole 300 ms, less the call itself
    report = report_of(cold)
    init_ms = milliseconds(report["Init Duration"])
    assert init_ms >= 500 and milliseconds(report["Duration"]) < 200
    assert cold.duration_ms == pytest.approx(milliseconds(report["Duration"]), abs=0.01)
    # Lambda bills the init phase too (both printed to 0.01 ms: the sum may round either way).
    exact = milliseconds(report["Duration"]) + init_ms
    billed = milliseconds(report["Billed Duration"])
    assert billed in {math.ceil(exact - 0.01), math.ceil(exact + 0.01)}
    assert "Status" not in report
    warm = call() if where == "main thread" else in_thread(call)
    assert warm.outcome is Outcome.OK and "Init Duration" not in report_of(warm)
    assert runs.read_text() == "run\n"  # the top level ran once


@pytest.mark.slow
def test_a_top_level_past_the_init_limit_runs_again_within_the_invocation(
    write_handler: WriteHandler, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inprocess, "INIT_TIMEOUT_S", 0.3)  # Lambda's 10 s, shortened
    runtime, runs = slow_runtime(write_handler, sleep=0.5)
    started = time.monotonic()
    result = runtime("fn", {}, timeout_s=2.0)
    assert 0.75 < time.monotonic() - started < 1.5  # cut off at 0.3 s, then 0.5 s again
    assert result.outcome is Outcome.OK, result.payload
    assert runs.read_text() == "run\nrun\n"
    report = report_of(result)
    assert "Init Duration" not in report  # a suppressed init counts in the invocation's time
    assert milliseconds(report["Duration"]) >= 500
    assert result.value["remaining_ms"] < 2000 - 450


@pytest.mark.slow
def test_a_top_level_past_the_init_limit_and_the_timeout_times_out(
    write_handler: WriteHandler, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inprocess, "INIT_TIMEOUT_S", 0.3)
    runtime, runs = slow_runtime(write_handler, sleep=0.5)
    started = time.monotonic()
    result = runtime("fn", {}, timeout_s=0.2)
    assert 0.45 < time.monotonic() - started < 1.2  # 0.3 s of init, then 0.2 s of invoke
    assert result.outcome is Outcome.TIMEOUT
    assert result.error is not None
    assert result.error["errorMessage"].endswith("Task timed out after 0.20 seconds")
    assert runs.read_text() == "run\nrun\n"
    assert report_of(result)["Status"] == "timeout"


@pytest.mark.slow
def test_a_caller_that_stops_waiting_during_the_init_gets_no_answer(
    write_handler: WriteHandler,
) -> None:
    runtime, runs = slow_runtime(write_handler, sleep=0.6)
    started = time.monotonic()
    result = runtime("fn", {}, timeout_s=3.0, wait_s=0.2)
    assert time.monotonic() - started < 0.5
    assert result.outcome is Outcome.NO_ANSWER
    # The init goes on without the caller (Lambda keeps running it); once it is over, the
    # next call finds the handler loaded.
    time.sleep(0.8)
    later = runtime("fn", {}, timeout_s=3.0)
    assert later.outcome is Outcome.OK and "Init Duration" not in report_of(later)
    assert runs.read_text() == "run\n"


def test_a_runtime_exit_is_reported_as_the_platform_s_error(
    write_handler: WriteHandler,
) -> None:
    path = write_handler("handler.py", "import sys\ndef handler(e, c):\n    sys.exit(3)\n")
    result = InProcessRuntime({"fn": str(path)})("fn", {})
    assert result.error is not None and result.error["errorType"] == "Runtime.ExitError"
    report = report_of(result)
    assert report["Status"] == "error" and report["Error Type"] == "Runtime.ExitError"
