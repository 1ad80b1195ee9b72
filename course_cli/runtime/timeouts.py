"""Stopping a function at its timeout, without stopping our own process.

Lambda kills a function that runs past its timeout. In-process we cannot kill, so we raise
`TaskTimedOut` inside the running code, which works for pure-Python loops too:

- On the main thread (`course invoke`, notebooks, tests) it is raised from a signal handler,
  so it also interrupts a blocking call. Where Linux's real-time signals exist, the watchdog
  thread below sends one to the main thread at the deadline (`pthread_kill`); its handler is
  installed once and stays, so an invocation costs no system call for its timeout. Elsewhere
  a `setitimer(ITIMER_REAL)` alarm does it, and the previous SIGALRM handler and timer are
  restored afterwards, whatever happens.
- Elsewhere (server threads), signals cannot be used. When the caller waits as long as the
  function may run (the usual case), the body runs on the caller's own thread
  (`call_inline`) and a watchdog thread injects the exception at the deadline with
  `PyThreadState_SetAsyncExc`: no thread handoff per invocation, which on a small VM costs
  more than the gateway itself. An injected exception waits for a blocking call to return,
  so `time.sleep` is made to wake at the deadline while such a function runs (the usual way
  a learner makes a function slow); other blocking calls answer when they return.
- When the caller stops waiting before the function's timeout (API Gateway's 29 s against a
  longer Lambda timeout), the body runs on a pooled worker thread (`call_in_worker`) while
  the caller waits on a lock; at the deadline the caller stops waiting and the watchdog
  stops the worker later, at the function's own deadline.

`TaskTimedOut` derives from `BaseException`, so a learner's `except Exception:` cannot
swallow it. It is raised again every few milliseconds until the function gives up, and on
the main thread also at the first line of any `except` block that caught it, so not even a
bare `except:` inside a loop keeps a timed-out function alive.
"""

from __future__ import annotations

# The C functions under `signal.signal` / `signal.getsignal`: the public wrappers convert
# every number to an enum, which costs more than the system calls on this per-call path.
import _signal  # type: ignore[import-not-found]
import heapq
import itertools
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any, Generic, TypeVar

R = TypeVar("R")

# How often a swallowed timeout is raised again.
_REFIRE_S = 0.005
# Idle worker threads kept for reuse; more are started when all are busy (or stuck).
_MAX_IDLE_WORKERS = 16

_MAIN_THREAD_ID = threading.main_thread().ident
_HAS_ALARM = hasattr(signal, "setitimer") and hasattr(signal, "SIGALRM")
if _HAS_ALARM:
    _SIGALRM = int(signal.SIGALRM)
    _ITIMER_REAL = signal.ITIMER_REAL
_SIGINT = int(signal.SIGINT)
# The signal the watchdog sends the main thread at a deadline: a real-time signal, which no
# library sends unasked (glibc keeps the first few for itself; SIGRTMIN is already past them).
_TIMEOUT_SIGNAL: int | None = (
    int(signal.SIGRTMIN) + 5
    if hasattr(signal, "SIGRTMIN") and hasattr(signal, "pthread_kill")
    else None
)


class TaskTimedOut(BaseException):
    """Raised inside a function whose time is up; not an `Exception`, so it is not swallowed."""

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        # An injected exception is created in the thread it strikes, when it reaches an
        # `except` (or, while another exception is handled, at once): the one moment that
        # thread runs our code. A function running inline gets watched from then on, so
        # that not even a bare `except:` in a loop keeps it alive (see `_Alarm.on_trace`).
        job = _inline_jobs.get(threading.get_ident())
        if job is not None and job.injected:
            _watch_inline(job, sys._getframe(1))


class UserInterrupt(KeyboardInterrupt):
    """Ctrl-C pressed while a function ran on the main thread (not the function's own doing)."""


def alarm_available() -> bool:
    """True on the main thread of a platform with `setitimer`: `call_with_alarm` works there
    (by the watchdog's real-time signal where there is one, else by the SIGALRM timer)."""
    return _HAS_ALARM and threading.get_ident() == _MAIN_THREAD_ID


# --- main thread: a signal alarm --------------------------------------------------------------


_NOTHING: Any = object()  # (`None` is a value `signal.signal` may return)


