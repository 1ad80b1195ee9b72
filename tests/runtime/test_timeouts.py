"""The function's own timeout, enforced in-process: on the main thread and from other threads."""

from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType

import pytest

from course_cli.gateway.invoker import LambdaResult, Outcome
from course_cli.runtime import InProcessRuntime
from tests.runtime.conftest import in_thread

RuntimeFor = Callable[..., InProcessRuntime]

INFINITE_LOOP = "def handler(event, context):\n    while True:\n        pass\n"
SWALLOWS_EXCEPTION = """
def handler(event, context):
    while True:
        try:
            sum(range(100))
        except Exception:
            pass
"""
SWALLOWS_EVERYTHING = """
def handler(event, context):
    while True:
        try:
            sum(range(100))
        except:  # noqa: E722 - the worst a learner can write
            pass
"""


def assert_timed_out(result: LambdaResult, seconds: str) -> None:
    assert result.outcome is Outcome.TIMEOUT
    rid = result.request_id
    assert result.error == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {rid} Error: Task timed out after {seconds} seconds",
    }
    assert json.loads(result.payload) == result.error
    assert f" {rid} Task timed out after {seconds} seconds\nEND RequestId: {rid}\n" in result.logs
    report = result.logs.splitlines()[-1]
    assert report.startswith(f"REPORT RequestId: {rid}\t") and report.endswith(
        "\tStatus: timeout\t"
    )
    # The whole timeout is billed, and a cold start's init phase on top of it.
    init = re.search(r"\tInit Duration: ([0-9.]+) ms\t", report)
    billed = re.search(r"\tBilled Duration: ([0-9]+) ms\t", report)
    assert billed is not None
    # (The init is printed to 0.01 ms: the exact sum may round up either way.)
    exact = float(seconds) * 1000 + (float(init[1]) if init else 0.0)
    assert int(billed[1]) in {math.ceil(exact - 0.005), math.ceil(exact + 0.005)}


@pytest.mark.parametrize(
    "source",
    [INFINITE_LOOP, SWALLOWS_EXCEPTION, SWALLOWS_EVERYTHING],
    ids=["loop", "except-Exception", "bare-except"],
)
def test_timeout_stops_a_loop_on_the_main_thread(runtime_for: RuntimeFor, source: str) -> None:
    runtime = runtime_for(source)
    started = time.monotonic()
    result = runtime("fn", {}, timeout_s=0.2)
    assert 0.19 < time.monotonic() - started < 0.8
    assert_timed_out(result, "0.20")


@pytest.mark.parametrize(
    "source",
    [INFINITE_LOOP, SWALLOWS_EXCEPTION, SWALLOWS_EVERYTHING],
    ids=["loop", "except-Exception", "bare-except"],
)
def test_timeout_stops_a_loop_from_another_thread(runtime_for: RuntimeFor, source: str) -> None:
    runtime = runtime_for(source)
    started = time.monotonic()
    result = in_thread(lambda: runtime("fn", {}, timeout_s=0.2))
    assert 0.19 < time.monotonic() - started < 0.8
    assert_timed_out(result, "0.20")


def test_timeout_interrupts_sleep_on_the_main_thread(runtime_for: RuntimeFor) -> None:
    runtime = runtime_for("import time\ndef handler(e, c):\n    time.sleep(5)\n")
    started = time.monotonic()
    assert runtime("fn", {}, timeout_s=0.1).outcome is Outcome.TIMEOUT
    assert time.monotonic() - started < 0.6


def test_a_blocked_function_answers_on_time_from_another_thread(runtime_for: RuntimeFor) -> None:
    # The injected exception waits for sleep() to return, but the caller does not wait for it.
    runtime = runtime_for("import time\ndef handler(e, c):\n    time.sleep(0.6)\n")
    started = time.monotonic()
    assert in_thread(lambda: runtime("fn", {}, timeout_s=0.1)).outcome is Outcome.TIMEOUT
    assert time.monotonic() - started < 0.5


@pytest.mark.slow
def test_timed_out_function_really_stops(
    runtime_for: RuntimeFor, write_handler: Callable[[str, str], object]
) -> None:
    write_handler("spinner_state.py", "count = 0\n")
    runtime = runtime_for(
        "import spinner_state\ndef handler(e, c):\n"
        "    while e.get('spin'):\n        spinner_state.count += 1\n"
    )
    assert runtime("fn", {}).outcome is Outcome.OK  # loaded before the clock starts
    assert in_thread(lambda: runtime("fn", {"spin": 1}, timeout_s=0.1)).outcome is Outcome.TIMEOUT
    state = sys.modules["spinner_state"]
    time.sleep(0.1)  # the exception is repeated until the loop gives up
    before = state.count
    time.sleep(0.1)
    assert state.count == before


