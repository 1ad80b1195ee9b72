"""Stopping a Lambda function at its timeout, inside our own process, with `TaskTimedOut`:
on the main thread, where Lambda runs a handler, by a SIGALRM timer (`call_with_alarm`),
which interrupts blocking calls too (its handlers, once set, stay, and pass what comes
between calls on to whoever held the signal before); anywhere else, by injecting it into a
thread of the function's own (`call_in_thread`). Once it has struck, the function's frames
are traced so it strikes again at the next line: not even a bare `except:` in a loop keeps
it alive. `lifted()` turns it all off for a debugger (`--debug`).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, Generic, TypeVar

R = TypeVar("R")

# How soon a timeout that the function swallowed is raised again (doubling off the main
# thread, where a function that keeps swallowing may never end).
_REFIRE_S = 0.005
_MAX_REFIRE_S = 1.0


class TaskTimedOut(BaseException):
    """Raised inside a function whose time is up; not an `Exception`, so it is not swallowed."""

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        # Created in the thread it strikes, so the one place to start tracing that thread.
        if threading.get_ident() in _out_of_time:
            _trace_function(sys._getframe(1))


class UserInterrupt(KeyboardInterrupt):
    """Ctrl-C pressed while a function ran on the main thread (not the function's own doing)."""


# Threads whose function is out of time: from the first `TaskTimedOut` until the call is over.
_out_of_time: set[int] = set()
_OWN_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _is_ours(frame: FrameType) -> bool:
    return frame.f_code.co_filename.startswith(_OWN_DIR)


def _trace_function(frame: FrameType | None) -> None:
    """Trace this thread's function from `frame` (skipping our own frames) up to its caller in
    our code, and every frame it calls from now on, with `_on_trace`."""
    sys.settrace(_on_trace)
    while frame is not None and _is_ours(frame):
        frame = frame.f_back
    while frame is not None and not _is_ours(frame):
        frame.f_trace = _on_trace
        frame.f_trace_lines = True
        frame = frame.f_back


def _on_trace(frame: FrameType, event: str, arg: object) -> Any:
    """Raise the timeout at any line the function runs once out of time, the first being in
    the handler that caught it. Only the function's frames, and those they call, are traced."""
    if threading.get_ident() not in _out_of_time or _is_ours(frame):
        return None
    if event == "call":
        caller = frame.f_back
        return _on_trace if caller is not None and caller.f_trace is _on_trace else None
    if event == "line":
        raise TaskTimedOut
    return _on_trace


_lifted = 0  # how many `lifted()` blocks are open


@contextmanager
def lifted() -> Iterator[None]:
    """While open, no timeout stops anything, in any thread: `call_with_alarm` and
    `call_in_thread` run their body to its end on the calling thread."""
    global _lifted
    _lifted += 1
    try:
        yield
    finally:
        _lifted -= 1


def timeouts_lifted() -> bool:
    """True inside a `lifted()` block."""
    return _lifted > 0


def alarm_available() -> bool:
    """True where `call_with_alarm` works: on the main thread, on a platform with SIGALRM."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


class _Alarm:
    """One call's state, as the signal handlers see it."""

    def __init__(self) -> None:
        self.armed = True
        self.fired = False
        self.interrupted = False
        self.previous_trace: Any = None


# The call the handlers serve now (None between calls), and what each signal had before ours.
# The handlers stay installed once set, since installing a handler costs more than a whole
# request through the gateway; between calls they pass each signal on to its previous owner.
_call: _Alarm | None = None
_previous: dict[int, Any] = {}


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    call = _call
    if call is None:
        _pass_on(signum, frame)
    elif call.armed:  # (a last tick may come after the call ended)
        if frame is not None and _is_ours(frame):
            # In our own code (setting the call up, or unwinding the last strike, even in
            # `call_with_alarm`'s own `finally`): strike soon in the function's code instead,
            # never here, where it would escape the call.
            signal.setitimer(signal.ITIMER_REAL, _REFIRE_S)
            return
        if not call.fired:  # what the tracing of a swallowed timeout will replace
            call.previous_trace = sys.gettrace()
            call.fired = True
        _out_of_time.add(threading.get_ident())
        # The next tick, for a function that swallows this one: one at a time, each armed by
        # the last (a repeating timer can tick faster than a slowed process unwinds, and the
        # handlers then nest without end).
        signal.setitimer(signal.ITIMER_REAL, _REFIRE_S)
        raise TaskTimedOut


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    # The *user* interrupted: told apart from the function's own KeyboardInterrupt, and
    # winning even if the function swallows it.
    call = _call
    if call is None:
        _pass_on(signum, frame)
        return
    call.interrupted = True
    if not call.armed:
        return  # the call is over: `call_with_alarm` raises once it has cleaned up
    previous = _previous.get(signum)
    if previous is None or previous is signal.default_int_handler:
        raise UserInterrupt
    previous(signum, frame)


def _pass_on(signum: int, frame: FrameType | None) -> None:
    """Between calls, a signal goes where it would have gone without our handlers."""
    previous = _previous.get(signum)
    if callable(previous):
        previous(signum, frame)
    elif previous == signal.SIG_DFL:
        signal.signal(signum, signal.SIG_DFL)  # taken back at the next call
        signal.raise_signal(signum)


def _install_handlers() -> None:
    """Make sure our handlers hold SIGALRM and SIGINT (an ignored or system-default SIGINT is
    not ours to change), noting what held them before: anyone may have replaced them since
    the last call, the function itself and a notebook's kernel (around each cell) included."""
    for signum, ours in ((signal.SIGALRM, _on_alarm), (signal.SIGINT, _on_sigint)):
        current = signal.getsignal(signum)
        if current is not ours and (signum == signal.SIGALRM or callable(current)):
            _previous[signum] = current
            signal.signal(signum, ours)


def call_with_alarm(body: Callable[[], R], timeout_s: float) -> tuple[bool, R | None]:
    """Run `body()` on the main thread, raising `TaskTimedOut` in it after `timeout_s`:
    `(timed_out, result)`, `result` None when the body did not return. `UserInterrupt` when
    the user pressed Ctrl-C meanwhile, even if the body caught it. An outer SIGALRM timer is
    put back with what was left of it. Inside `lifted()`: `(False, body())`."""
    global _call
    if _lifted:
        return False, body()
    _install_handlers()
    alarm, outer = _Alarm(), _call
    _call = alarm
    started = time.monotonic()
    delay = interval = 0.0
    result: R | None = None
    try:
        # Armed inside the `try`: a tiny timeout fires before the next line runs. (A zero
        # delay would disarm the timer instead of firing it.)
        delay, interval = signal.setitimer(signal.ITIMER_REAL, max(timeout_s, 1e-6))
        result = body()
    except TaskTimedOut:
        if not alarm.fired:  # not our timer's: the body's own doing
            raise
    finally:
        alarm.armed = False  # from here on, the handlers only take note
        signal.setitimer(signal.ITIMER_REAL, 0)
        _out_of_time.discard(threading.get_ident())
        if delay > 0:  # someone else's timer was running: give it back what is left of it
            left = delay - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-6), interval)
        if alarm.fired:
            sys.settrace(alarm.previous_trace)
        _call = outer
    if alarm.interrupted:
        raise UserInterrupt
    # A function that swallowed its timeout and returned later still ran out of time.
    return alarm.fired, result