class _Alarm:
    # Defaults on the class: an instance (one per call) stores only what changes, which is
    # little unless the alarm fires.
    armed = False
    due = False  # set by the watchdog at the deadline, before it sends the timeout signal
    deadline = 0.0  # on the monotonic clock; the watchdog's next look once it is due
    fired = False
    interrupted = False
    previous_sigint: Any = None
    # What the SIGALRM timer replaced (when it is used): the handler, the timer, and when.
    previous_alarm: Any = _NOTHING
    previous_timer: tuple[float, float] | None = None
    started = 0.0
    previous_trace: Any = None
    previous_profile: Any = None
    tracing = False
    catching_frame: FrameType | None = None

    def on_alarm(self, signum: int, frame: FrameType | None) -> None:
        if not self.armed:
            return
        if self.fired and frame is not None and not _is_ours(frame):
            # The last one was swallowed (a bare `except:` in a loop), and the exception
            # raised below will most likely land in that `try` again: watch the function's
            # lines from now on (`on_trace`). Not from inside our own code, such as the
            # trace function itself.
            self._trace(frame)
        self.fired = True
        raise TaskTimedOut

    def _trace(self, frame: FrameType) -> None:
        """Trace `frame` and its callers up to our own code, and every frame called from now.

        A profile function goes with it: Python switches off a trace function that raises,
        and the profile function's `return` event (as the exception leaves a frame) switches
        it on again for the caller, where a handler may swallow the exception once more.
        """
        if not self.tracing:
            self.tracing = True
            self.previous_trace = sys.gettrace()
            self.previous_profile = sys.getprofile()
            sys.setprofile(self.on_profile)
        sys.settrace(self.on_trace)
        current: FrameType | None = frame
        while current is not None and not _is_ours(current):
            current.f_trace = self.on_trace
            current.f_trace_lines = True
            current = current.f_back

    def on_trace(self, frame: FrameType, event: str, arg: Any) -> Any:
        """Raise the timeout again at the first line of a handler that caught it.

        An exception raised inside an `except` block escapes its `try`.
        """
        if not self.armed or _is_ours(frame):
            return None
        if event == "exception" and arg[0] is TaskTimedOut:
            self.catching_frame = frame  # the next line it runs is in the handler
        elif event == "line" and (
            frame is self.catching_frame or sys.exc_info()[0] is TaskTimedOut
        ):
            self.catching_frame = None
            raise TaskTimedOut
        return self.on_trace

    def on_profile(self, frame: FrameType, event: str, arg: Any) -> None:
        if event == "return" and self.armed and not _is_ours(frame) and frame.f_back is not None:
            self._trace(frame.f_back)

    def on_sigint(self, signum: int, frame: FrameType | None) -> None:
        # Remember that the *user* interrupted, so a learner's own `raise KeyboardInterrupt`
        # can be told apart, and so Ctrl-C still wins if the function swallows it.
        self.interrupted = True
        previous = self.previous_sigint
        if previous is signal.default_int_handler or not callable(previous):
            raise UserInterrupt
        previous(signum, frame)


_OWN_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _is_ours(frame: FrameType) -> bool:
    return frame.f_code.co_filename.startswith(_OWN_DIR)


def call_with_alarm(body: Callable[[], R], timeout_s: float) -> tuple[bool, R | None]:
    """Run `body()` on the main thread, raising `TaskTimedOut` in it after `timeout_s`.

    Returns `(timed_out, result)`; `result` is `None` when the body did not return. Raises
    `KeyboardInterrupt` when the user pressed Ctrl-C meanwhile, even if the body caught it.
    """
    alarm = _Alarm()
    result: R | None = None
    try:
        try:
            _arm(alarm, timeout_s)
            result = body()
        except TaskTimedOut:
            if not alarm.fired:  # not ours: an outer invocation's, let it through
                raise
        # No function call (no point where a signal handler runs) from the body's end to here.
        alarm.armed = False
    except TaskTimedOut:  # a repeat of our alarm, landed just after the body: ours, done
        alarm.armed = False
    finally:
        # Disarmed, the alarm ignores the watchdog's signals from now on (one may still come).
        alarm.armed = False
        # Repeat until done: a last pending timeout (or Ctrl-C) may strike on the way.
        while True:
            try:
                _disarm(alarm)
                break
            except TaskTimedOut:
                continue
            except KeyboardInterrupt:
                alarm.interrupted = True
                continue
    if alarm.interrupted:
        raise UserInterrupt
    return alarm.fired, result


