"""`ForkedRuntime`: a handler that ends its process is Lambda's Runtime.ExitError, not ours."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

import pytest

from course_cli.errors import HandlerError
from course_cli.gateway.invoker import Outcome
from course_cli.runtime import InProcessRuntime
from course_cli.runtime.forked import ForkedRuntime

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")

Forked = Callable[[str], ForkedRuntime]


@pytest.fixture
def forked_for(runtime_for: Callable[[str], InProcessRuntime]) -> Iterator[Forked]:
    made: list[ForkedRuntime] = []

    def make(source: str) -> ForkedRuntime:
        made.append(ForkedRuntime(runtime_for(source)))
        return made[-1]

    yield make
    for runtime in made:
        runtime.close()


def test_a_return_value_comes_back_and_the_child_stays_warm(forked_for: Forked) -> None:
    runtime = forked_for(
        "calls = 0\ndef handler(event, context):\n"
        "    global calls\n    calls += 1\n    print('call', calls)\n    return calls\n"
    )
    runtime.load("fn")
    first, second = runtime("fn", {}), runtime("fn", {})
    assert (first.outcome, first.payload, second.payload) == (Outcome.OK, "1", "2")
    assert "call 2" in second.logs and "call 1" not in second.logs


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("os._exit(3)", "exit status 3"),
        ("ctypes.string_at(0)", "signal: segmentation fault"),
        ("os.kill(os.getpid(), signal.SIGKILL)", "signal: killed"),
    ],
)
def test_a_handler_ending_its_process_is_an_exit_error(
    forked_for: Forked, body: str, reason: str
) -> None:
    runtime = forked_for(
        "import ctypes, os, signal\n"
        f"def handler(event, context):\n    print('before')\n    {body}\n"
    )
    result = runtime("fn", {})
    assert result.outcome is Outcome.ERROR
    assert result.error is not None and result.error["errorType"] == "Runtime.ExitError"
    assert result.error["errorMessage"].endswith(f"Runtime exited with error: {reason}")
    assert "before\n" in result.logs and "Error Type: Runtime.ExitError" in result.logs
    # A fresh execution environment answers the next call.
    assert runtime("fn", {}).error["errorType"] == "Runtime.ExitError"  # type: ignore[index]


@pytest.mark.slow
def test_a_function_its_timeout_cannot_reach_is_stopped_by_the_parent(forked_for: Forked) -> None:
    runtime = forked_for(
        "import signal\ndef handler(event, context):\n"
        "    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])\n"
        "    while True:\n        pass\n"
    )
    runtime.load("fn")
    started = time.monotonic()
    result = runtime("fn", {}, timeout_s=0.2)
    assert result.outcome is Outcome.TIMEOUT
    assert "Task timed out after 0.20 seconds" in result.payload
    assert time.monotonic() - started < 5


def test_loading_that_ends_the_process_is_a_handler_error(forked_for: Forked) -> None:
    runtime = forked_for("import os\nos._exit(4)\ndef handler(event, context):\n    pass\n")
    with pytest.raises(HandlerError, match=r"ended the process it ran in: .*exit status 4"):
        runtime.load("fn")


def test_a_module_that_does_not_load_is_the_usual_handler_error(forked_for: Forked) -> None:
    runtime = forked_for("def handler(event, context)\n")
    with pytest.raises(HandlerError, match=r"SyntaxError|syntax"):
        runtime.load("fn")
