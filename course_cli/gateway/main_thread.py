"""Lambda invocations handed to the main thread, where Lambda runs a handler.

On Lambda a handler runs on its runtime's main thread, one invocation at a time, and code
relies on it (`asyncio.get_event_loop()` in Mangum, `signal.signal`, our timeout's SIGALRM).
`MainThreadInvoker` lets a server's threads hand invocations to the main thread, which
`course serve` lends with `run_until`.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import Any

from course_cli.gateway.invoker import LambdaInvoker, LambdaResult, Outcome

# How often the main thread, waiting for an invocation, looks whether it should stop.
_LOOK_S = 0.25


class _Call:
    """One invocation on its way to the main thread and back."""

    def __init__(self, function_name: str, event: Any, timeout_s: float, wait_s: float) -> None:
        self.function_name = function_name
        self.event = event
        self.timeout_s = timeout_s
        self.wait_s = wait_s
        self.queued = time.monotonic()
        self.started = False
        self.cancelled = False
        self.result: LambdaResult | None = None
        self.error: Exception | None = None
        # Released when the result is in.
        self.done = threading.Lock()
        self.done.acquire()


class MainThreadInvoker(LambdaInvoker):
    """Runs `invoker`'s invocations on the main thread while it is lent (`run_until`), in the
    order they come; on the calling thread otherwise.

    A caller waits at most its `wait_s` for its turn; an invocation that has not started by
    then does not run, and the caller gets `Outcome.NO_ANSWER` (API Gateway's 504). Once
    started, the invoker itself keeps to what is left of the wait.
    """

    def __init__(self, invoker: LambdaInvoker) -> None:
        self._invoker = invoker
        self._calls: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._lent = False

    def invoke(
        self, function_name: str, event: Any, timeout_s: float, wait_s: float
    ) -> LambdaResult:
        call = _Call(function_name, event, timeout_s, wait_s)
        with self._lock:
            lent = self._lent
            if lent:
                self._calls.put(call)
        if not lent:
            return self._invoker(function_name, event, timeout_s=timeout_s, wait_s=wait_s)
        if not call.done.acquire(timeout=max(wait_s, 0.0)):
            with self._lock:
                if not call.started:
                    call.cancelled = True
                    return LambdaResult(Outcome.NO_ANSWER, "")
            call.done.acquire()
        if call.error is not None:
            raise call.error
        assert call.result is not None
        return call.result

    def run_until(self, stop: threading.Event) -> None:
        """Run invocations as they come, on this (the main) thread, until `stop` is set.

        Ctrl-C propagates; the invocation it interrupted, and those still waiting, get
        `Outcome.NO_ANSWER`.
        """
        with self._lock:
            self._lent = True
        try:
            while not stop.is_set():
                try:
                    call = self._calls.get(timeout=_LOOK_S)
                except queue.Empty:
                    continue
                if call is not None:
                    self._run(call)
        finally:
            with self._lock:
                self._lent = False
            while True:  # nothing more will run here: answer those still waiting
                try:
                    call = self._calls.get_nowait()
                except queue.Empty:
                    break
                if call is not None:
                    call.result = LambdaResult(Outcome.NO_ANSWER, "")
                    call.done.release()

    def stop(self) -> None:
        """Wake `run_until` to see its `stop` event (set it first)."""
        self._calls.put(None)

    def _run(self, call: _Call) -> None:
        with self._lock:
            if call.cancelled:
                return
            call.started = True
        waited = time.monotonic() - call.queued
        try:
            call.result = self._invoker(
                call.function_name,
                call.event,
                timeout_s=call.timeout_s,
                wait_s=call.wait_s - waited,
            )
        except Exception as exc:  # FunctionNotFound, or an invoker's bug: the caller's to see
            call.error = exc
        except BaseException:  # Ctrl-C: the server stops, this request gets no answer
            call.result = LambdaResult(Outcome.NO_ANSWER, "")
            raise
        finally:
            call.done.release()
