"""Run a learner's Lambda handler inside this process, as Lambda's Python runtime would.

`InProcessRuntime` is the `LambdaInvoker` behind `course invoke`, `course serve` and the
notebooks: the payload, error documents, timeout and log are Lambda's.
"""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from course_cli.errors import HandlerError
from course_cli.gateway.invoker import FunctionNotFound, LambdaInvoker, LambdaResult, Outcome
from course_cli.runtime import lambda_errors, logs
from course_cli.runtime.handler_loader import HandlerCache, HandlerLoadError, LoadedHandler
from course_cli.runtime.handler_spec import HandlerSpec, parse_handler_spec
from course_cli.runtime.lambda_context import LambdaContext, new_request_id
from course_cli.runtime.serialization import MarshalError, copy_event, marshal_response
from course_cli.runtime.timeouts import (
    TaskTimedOut,
    UserInterrupt,
    alarm_available,
    call_in_thread,
    call_with_alarm,
)

# Lambda gives a module's top level (the init phase) 10 seconds.
INIT_TIMEOUT_S = 10.0

R = TypeVar("R")

# The service's own error documents are Go's compact JSON; the runtime's are Python's.
_compact_json = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


class UnknownFunctionError(FunctionNotFound, HandlerError):
    """A function name the runtime has no handler for: a 500 from the gateway, as when
    Lambda says the function does not exist, and a `HandlerError` for commands (exit 2)."""

    def __init__(self, function_name: str, known: str) -> None:
        HandlerError.__init__(
            self,
            f"no Lambda function named {function_name!r} (known: {known})",
            "map the function to a handler file",
        )
        self.function_name = function_name
        self.detail = f"this runtime knows {known}"