def _arm(alarm: _Alarm, timeout_s: float) -> None:
    """Catch Ctrl-C, and have `alarm` raise in the main thread after `timeout_s`: by the
    watchdog's signal where it can be used, else by a SIGALRM timer. Each change is recorded
    on the alarm as it is made, for `_disarm`."""
    current_sigint = _signal.getsignal(_SIGINT)
    if callable(current_sigint):
        alarm.previous_sigint = current_sigint
        _signal.signal(_SIGINT, alarm.on_sigint)
    if _timeout_signal_ready():
        alarm.deadline = time.monotonic() + timeout_s
        alarm.armed = True
        _main_alarms.append(alarm)
        _watchdog.watch_main_thread(alarm.deadline)
        return
    alarm.previous_alarm = _signal.signal(_SIGALRM, alarm.on_alarm)
    alarm.started = time.monotonic()
    alarm.armed = True
    # A zero delay would disarm the timer instead of firing it at once.
    alarm.previous_timer = signal.setitimer(_ITIMER_REAL, max(timeout_s, 1e-6), _REFIRE_S)


def _disarm(alarm: _Alarm) -> None:
    """Put back what `_arm` changed. Safe to run again if interrupted."""
    if alarm in _main_alarms:
        _main_alarms.remove(alarm)
    previous_timer = alarm.previous_timer
    if previous_timer is not None:
        signal.setitimer(_ITIMER_REAL, 0)
    previous_alarm = alarm.previous_alarm
    if previous_alarm is not _NOTHING:
        _signal.signal(_SIGALRM, signal.SIG_DFL if previous_alarm is None else previous_alarm)
    if alarm.previous_sigint is not None:
        _signal.signal(_SIGINT, alarm.previous_sigint)
    if alarm.tracing:
        sys.setprofile(alarm.previous_profile)
        sys.settrace(alarm.previous_trace)
        alarm.tracing = False
    if previous_timer is not None:
        delay, interval = previous_timer
        if delay > 0:  # someone else's alarm was pending: give it back what is left of it
            remaining = delay - (time.monotonic() - alarm.started)
            signal.setitimer(_ITIMER_REAL, max(remaining, 1e-6), interval)
        alarm.previous_timer = None


# The main thread's invocations now running, innermost last (one invocation may run another),
# each with its alarm: what the timeout signal's handler consults.
_main_alarms: list[_Alarm] = []


def _timeout_signal_ready() -> bool:
    """Whether our handler for the timeout signal is in place; installs it the first time.

    False where there is no such signal, or when someone else handles it (then the itimer
    alarm is used instead).
    """
    if _TIMEOUT_SIGNAL is None:
        return False
    current = _signal.getsignal(_TIMEOUT_SIGNAL)
    if current is _on_timeout_signal:
        return True
    if current not in (signal.SIG_DFL, None):
        return False
    _signal.signal(_TIMEOUT_SIGNAL, _on_timeout_signal)
    return True


def _on_timeout_signal(signum: int, frame: FrameType | None) -> None:
    # A signal can arrive after its invocation ended (sent just before): the alarm, disarmed
    # by then, ignores it. An outer invocation's deadline stops the inner one too.
    for alarm in reversed(_main_alarms):
        if alarm.due and alarm.armed:
            alarm.on_alarm(signum, frame)
            return


# --- other threads: a worker thread and an injected exception ----------------------------------

_QUEUED, _RUNNING, _ABANDONED, _FINISHED = range(4)


class _Job(Generic[R]):
    __slots__ = ("body", "done", "error", "injected", "lock", "result", "state", "thread_id")
    # A worker's job never sleeps interruptibly (see `_InlineJob.wakeup`).
    wakeup: Any = None

    def __init__(self, body: Callable[[], R]) -> None:
        self.body = body
        self.lock = threading.Lock()
        # Released by the worker when the job is over: a bare lock is the cheapest handoff
        # between two threads (an Event costs twice as much per invocation).
        self.done = threading.Lock()
        self.done.acquire()
        self.state = _QUEUED
        self.thread_id: int | None = None
        self.injected = False
        self.result: R | None = None
        self.error: BaseException | None = None


