"""What an invocation in an isolated worker comes back as: an `IsolatedResult` of a `ResultKind`.

After a timeout, no answer or a crash the caller replaces the worker, as Lambda starts a
fresh execution environment.
"""

from __future__ import annotations

import json
import signal
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from course_cli.gateway.invoker import LambdaResult, Outcome
from course_cli.runtime import lambda_errors, logs
from course_cli.runtime.lambda_context import new_request_id
from course_cli.runtime.worker.folder import learner_location, unrelocate
from course_cli.runtime.worker.process import WorkerProcess


class ResultKind(StrEnum):
    """How the grader should read an isolated invocation."""

    OK = "ok"
    FUNCTION_ERROR = "function_error"  # raised, or returned something unserialisable
    LOAD_ERROR = "load_error"  # `message` and `location` point at the learner's line
    TIMEOUT = "timeout"  # the function's own timeout, or its CPU limit
    NO_ANSWER = "no_answer"  # the caller's `wait_s` ran out first
    CRASHED = "crashed"  # the worker ended: exit, signal, memory, a broken frame


@dataclass(frozen=True)
class IsolatedResult(LambdaResult):
    """A `LambdaResult` plus what isolation adds. `value` is the parsed payload on OK."""

    kind: ResultKind = ResultKind.OK
    # One learner-facing line for load errors, crashes and timeouts ("" otherwise).
    message: str = ""
    # The learner's file (as in the submission, not the worker's copy) and line, if known.
    location: tuple[str, int] | None = None
    # Network uses the worker refused during this invocation, e.g. "connect 93.184.216.34:80".
    refused_connections: tuple[str, ...] = ()
    # Output the worker wrote around the capture (straight to its file descriptors), capped.
    console: str = ""

    @property
    def crashed(self) -> bool:
        """True when the worker process ended (or had to be ended) during this invocation."""
        return self.kind is ResultKind.CRASHED


def read_reply(
    worker: WorkerProcess, reply: dict[str, Any], started: float, source: Path
) -> IsolatedResult:
    """The result of an `invoke` reply; the worker's paths shown as the submission's."""
    if "worker_error" in reply:
        return crashed(worker, started, f"the worker failed: {reply['worker_error']}")
    try:
        raw = reply["result"]
        outcome = Outcome(raw["outcome"])
        error = raw.get("error")
        payload = str(raw["payload"])
        result_logs = str(raw["logs"])
        refused = tuple(str(item) for item in reply.get("refused") or ())
        language = str(raw.get("language") or "python")
    except (KeyError, TypeError, ValueError) as exc:
        return crashed(worker, started, f"the worker sent a malformed result: {exc}")
    task = str(worker.folder.task)
    if outcome is not Outcome.OK:
        payload = unrelocate(payload, task, source)
        result_logs = unrelocate(result_logs, task, source)
        if isinstance(error, dict):
            error = json.loads(unrelocate(json.dumps(error), task, source))
    load_error = reply.get("load_error")
    kind, message, location = ResultKind.OK, "", None
    error_type = error.get("errorType") if isinstance(error, dict) else None
    if outcome is Outcome.TIMEOUT:
        kind = ResultKind.TIMEOUT
        # Lambda's message ends with the timeout: "... after 3.00 seconds".
        text = str(error.get("errorMessage", "")) if isinstance(error, dict) else ""
        limit = text.rpartition("after ")[2] or "timeout"
        message = f"the function ran longer than its timeout of {limit}"
    elif outcome is Outcome.NO_ANSWER:
        kind = ResultKind.NO_ANSWER
    elif error_type == lambda_errors.EXIT_ERROR:
        kind = ResultKind.CRASHED
        message = "the submission exited (sys.exit) instead of returning"
        if language == "javascript":  # process.exit(), or V8 out of memory
            reason = str(error.get("errorMessage", "")).rpartition("Error: ")[2] if error else ""
            message = f"the node process running the submission ended ({reason or 'exited'})"
        if isinstance(load_error, dict):
            message = str(load_error.get("message") or message)
    elif error_type == "MemoryError":
        kind = ResultKind.CRASHED
        message = f"the submission ran out of memory (limit {worker.limits.memory_mb} MB)"
        error = {
            "errorType": "Runtime.OutOfMemory",
            "errorMessage": f"RequestId: {raw.get('request_id', '')} Error: "
            "Runtime exited with error: signal: killed",
        }
        payload = _compact(error)
    elif isinstance(load_error, dict):
        kind = ResultKind.LOAD_ERROR
        message = str(load_error.get("message") or "")
        location = learner_location(load_error, task, source)
    elif outcome is Outcome.ERROR:
        kind = ResultKind.FUNCTION_ERROR
    if kind in {ResultKind.TIMEOUT, ResultKind.NO_ANSWER, ResultKind.CRASHED}:
        worker.close()  # threads left spinning die with it; the caller starts a fresh one
    value = None
    if outcome is Outcome.OK:
        try:
            value = json.loads(payload)
        except ValueError:
            value = payload
    return IsolatedResult(
        outcome=Outcome.ERROR if kind is ResultKind.CRASHED else outcome,
        payload=payload,
        error=error if isinstance(error, dict) else None,
        logs=result_logs,
        duration_ms=float(raw.get("duration_ms") or 0.0),
        request_id=str(raw.get("request_id") or ""),
        value=value,
        kind=kind,
        message=message,
        location=location,
        refused_connections=refused,
        console=worker.stdout.take_new(),
        language=language,
    )