class InProcessRuntime(LambdaInvoker):
    """Lambda functions by name, each a handler (`{"products": "app.py:handler"}`, relative to
    `base_dir`, default the working folder) or a `HandlerSpec`, loaded on first use and again
    when its file changes; `environments`: each function's variables while it loads or runs."""

    def __init__(
        self,
        functions: Mapping[str, str | HandlerSpec],
        *,
        base_dir: Path | None = None,
        environments: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self._specs: dict[str, HandlerSpec] = {
            name: spec if isinstance(spec, HandlerSpec) else parse_handler_spec(spec, base_dir)
            for name, spec in functions.items()
        }
        self._environments = {name: dict(env) for name, env in (environments or {}).items()}
        # One cache per function: two functions on the same file each get their own module,
        # loaded under their own variables, as two Lambda functions get their own sandboxes.
        self._caches: defaultdict[str, HandlerCache] = defaultdict(HandlerCache)
        # Told the function's name when a cold start's init is over (its timeout starts now).
        self.after_init: Callable[[str], None] | None = None
        # Loaded by `load`: their next invocation shows the init, as a cold start's would.
        self._loaded_ahead: dict[str, LoadedHandler] = {}

    @property
    def functions(self) -> dict[str, HandlerSpec]:
        """The functions this runtime knows, by name."""
        return dict(self._specs)

    def spec(self, function_name: str) -> HandlerSpec:
        """Where `function_name`'s handler lives; `HandlerError` for an unknown name."""
        spec = self._specs.get(function_name)
        if spec is None:
            known = ", ".join(sorted(self._specs)) or "none"
            raise UnknownFunctionError(function_name, known)
        return spec

    def load(self, function_name: str) -> LoadedHandler:
        """Load (or reuse) the handler now, within Lambda's 10 s init limit; `HandlerError`
        with one clear line if it can't (for commands that report it up front)."""
        spec = self.spec(function_name)
        cache = self._caches[function_name]
        with function_environment(self._environments.get(function_name)):
            answered, loaded = _within_init_limit(lambda: cache.get(spec)[0], INIT_TIMEOUT_S)
        if not answered or loaded is None:
            cache.forget(spec)
            raise HandlerError(
                f"loading {spec.path.name} took longer than {INIT_TIMEOUT_S:.0f} s, "
                "Lambda's limit for a module's top level",
                "move slow work (or an endless loop) out of the module's top level",
            )
        self._loaded_ahead[function_name] = loaded
        return loaded

    def invoke(
        self, function_name: str, event: Any, timeout_s: float, wait_s: float
    ) -> LambdaResult:
        """Invoke `function_name` with `event`, as Lambda's Invoke API would.

        Never raises for anything the function does; raises `UnknownFunctionError` for an
        unknown name, `TypeError` for an event that is not JSON, `KeyboardInterrupt` on Ctrl-C.
        """
        spec = self.spec(function_name)
        event = copy_event(event)
        with function_environment(self._environments.get(function_name)):
            arrived = time.monotonic()
            cache = self._caches[function_name]
            invocation = _Invocation(cache, function_name, spec, event, timeout_s, arrived)
            logs.install_capture()
            loaded = invocation.loaded = cache.current(spec)
            ahead = self._loaded_ahead.pop(function_name, None)
            if ahead is not None and ahead is loaded:  # its cold start, the init already done
                invocation.prefix = ahead.init_output
                invocation.init_ms = ahead.init_duration_ms
            if loaded is None:  # a cold start: Lambda's Init phase comes first, timed apart
                ended = self._init(invocation, wait_s)
                if ended is not None:
                    return ended
                if self.after_init is not None:
                    self.after_init(function_name)
                invocation.started = now = time.monotonic()
                wait_s -= now - arrived  # the caller's wait covers both phases
            if wait_s >= timeout_s and alarm_available():
                # On the main thread, where Lambda runs a handler, when the caller waits as long
                # as the function may run.
                try:
                    timed_out, result = call_with_alarm(invocation.execute, timeout_s)
                finally:
                    # The timeout may have struck before `execute` handed the thread's output back.
                    logs.restore(invocation.previous_capture)
                if timed_out or result is None:
                    return invocation.timed_out()
                return result
            finished, result = call_in_thread(
                invocation.execute, wait_s=wait_s, stop_after_s=timeout_s
            )
            if finished and result is not None:
                return result
            return invocation.timed_out() if timeout_s <= wait_s else invocation.no_answer()

    def _init(self, invocation: _Invocation, wait_s: float) -> LambdaResult | None:
        """Lambda's Init phase on a cold start, with its own 10 s limit, before the function's
        timeout. Returns the result when the invocation ends here (a failed load, a caller
        that stopped waiting); else `invocation.loaded` is the handler, or None past 10 s,
        when the invoke phase runs the top level again (Lambda's "suppressed" init)."""
        cache, spec = invocation.cache, invocation.spec

        def load() -> LoadedHandler | HandlerLoadError:
            try:
                return cache.get(spec)[0]
            except HandlerLoadError as exc:
                return exc

        answered, loaded = _within_init_limit(load, wait_s)
        if not answered:
            return invocation.no_answer()
        if isinstance(loaded, HandlerLoadError):
            return invocation.load_failed(loaded)
        if loaded is not None:
            invocation.loaded = loaded
            invocation.prefix = loaded.init_output
            invocation.init_ms = loaded.init_duration_ms
        return None


@contextmanager
def function_environment(variables: Mapping[str, str] | None) -> Iterator[None]:
    """`variables` in `os.environ` for the length of the block, then the previous values back.

    Handlers run one at a time on the main thread under `course serve`, so one function never
    sees another's variables. A handler still running on its own thread after its caller
    stopped waiting (a timeout off the main thread) loses them early: a limit of one process.
    """
    if not variables:
        yield
        return
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _within_init_limit(load: Callable[[], R], wait_s: float) -> tuple[bool, R | None]:
    """Run `load` within Lambda's init limit, waiting at most `wait_s`: `(answered, result)`,
    `result` None past the limit; when not answered, the load goes on on its own thread."""
    if wait_s >= INIT_TIMEOUT_S and alarm_available():
        return True, call_with_alarm(load, INIT_TIMEOUT_S)[1]
    finished, result = call_in_thread(load, wait_s=wait_s, stop_after_s=INIT_TIMEOUT_S)
    return finished or wait_s >= INIT_TIMEOUT_S, result


@dataclass(eq=False)
class _Invocation:
    """One invocation's state, shared by the thread running it and the thread waiting for it."""

    cache: HandlerCache
    function_name: str
    spec: HandlerSpec
    event: Any
    timeout_s: float
    started: float
    request_id: str = field(default_factory=new_request_id)
    previous_capture: logs.Capture | None = None
    prefix: str = ""  # log text before START: what the module printed while it loaded
    init_ms: float | None = None
    loaded: LoadedHandler | None = None

    def __post_init__(self) -> None:
        self.capture = logs.Capture(self.request_id)

    # --- on the thread that runs the function ---

    def execute(self) -> LambdaResult:
        """Load the handler if needed, call it, and turn whatever happens into a result."""
        self.previous_capture = logs.register(self.capture)
        try:
            return self._execute()
        finally:
            logs.restore(self.previous_capture)

    def _execute(self) -> LambdaResult:
        request_id = self.request_id
        loaded = self.loaded
        if loaded is None:
            # The init phase ran out of its 10 s: the top level runs again now, within the
            # function's timeout, and its time counts in the invocation's (no Init Duration).
            try:
                loaded, cold = self.cache.get(self.spec)
            except HandlerLoadError as exc:
                return self.load_failed(exc)
            if cold:
                self.prefix = loaded.init_output
        context = LambdaContext(
            function_name=self.function_name,
            aws_request_id=request_id,
            log_stream_name=loaded.log_stream_name,
            timeout_s=self.timeout_s,
            started=self.started,
        )
        try:
            value = loaded.function(self.event, context)
        except TaskTimedOut:
            raise
        except SystemExit as exc:
            if exc.code is not None and not isinstance(exc.code, int):
                # What Python itself does with sys.exit("message") before exiting.
                self.capture.keep(f"{exc.code}\n")
            return self._exited(lambda_errors.exit_reason(exc.code))
        except KeyboardInterrupt as exc:
            if isinstance(exc, UserInterrupt):
                raise
            # Raised by the function itself: an uncaught KeyboardInterrupt ends the process.
            return self._exited("Runtime exited with error: signal: interrupt")
        except BaseException as exc:  # anything else the function raises is a function error
            return self._failed(lambda_errors.function_error(exc, request_id))
        try:
            payload = marshal_response(value)
        except MarshalError as exc:
            error = lambda_errors.make_error(str(exc), lambda_errors.MARSHAL_ERROR, [], request_id)
            return self._failed(error, value)
        return self._finish(Outcome.OK, payload, None, "", value)

    def _failed(self, error: dict[str, Any], value: Any = None) -> LambdaResult:
        return self._finish(
            Outcome.ERROR, marshal_response(error), error, logs.error_lines(error), value
        )

    def _exited(self, reason: str, lines: str | None = None) -> LambdaResult:
        # Lambda starts a fresh execution environment after the runtime exits.
        self.cache.forget(self.spec)
        error = lambda_errors.exit_error(self.request_id, reason)
        if lines is None:
            lines = f"{error['errorMessage']}\n{lambda_errors.EXIT_ERROR}\n"
        return self._finish(Outcome.ERROR, _compact_json(error), error, lines, None)

    def load_failed(self, exc: HandlerLoadError) -> LambdaResult:
        """The result of an invocation whose module could not be loaded."""
        error = dict(exc.lambda_error)
        if exc.at_init:
            # Lambda logs an init failure before the invocation's START line.
            self.prefix = exc.output + logs.error_lines(error)
            extra = ""
        else:
            error["requestId"] = self.request_id
            extra = logs.error_lines(error)
        if exc.exit_reason is not None:  # sys.exit() at import: the runtime process ended
            return self._exited(exc.exit_reason, extra)
        return self._finish(Outcome.ERROR, marshal_response(error), error, extra, None)

    def _finish(
        self, outcome: Outcome, payload: str, error: dict[str, Any] | None, extra: str, value: Any
    ) -> LambdaResult:
        duration_ms = (time.monotonic() - self.started) * 1000
        request_id = self.request_id
        # REPORT names what the platform ended: a timeout (billed in full), a runtime exit.
        billed_ms, status = None, None
        if outcome is Outcome.TIMEOUT:
            billed_ms, status = round(self.timeout_s * 1000), "timeout"
        elif error is not None and error.get("errorType") == lambda_errors.EXIT_ERROR:
            status = lambda_errors.EXIT_ERROR
        log_text = (
            f"{self.prefix}{logs.start_line(request_id)}{self.capture.text()}{extra}"
            f"{logs.end_line(request_id)}"
            + logs.report_line(
                request_id, duration_ms, billed_ms=billed_ms, init_ms=self.init_ms, status=status
            )
        )
        return LambdaResult(outcome, payload, error, log_text, duration_ms, request_id, value)

    # --- on the waiting thread, when the function did not answer in time ---

    def timed_out(self) -> LambdaResult:
        """The result of a function stopped at its own timeout."""
        # Lambda resets the execution environment after a timeout: the next call is cold.
        self.cache.forget(self.spec)
        request_id, message = self.request_id, lambda_errors.timeout_message(self.timeout_s)
        error = lambda_errors.timeout_error(request_id, self.timeout_s)
        line = f"{logs.utc_timestamp()} {request_id} {message}\n"
        return self._finish(Outcome.TIMEOUT, _compact_json(error), error, line, None)

    def no_answer(self) -> LambdaResult:
        """The result when the caller stopped waiting first: no payload, the log so far."""
        return LambdaResult(
            outcome=Outcome.NO_ANSWER,
            payload="",
            logs=f"{self.prefix}{logs.start_line(self.request_id)}{self.capture.text()}",
            duration_ms=(time.monotonic() - self.started) * 1000,
            request_id=self.request_id,
        )