def _set_async_exc(thread_id: int, exc: type[BaseException]) -> None:
    """Make `exc` raise in thread `thread_id` at its next call or loop jump.

    There is deliberately no way to cancel: `PyThreadState_SetAsyncExc(id, NULL)` leaves the
    interpreter's "pending exception" flag raised on CPython 3.11, and the next function call
    spins forever. A pending exception is absorbed instead (`_absorb_pending_exception`).
    """
    import ctypes  # only needed once a function runs past its time

    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exc))


def _absorb_pending_exception() -> None:
    """Nothing; calling it raises an exception pending for this thread, if there is one.

    Entering a function is one of the points where Python raises a pending asynchronous
    exception, so callers wrap this call in `except TaskTimedOut` and retry.
    """


def _run_job(job: _Job[Any]) -> None:
    thread_id = threading.get_ident()
    with job.lock:
        if job.state == _ABANDONED:  # the caller gave up before we even started
            job.state = _FINISHED
            job.done.release()
            return
        job.thread_id = thread_id
        job.state = _RUNNING
    try:
        job.result = job.body()
    except TaskTimedOut:
        pass  # stopped at its deadline; the caller already answered without us
    except BaseException as exc:  # the body is not meant to raise; hand it to the caller
        job.error = exc
    # Mark the job finished so the watchdog stops injecting, then absorb an injection that
    # is still pending, so it cannot strike this thread's next job.
    while True:
        try:
            with job.lock:
                job.state = _FINISHED
                injected = job.injected
            if injected:
                _absorb_pending_exception()
            break
        except TaskTimedOut:
            continue
    job.done.release()


class _Worker:
    def __init__(self, pool: _WorkerPool) -> None:
        self.pool = pool
        self.inbox: queue.SimpleQueue[_Job[Any]] = queue.SimpleQueue()
        threading.Thread(target=self._serve, name="course-lambda-worker", daemon=True).start()

    def _serve(self) -> None:
        while True:
            _run_job(self.inbox.get())
            if not self.pool.release(self):
                return


class _WorkerPool:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []

    def submit(self, job: _Job[Any]) -> None:
        with self._lock:
            worker = self._idle.pop() if self._idle else None
        if worker is None:
            worker = _Worker(self)
        worker.inbox.put(job)

    def release(self, worker: _Worker) -> bool:
        with self._lock:
            if len(self._idle) >= _MAX_IDLE_WORKERS:
                return False
            self._idle.append(worker)
            return True


