"""What a Node.js invocation comes to: the `LambdaResult`s and log text Lambda would report.

Function errors keep the Node runtime's shape (`errorType`, `errorMessage`, `trace`);
timeouts and a process that died are the service's own documents, the same ones the Python
runtime reports (`lambda_errors`). The log is CloudWatch's: what the module printed while
loading (on a cold start), then START, the function's output, END and REPORT.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course_cli.errors import HandlerError
from course_cli.gateway.invoker import LambdaResult, Outcome
from course_cli.runtime import lambda_errors, logs
from course_cli.runtime.handler_spec import HandlerSpec, shown_path
from course_cli.runtime.node.sdk import missing_sdk_hint

_compact_json = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_MIB = 1024 * 1024


@dataclass
class LogParts:
    """The pieces of one invocation's log, and what it cost."""

    request_id: str
    prefix: str = ""  # what a cold start's module printed, before START
    init_ms: float | None = None
    output: str = ""  # what the function printed
    rss_bytes: int | None = None  # node's resident memory at the end, for REPORT

    def text(
        self,
        duration_ms: float,
        extra: str = "",
        *,
        status: str | None = None,
        billed_ms: int | None = None,
    ) -> str:
        """The whole log; `extra` is the platform's own lines after the output."""
        output = self.output
        if output and not output.endswith("\n"):
            output += "\n"
        memory_mb = None if self.rss_bytes is None else max(1, math.ceil(self.rss_bytes / _MIB))
        report = logs.report_line(
            self.request_id,
            duration_ms,
            billed_ms=billed_ms,
            init_ms=self.init_ms,
            memory_mb=memory_mb,
            status=status,
        )
        return (
            f"{self.prefix}{logs.start_line(self.request_id)}{output}{extra}"
            f"{logs.end_line(self.request_id)}{report}"
        )


def answered(reply: dict[str, Any], parts: LogParts, duration_ms: float) -> LambdaResult:
    """The result of an invocation the function answered: its value or its error."""
    rss = reply.get("rssBytes")
    parts.rss_bytes = rss if isinstance(rss, int) else None
    if reply.get("type") == "result" and isinstance(reply.get("payload"), str):
        payload = reply["payload"]
        return LambdaResult(
            Outcome.OK,
            payload,
            None,
            parts.text(duration_ms),
            duration_ms,
            parts.request_id,
            json.loads(payload),
        )
    error = function_error(reply.get("error"))
    return LambdaResult(
        Outcome.ERROR,
        _compact_json(error),
        error,
        parts.text(duration_ms),
        duration_ms,
        parts.request_id,
    )


def function_error(shape: object) -> dict[str, Any]:
    """The error document Lambda's Node runtime returns, from what the bootstrap sent."""
    if not isinstance(shape, dict):
        shape = {}
    trace = shape.get("trace")
    return {
        "errorType": str(shape.get("errorType", "")),
        "errorMessage": str(shape.get("errorMessage", "")),
        "trace": [str(line) for line in trace] if isinstance(trace, list) else [],
    }


def timed_out(parts: LogParts, timeout_s: float, duration_ms: float) -> LambdaResult:
    """The result of a function stopped at its own timeout, as for Python: Sandbox.Timedout."""
    error = lambda_errors.timeout_error(parts.request_id, timeout_s)
    line = f"{logs.utc_timestamp()} {parts.request_id} {lambda_errors.timeout_message(timeout_s)}\n"
    return LambdaResult(
        Outcome.TIMEOUT,
        _compact_json(error),
        error,
        # A timeout is billed in full.
        parts.text(duration_ms, line, status="timeout", billed_ms=round(timeout_s * 1000)),
        duration_ms,
        parts.request_id,
    )


def exited(parts: LogParts, status: int | None, duration_ms: float) -> LambdaResult:
    """The result when the node process ended mid-invocation: `Runtime.ExitError`."""
    reason = lambda_errors.process_exit_reason(status)
    error = lambda_errors.exit_error(parts.request_id, reason)
    lines = f"{error['errorMessage']}\n{lambda_errors.EXIT_ERROR}\n"
    return LambdaResult(
        Outcome.ERROR,
        _compact_json(error),
        error,
        parts.text(duration_ms, lines, status=lambda_errors.EXIT_ERROR),
        duration_ms,
        parts.request_id,
    )


def no_answer(parts: LogParts, duration_ms: float) -> LambdaResult:
    """The result when the caller stopped waiting first: no payload, the log so far."""
    return LambdaResult(
        Outcome.NO_ANSWER,
        "",
        logs=f"{parts.prefix}{logs.start_line(parts.request_id)}{parts.output}",
        duration_ms=duration_ms,
        request_id=parts.request_id,
    )


@dataclass
class InitFailure:
    """Why a module could not be made ready: its error document (or a timeout, or an exit)."""

    spec: HandlerSpec
    output: str  # what it printed, the runtime's own error line included
    error: dict[str, Any] | None = None
    timed_out: bool = False
    exit_status: int | None = None

    def result(self, parts: LogParts, timeout_s: float, waited_ms: float) -> LambdaResult:
        """The invocation's result: Lambda logs a failed init before START. An init that ran
        past its limit is reported as Lambda reports it, in the function's own timeout's words
        (Lambda retries the init within the invocation, under that timeout; this runtime
        stops at the init's limit instead)."""
        parts.prefix = self.output
        if self.error is not None:
            return LambdaResult(
                Outcome.ERROR,
                _compact_json(self.error),
                self.error,
                parts.text(0.0),
                0.0,
                parts.request_id,
            )
        if self.timed_out:
            return timed_out(parts, timeout_s, waited_ms)
        return exited(parts, self.exit_status, 0.0)

    def handler_error(self, init_limit_s: float) -> HandlerError:
        """One line for a command that loads handlers before any request (exit 2)."""
        shown = shown_path(self.spec.path)
        if self.timed_out:
            return HandlerError(
                f"loading {shown} took longer than {init_limit_s:g} s, "
                "Lambda's limit for a module's top level",
                "move slow work (or an endless loop) out of the module's top level",
            )
        if self.error is None:
            reason = lambda_errors.process_exit_reason(self.exit_status)
            return HandlerError(
                f"loading {shown} ended the node process: {reason}",
                "Lambda functions never exit: remove the process.exit() call from the "
                "module's top level",
            )
        error_type = self.error.get("errorType", "")
        message = self.error.get("errorMessage", "")
        where = _where(self.spec.path, self.error.get("trace", []))
        hint = missing_sdk_hint(str(message)) or _hint(self.spec, error_type)
        return HandlerError(f"loading {shown}{where} failed: {error_type}: {message}", hint)


def _where(path: Path, trace: list[str]) -> str:
    """` (line N)` when the trace points into the handler file itself."""
    pattern = re.compile(rf"(?:file://)?{re.escape(str(path))}:(\d+)")
    for line in trace:
        found = pattern.search(line)
        if found:
            return f" (line {found.group(1)})"
    return ""


def _hint(spec: HandlerSpec, error_type: str) -> str:
    name = spec.function or "handler"
    if error_type == "Runtime.HandlerNotFound":
        return (
            f"export it: `export const {name} = async (event) => {{ ... }}` in an ES module, "
            f"or `exports.{name} = async (event) => {{ ... }}` in CommonJS"
        )
    if error_type == "Runtime.UserCodeSyntaxError":
        return "fix the line, save, and run again"
    if error_type == "Runtime.ImportModuleError":
        return "check the file's imports (npm install what it needs), or the handler's path"
    return "the module's top level threw: fix it, or move the work into the handler"
