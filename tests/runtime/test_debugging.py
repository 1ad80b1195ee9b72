"""`--debug`'s runtime side: timeouts lifted, and `breakpoint()` pointed at the terminal."""

from __future__ import annotations

import sys
import threading
import time

import pytest

from course_cli.runtime.debugging import debug_session
from course_cli.runtime.timeouts import (
    call_in_thread,
    call_with_alarm,
    lifted,
    timeouts_lifted,
)


def _slow() -> str:
    time.sleep(0.2)
    return "done"


def test_a_lifted_alarm_lets_the_function_finish() -> None:
    assert call_with_alarm(_slow, 0.05) == (True, None)  # as ever: stopped
    with lifted():
        assert timeouts_lifted()
        assert call_with_alarm(_slow, 0.05) == (False, "done")
    assert not timeouts_lifted()


def test_a_lifted_thread_call_runs_here_to_its_end() -> None:
    assert call_in_thread(_slow, wait_s=0.05, stop_after_s=0.05) == (False, None)
    ran_on: list[threading.Thread] = []

    def body() -> str:
        ran_on.append(threading.current_thread())
        return _slow()

    with lifted():
        assert call_in_thread(body, wait_s=0.05, stop_after_s=0.05) == (True, "done")
    assert ran_on == [threading.current_thread()]


def test_debug_session_sets_and_restores_the_breakpoint_hook(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = sys.breakpointhook
    with debug_session():
        assert sys.breakpointhook is not before and timeouts_lifted()
    assert sys.breakpointhook is before and not timeouts_lifted()
    with debug_session(enabled=False):
        assert sys.breakpointhook is before and not timeouts_lifted()


def test_a_chosen_pythonbreakpoint_is_left_to_python(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONBREAKPOINT", "0")  # Python's own "breakpoint() does nothing"
    with debug_session():
        assert breakpoint() is None