class _Watchdog:
    """One daemon thread that stops jobs at their deadlines (and keeps at it).

    Finished jobs stay in the heap (removing each would cost every invocation a search)
    until the thread next wakes and finds them at the top, or until the heap holds
    `_COMPACT_AT` entries: then the finished ones are dropped all at once, which bounds the
    memory a busy server with a long function timeout keeps. The thread is woken only for a
    deadline earlier than the one it already waits for, and with nothing left to watch it
    waits until the deadline of the invocation that began last: so a steady stream of
    invocations (each due a little later than the last) wakes it about once per timeout, not
    once per invocation - also after one with a longer limit (a cold start's 10 s init).
    """

    _COMPACT_AT = 10_000

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, _Job[Any] | _InlineJob]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None
        self._wakes_at = float("inf")  # when the thread's current wait ends
        # The deadline of the invocation that began last, on any thread: until then, the
        # thread sleeps even with nothing to watch. (The last one's, not the latest of all:
        # one long limit must not leave the thread asleep past every shorter deadline after
        # it, to be woken by each.)
        self._last_deadline = 0.0
        self.rounds = 0  # how many times the thread has woken and looked (a diagnostic)

    def stop_at(self, job: _Job[Any] | _InlineJob, deadline: float) -> None:
        """Stop `job` (on another thread than the main one) at `deadline`, unless it is over."""
        with self._cond:
            if len(self._heap) >= self._COMPACT_AT:
                self._heap = [entry for entry in self._heap if entry[2].state != _FINISHED]
                heapq.heapify(self._heap)
            heapq.heappush(self._heap, (deadline, next(self._order), job))
            self._last_deadline = deadline
            if deadline < self._wakes_at:
                self._wake()

    def watch_main_thread(self, deadline: float) -> None:
        """Look at `_main_alarms` by `deadline`: an alarm just added there is due then.

        No lock unless the thread must be woken: the main thread publishes the alarm first,
        and the thread marks itself awake (`_wakes_at` = infinity) before it reads them.
        """
        self._last_deadline = deadline
        if deadline < self._wakes_at:
            with self._cond:
                self._wake()

    def _wake(self) -> None:
        # Called with the lock held.
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._watch, name="course-lambda-watchdog", daemon=True
            )
            self._thread.start()
        self._wakes_at = float("-inf")  # woken: nobody else need wake it
        self._cond.notify()

    def _watch(self) -> None:
        with self._cond:
            while True:
                self._wakes_at = float("inf")  # awake: whoever adds a deadline now wakes us
                self.rounds += 1
                now = time.monotonic()
                wake_at = self._stop_due_jobs(now)
                main_at = self._signal_main_thread(now)
                if main_at is not None:
                    wake_at = min(wake_at, main_at)
                if wake_at == float("inf"):
                    # Nothing to watch: sleep until the last invocation would have been due,
                    # so that the stream of invocations that follows need not wake us.
                    wake_at = self._last_deadline
                    if wake_at <= now:
                        wake_at = float("inf")
                self._wakes_at = wake_at
                self._cond.wait(None if wake_at == float("inf") else wake_at - now)

    def _stop_due_jobs(self, now: float) -> float:
        """Stop the heap's jobs that are due; the next deadline in it (infinity if none)."""
        heap = self._heap
        while heap:
            deadline, _, job = heap[0]
            if job.state == _FINISHED:
                heapq.heappop(heap)
                continue
            if deadline > now:
                return deadline
            heapq.heappop(heap)
            with job.lock:
                if job.state == _FINISHED:
                    continue
                if job.thread_id is not None:
                    _set_async_exc(job.thread_id, TaskTimedOut)
                    job.injected = True
                    wakeup = job.wakeup
                    if wakeup is not None and wakeup.locked():
                        wakeup.release()  # a sleeping function wakes to its exception
            heapq.heappush(heap, (now + _REFIRE_S, next(self._order), job))
        return float("inf")

    @staticmethod
    def _signal_main_thread(now: float) -> float | None:
        """Signal the main thread for its due invocations; when to look again (None: never)."""
        next_look: float | None = None
        for alarm in list(_main_alarms):  # (a copy: the main thread changes the list)
            if not alarm.armed:
                continue
            if alarm.deadline <= now:
                alarm.due = True
                alarm.deadline = now + _REFIRE_S  # and again until the function gives up
                assert _TIMEOUT_SIGNAL is not None
                signal.pthread_kill(_MAIN_THREAD_ID or 0, _TIMEOUT_SIGNAL)
            if next_look is None or alarm.deadline < next_look:
                next_look = alarm.deadline
        return next_look


_pool = _WorkerPool()
_watchdog = _Watchdog()


class _InlineJob:
    """A function running on its caller's thread, as the watchdog sees it (see `_Job`)."""

    __slots__ = ("alarm", "injected", "lock", "state", "thread_id", "wakeup")

    def __init__(self, thread_id: int) -> None:
        self.lock = threading.Lock()
        self.state = _RUNNING
        self.thread_id: int | None = thread_id
        self.injected = False
        # Created (locked) by the first `time.sleep` the function calls (most never sleep);
        # released once, by the watchdog. A bare lock, not an Event: the exception injected
        # at the deadline may strike anywhere in Python code, even inside an Event's own,
        # and leave it locked for the watchdog.
        self.wakeup: Any = None
        # The tracing that re-raises a swallowed timeout, once one has struck.
        self.alarm: _Alarm | None = None


def _watch_inline(job: _InlineJob, frame: FrameType | None) -> None:
    """Trace the function from `frame` up, as the main thread's alarm does once it fired."""
    alarm = job.alarm
    if alarm is None:
        alarm = job.alarm = _Alarm()
        alarm.armed = alarm.fired = True
    if frame is not None and alarm.armed and not _is_ours(frame):
        alarm._trace(frame)


# Thread id -> the job running inline on that thread: what `_sleep` consults.
_inline_jobs: dict[int, _InlineJob] = {}