def test_a_timeout_resets_the_environment(runtime_for: RuntimeFor) -> None:
    runtime = runtime_for(
        "count = 0\ndef handler(e, c):\n    global count\n    count += 1\n"
        "    while e.get('spin'):\n        pass\n    return count\n"
    )
    assert runtime("fn", {}).payload == "1"
    assert runtime("fn", {}).payload == "2"
    assert runtime("fn", {"spin": True}, timeout_s=0.1).outcome is Outcome.TIMEOUT
    assert runtime("fn", {}).payload == "1"  # a cold start: the module ran again


def test_no_answer_when_the_caller_stops_waiting_first(runtime_for: RuntimeFor) -> None:
    runtime = runtime_for(
        "import time\ndef handler(e, c):\n    print('started')\n    time.sleep(e['sleep'])\n"
    )
    assert runtime("fn", {"sleep": 0}).outcome is Outcome.OK  # loaded before the clock starts
    started = time.monotonic()
    result = runtime("fn", {"sleep": 0.3}, timeout_s=0.5, wait_s=0.1)
    assert time.monotonic() - started < 0.25
    assert result.outcome is Outcome.NO_ANSWER
    assert result.payload == "" and result.error is None
    assert result.logs.endswith("started\n")


@pytest.mark.slow
def test_an_outer_alarm_handler_and_timer_keep_working(runtime_for: RuntimeFor) -> None:
    fired: list[int] = []

    def outer_alarm(signum: int, frame: FrameType | None) -> None:
        fired.append(signum)

    previous = signal.signal(signal.SIGALRM, outer_alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.4)
        runtime = runtime_for(INFINITE_LOOP)
        assert runtime("fn", {}, timeout_s=0.1).outcome is Outcome.TIMEOUT
        assert runtime_for("def handler(e, c):\n    return 1\n")("fn", {}).payload == "1"
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 0 < remaining < 0.35  # the outer timer kept running meanwhile
        time.sleep(remaining + 0.05)
        assert fired == [signal.SIGALRM]  # and it reached the outer handler, once
        with pytest.raises(KeyboardInterrupt) as interrupt:  # Ctrl-C between calls: as before
            signal.raise_signal(signal.SIGINT)
        assert type(interrupt.value) is KeyboardInterrupt
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_a_handler_set_between_calls_gets_its_signals(runtime_for: RuntimeFor) -> None:
    runtime = runtime_for("def handler(e, c):\n    return 1\n")
    assert runtime("fn", {}).payload == "1"
    fired: list[int] = []
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: fired.append(signum))
    try:
        signal.raise_signal(signal.SIGALRM)
        assert fired == [signal.SIGALRM]
        assert runtime("fn", {}).payload == "1"
        signal.raise_signal(signal.SIGALRM)  # passed on after the call, too
        assert fired == [signal.SIGALRM, signal.SIGALRM]
    finally:
        signal.signal(signal.SIGALRM, previous)