def crashed(
    worker: WorkerProcess, started: float, why: str, timeout_s: float = 0.0
) -> IsolatedResult:
    """The worker died (or must be killed) mid-invocation: it is ended here."""
    status = worker.ended(wait_s=0.5 if worker.isolation == "namespaces" else 0.0)
    if status is None:
        status = worker.kill()
    console, _ = worker.stdout.text(wait_s=0.5)
    request_id = new_request_id()
    if status is not None and -status == signal.SIGXCPU:
        cpu_s = worker.limits.cpu_s
        message = f"the submission used more than {cpu_s} s of CPU (the worker's limit)"
        return timed_out(started, request_id, timeout_s, message, console)
    reason = lambda_errors.process_exit_reason(status)
    error = lambda_errors.exit_error(request_id, reason)
    return IsolatedResult(
        outcome=Outcome.ERROR,
        payload=_compact(error),
        error=error,
        logs=_platform_log(
            request_id, started, f"{error['errorMessage']}\n", lambda_errors.EXIT_ERROR
        ),
        duration_ms=(time.monotonic() - started) * 1000,
        request_id=request_id,
        kind=ResultKind.CRASHED,
        message=why or f"the worker running the submission ended: {reason}",
        console=console,
    )


def stopped(
    worker: WorkerProcess, started: float, timeout_s: float, wait_s: float
) -> IsolatedResult:
    """No answer by the deadline: the worker is killed; a timeout or the caller giving up."""
    worker.kill()
    console, _ = worker.stdout.text(wait_s=0.5)
    request_id = new_request_id()
    if wait_s < timeout_s:
        return IsolatedResult(
            outcome=Outcome.NO_ANSWER,
            payload="",
            logs=logs.start_line(request_id),
            duration_ms=(time.monotonic() - started) * 1000,
            request_id=request_id,
            kind=ResultKind.NO_ANSWER,
            console=console,
        )
    message = (
        f"the function did not answer within its timeout of {timeout_s:g} s "
        "(the worker was stopped)"
    )
    return timed_out(started, request_id, timeout_s, message, console)


def timed_out(
    started: float, request_id: str, timeout_s: float, message: str, console: str
) -> IsolatedResult:
    """Lambda's timeout result, with `message` for the learner."""
    error = lambda_errors.timeout_error(request_id, timeout_s)
    line = f"{logs.utc_timestamp()} {request_id} {lambda_errors.timeout_message(timeout_s)}\n"
    return IsolatedResult(
        outcome=Outcome.TIMEOUT,
        payload=_compact(error),
        error=error,
        logs=_platform_log(request_id, started, line, "timeout"),
        duration_ms=(time.monotonic() - started) * 1000,
        request_id=request_id,
        kind=ResultKind.TIMEOUT,
        message=message,
        console=console,
    )


def _compact(error: dict[str, Any]) -> str:
    return json.dumps(error, separators=(",", ":"))


def _platform_log(request_id: str, started: float, middle: str, status: str) -> str:
    """The log of an invocation the worker never finished: `status` as `report_line`'s."""
    duration_ms = (time.monotonic() - started) * 1000
    return (
        f"{logs.start_line(request_id)}{middle}{logs.end_line(request_id)}"
        f"{logs.report_line(request_id, duration_ms, status=status)}"
    )