class _Job(Generic[R]):
    """A body running on its own thread; `lock` orders its end against the stopper."""

    def __init__(self, body: Callable[[], R]) -> None:
        self.body = body
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.finished = False
        self.thread_id = 0
        self.result: R | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.body()
        except TaskTimedOut:
            pass  # stopped at its deadline; the caller answered without it
        except BaseException as exc:  # the body is not meant to raise: hand it to the caller
            self.error = exc
        finally:
            # Tell the stopper we are done, then let a last injection strike here, where it
            # is caught, rather than escape from the thread.
            while True:
                try:
                    with self.lock:
                        self.finished = True
                        _out_of_time.discard(self.thread_id)
                    _take_pending_exception()
                    break
                except TaskTimedOut:
                    continue
            sys.settrace(None)
            self.done.set()


def _take_pending_exception() -> None:
    """Nothing. A function call is where Python raises a pending asynchronous exception."""


def call_in_thread(
    body: Callable[[], R], *, wait_s: float, stop_after_s: float
) -> tuple[bool, R | None]:
    """Run `body()` on a new thread, waiting at most `wait_s`: `(finished, result)`, re-raising
    what the body raised. A body still running goes on (as on Lambda) until `stop_after_s`
    after the call began, then gets `TaskTimedOut` until it ends. Inside `lifted()`: the body
    runs on this thread, `(True, body())`."""
    if _lifted:
        return True, body()
    started = time.monotonic()
    job: _Job[R] = _Job(body)
    thread = threading.Thread(target=job.run, name="course-lambda", daemon=True)
    thread.start()
    job.thread_id = thread.ident or 0
    try:
        finished = job.done.wait(max(0.0, min(wait_s, stop_after_s)))
    except BaseException:  # Ctrl-C while waiting: stop the function too
        _stop(job, time.monotonic())
        raise
    if not finished:
        _stop(job, started + stop_after_s)
        return False, None
    if job.error is not None:
        raise job.error
    return True, job.result


def _stop(job: _Job[Any], at: float) -> None:
    """From a thread of its own: raise `TaskTimedOut` in `job` at `at`, and again until it ends."""

    import ctypes  # only needed once a function runs past its time

    def stop() -> None:
        pause = _REFIRE_S
        if job.done.wait(max(0.0, at - time.monotonic())):
            return
        while True:
            with job.lock:
                if job.finished:
                    return
                _out_of_time.add(job.thread_id)
                # Raised in the job's thread at its next function call or loop jump.
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(job.thread_id), ctypes.py_object(TaskTimedOut)
                )
            if job.done.wait(pause):
                return
            pause = min(pause * 2, _MAX_REFIRE_S)

    threading.Thread(target=stop, name="course-lambda-stop", daemon=True).start()