def _start_afresh_after_fork() -> None:
    """In a forked child: the watchdog and the workers are threads, which a fork does not
    copy. Their objects would still say they run, and no timeout would ever strike."""
    global _pool, _watchdog
    _pool = _WorkerPool()
    _watchdog = _Watchdog()
    _inline_jobs.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_start_afresh_after_fork)

_real_sleep = time.sleep


def call_inline(body: Callable[[], R], timeout_s: float) -> tuple[bool, R | None]:
    """Run `body()` on this thread (any thread), raising `TaskTimedOut` in it after `timeout_s`.

    Returns `(timed_out, result)` like `call_with_alarm`; `result` is `None` when the body did
    not return. The exception is injected by the watchdog thread and raised again every few
    milliseconds until the body gives up; a `time.sleep` in the body wakes at the deadline.
    """
    _make_sleep_interruptible()
    thread_id = threading.get_ident()
    job = _InlineJob(thread_id)
    _inline_jobs[thread_id] = job
    _watchdog.stop_at(job, time.monotonic() + timeout_s)
    timed_out = False
    result: R | None = None
    try:
        try:
            result = body()
        except TaskTimedOut:
            if not job.injected:  # not the watchdog's: the body raised it itself
                raise
            timed_out = True
    finally:
        # Stop the watchdog, then absorb an injection still pending, so that it cannot
        # strike the caller's code. Repeated if one lands on the way.
        while True:
            try:
                with job.lock:
                    job.state = _FINISHED
                    injected = job.injected
                if injected:
                    _absorb_pending_exception()
                break
            except TaskTimedOut:
                timed_out = True
                continue
        alarm = job.alarm
        if alarm is not None:
            alarm.armed = False
            if alarm.tracing:
                sys.setprofile(alarm.previous_profile)
                sys.settrace(alarm.previous_trace)
                alarm.tracing = False
        del _inline_jobs[thread_id]
    return timed_out, result


def _make_sleep_interruptible() -> None:
    """Put `_sleep` in place of `time.sleep`, once: code that runs a function inline (and
    looks `time.sleep` up when it runs) sleeps no longer than the function's deadline."""
    if time.sleep is _real_sleep:
        time.sleep = _sleep


def _sleep(seconds: Any) -> None:  # what time.sleep takes (it refuses the rest)
    """`time.sleep`, except that a function running inline wakes at its deadline."""
    job = _inline_jobs.get(threading.get_ident())
    if job is None or type(seconds) not in (int, float) or not 0 < seconds < 1e9:
        _real_sleep(seconds)  # not ours to change, or an argument it should refuse
        return
    with job.lock:
        if job.injected:
            return  # past the deadline: the pending exception strikes on return
        wakeup = job.wakeup
        if wakeup is None:
            wakeup = job.wakeup = threading.Lock()
            wakeup.acquire()
    # Returns early (having taken the lock) once the watchdog releases it at the deadline;
    # from then on `job.injected` makes every sleep return at once.
    wakeup.acquire(timeout=seconds)


def call_in_worker(
    body: Callable[[], R], *, wait_s: float, stop_after_s: float
) -> tuple[bool, R | None]:
    """Run `body()` on a worker thread and wait for it at most `wait_s` seconds.

    Returns `(finished, result)`. If the body is still running when the wait ends, it is left
    to run until `stop_after_s` seconds after the call began (Lambda keeps running a function
    its caller stopped waiting for), then `TaskTimedOut` is raised in it.
    """
    started = time.monotonic()
    job: _Job[R] = _Job(body)
    _pool.submit(job)
    try:
        finished = job.done.acquire(timeout=max(wait_s, 0.0))
    except BaseException:  # Ctrl-C while waiting: stop the function too
        _abandon(job, time.monotonic())
        raise
    if not finished:
        if _abandon(job, started + stop_after_s):
            return False, None
        job.done.acquire()  # it finished just as we gave up: take its result
    if job.error is not None:
        raise job.error
    return True, job.result


def _abandon(job: _Job[Any], stop_at: float) -> bool:
    with job.lock:
        if job.state == _FINISHED:
            return False
        job.state = _ABANDONED
    _watchdog.stop_at(job, stop_at)
    return True