def test_an_alarm_between_calls_does_what_the_system_does() -> None:
    # SIGALRM's default ends the process: a script's own alarm must still do that.
    script = (
        "import signal, sys, tempfile, pathlib\n"
        "from course_cli.runtime import InProcessRuntime\n"
        "folder = pathlib.Path(tempfile.mkdtemp())\n"
        "(folder / 'h.py').write_text('def handler(e, c):\\n    return 1\\n')\n"
        "runtime = InProcessRuntime({'fn': str(folder / 'h.py') + ':handler'})\n"
        "print(runtime('fn', {}).payload, flush=True)\n"
        "signal.raise_signal(signal.SIGALRM)\n"
        "print('survived')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout == "1\n", done.stderr
    assert done.returncode == -signal.SIGALRM


def test_an_injected_timeout_never_hits_a_later_invocation(runtime_for: RuntimeFor) -> None:
    runtime = runtime_for(
        "def handler(e, c):\n    while e.get('spin'):\n        pass\n    return sum(range(1000))\n"
    )

    def many() -> LambdaResult:
        results = [runtime("fn", {"spin": True}, timeout_s=0.05)]
        results += [runtime("fn", {}) for _ in range(200)]
        assert all(r.outcome is Outcome.OK for r in results[1:])
        return results[0]

    assert in_thread(many).outcome is Outcome.TIMEOUT


SLEEPS_AND_SWALLOWS = """
import sys
import time


def handler(event, context):
    if event.get("tracing"):
        return sys.gettrace() is None and sys.getprofile() is None
    while True:
        try:
            time.sleep(1)
        except BaseException:  # even the timeout
            pass
"""


@pytest.mark.slow
def test_a_sleeping_function_that_swallows_the_timeout_still_stops(
    runtime_for: RuntimeFor,
) -> None:
    # Off the main thread the caller must get its thread back on time, and untraced.
    runtime = runtime_for(SLEEPS_AND_SWALLOWS)

    def twice() -> tuple[LambdaResult, LambdaResult]:
        return runtime("fn", {}, timeout_s=0.1), runtime("fn", {"tracing": True})

    for _ in range(5):
        started = time.monotonic()
        results: list[tuple[LambdaResult, LambdaResult]] = []
        thread = threading.Thread(target=lambda out=results: out.append(twice()), daemon=True)
        thread.start()
        thread.join(5)
        assert results, "the thread never came back"
        timed_out, after = results[0]
        assert time.monotonic() - started < 0.8
        assert_timed_out(timed_out, "0.10")
        assert after.payload == "true"


def test_sleep_keeps_its_own_errors_off_the_main_thread(runtime_for: RuntimeFor) -> None:
    runtime = runtime_for("import time\ndef handler(e, c):\n    time.sleep(e['s'])\n")
    result = in_thread(lambda: runtime("fn", {"s": -1}))
    assert result.outcome is Outcome.ERROR
    assert result.error is not None and result.error["errorType"] == "ValueError"
    started = time.monotonic()
    assert in_thread(lambda: runtime("fn", {"s": 0.05})).outcome is Outcome.OK
    assert time.monotonic() - started >= 0.05


def test_timeout_interrupts_a_blocking_call_on_the_main_thread(runtime_for: RuntimeFor) -> None:
    # A read that would wait forever, as on a socket whose peer never answers. The pipe is
    # the test's: a timed-out function's own cleanup is cut short (as Lambda ends its process),
    # and what it opened would be left for the garbage collector.
    runtime = runtime_for("import os\ndef handler(e, c):\n    os.read(e['fd'], 1)\n")
    read_end, write_end = os.pipe()
    try:
        started = time.monotonic()
        result = runtime("fn", {"fd": read_end}, timeout_s=0.2)
        assert time.monotonic() - started < 0.8
        assert_timed_out(result, "0.20")
    finally:
        os.close(read_end)
        os.close(write_end)


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_timeouts_work_in_a_forked_child(runtime_for: RuntimeFor) -> None:
    # Threads do not come along into a forked child: the child must still stop a function at
    # its timeout, on its main thread and off it.
    runtime = runtime_for(INFINITE_LOOP)
    assert runtime("fn", {}, timeout_s=0.05).outcome is Outcome.TIMEOUT
    in_thread(lambda: runtime("fn", {}, timeout_s=0.05))
    # The caller answered at the deadline; the function's thread ends a moment later. Forking
    # before it has would copy a process with a thread stopped mid-way (locks held, never to
    # be released): that is not what `course invoke` forks, and the child could hang.
    deadline = time.monotonic() + 5
    while threading.active_count() > 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    pid = os.fork()
    if pid == 0:  # the child: report through the exit code, never return into pytest
        code = 1
        try:
            on_main = runtime("fn", {}, timeout_s=0.2).outcome is Outcome.TIMEOUT
            off_main = in_thread(lambda: runtime("fn", {}, timeout_s=0.2))
            code = 0 if on_main and off_main.outcome is Outcome.TIMEOUT else 1
        finally:
            os._exit(code)
    deadline = time.monotonic() + 10
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail("the child's function never timed out")
        time.sleep(0.02)
    assert os.waitstatus_to_exitcode(status) == 0


def test_a_tick_that_lands_in_our_own_code_strikes_in_the_function_s_instead() -> None:
    # Under load a tick can land while our code runs (setting up, unwinding the last strike,
    # `call_with_alarm`'s own `finally`): raised there, it would escape the call and leave the
    # alarm armed. Here one arrives in `call_with_alarm`'s frame.
    from course_cli.runtime import timeouts

    came_back: list[bool] = []

    def body() -> None:
        ours = sys._getframe(1)  # call_with_alarm's own frame
        timeouts._on_alarm(signal.SIGALRM, ours)
        came_back.append(True)
        while True:  # the function's own code: where the timeout strikes
            pass

    started = time.monotonic()
    timed_out, _ = timeouts.call_with_alarm(body, 5.0)
    assert came_back == [True]
    assert timed_out and time.monotonic() - started < 1.0  # struck soon, not at 5 s
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # nothing left ticking
