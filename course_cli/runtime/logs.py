"""What a function prints and logs, captured per invocation as CloudWatch would show it.

Capture is per *thread*: a routing proxy on `sys.stdout`/`sys.stderr` and a handler on the
root logger write to the current thread's capture, or through to the real stream when none
runs, so concurrent server threads never mix their output. The root logger is set up as
awslambdaric does, level left at WARNING: `logging.info` prints nothing until the function
raises the level, and `logging.basicConfig()` is a no-op, the same surprises as on AWS.
"""

from __future__ import annotations

import logging
import math
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TextIO, cast

from course_cli.runtime.lambda_context import FUNCTION_VERSION, MEMORY_SIZE_MB

try:  # Unix only; elsewhere the REPORT line shows no memory figure worth having.
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]


# What each capture keeps at most, set in worker processes (`guard.cap_captured_output`).
capture_limit: int | None = None


class Capture:
    """The output of one invocation (or of one module import), in the order it was written,
    up to `capture_limit` characters."""

    __slots__ = ("parts", "request_id", "room")

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        self.parts: list[str] = []
        self.room = capture_limit  # characters left (None: no ceiling, -1: already cut)

    def keep(self, text: str) -> None:
        """Keep `text`, or what room is left for it."""
        if self.room is not None:
            if self.room < 0:
                return
            if len(text) > self.room:
                self.parts += [text[: self.room], "\n[output truncated: the rest was discarded]\n"]
                self.room = -1
                return
            self.room -= len(text)
        self.parts.append(text)

    def write(self, text: str) -> None:
        """`keep` `text`, and give it to `tee` when set."""
        self.keep(text)
        if tee is not None:
            tee(text)

    def text(self) -> str:
        """Everything captured so far, ending with a newline when not empty."""
        text = "".join(self.parts)
        if text and not text.endswith("\n"):
            text += "\n"
        return text


# thread id -> its capture; only the owning thread changes its entry, so no lock.
_captures: dict[int, Capture] = {}
_get_ident = threading.get_ident

# Also given every piece a capture receives, when set: the forked runtime streams output to
# its parent, so what a handler printed survives the handler ending its process.
tee: Callable[[str], None] | None = None


def register(capture: Capture) -> Capture | None:
    """Send the current thread's output to `capture`; returns the capture it replaces, for
    `restore` (captures nest)."""
    thread_id = _get_ident()
    previous = _captures.get(thread_id)
    _captures[thread_id] = capture
    return previous


def restore(previous: Capture | None) -> None:
    """Hand the current thread's output back to `previous` (None: to the real streams)."""
    if previous is None:
        _captures.pop(_get_ident(), None)
    else:
        _captures[_get_ident()] = previous


class _RoutingStream:
    """A stand-in for `sys.stdout`/`sys.stderr` that routes each write by thread."""

    def __init__(self, target: TextIO) -> None:
        self._target = target

    def write(self, text: str) -> int:
        capture = _captures.get(_get_ident())
        if capture is None:
            return self._target.write(text)
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        capture.write(text)
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if _get_ident() not in _captures:
            self._target.flush()

    def __getattr__(self, name: str) -> Any:
        # encoding, isatty, fileno, buffer, ...: whatever the real stream offers.
        return getattr(self._target, name)


class _LambdaLogHandler(logging.Handler):
    """The root handler Lambda installs, writing into the current invocation's capture."""

    def __init__(self) -> None:
        super().__init__()
        formatter = logging.Formatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
            "%Y-%m-%dT%H:%M:%S",
        )
        # UTC on this formatter only; awslambdaric sets it for every Formatter in the process.
        formatter.converter = time.gmtime
        self.setFormatter(formatter)

    def emit(self, record: logging.LogRecord) -> None:
        capture = _captures.get(_get_ident())
        if capture is None:
            return  # not inside an invocation: our own program's logging is not ours to show
        try:
            # What awslambdaric's LambdaLoggerFilter adds to each record.
            setattr(record, "aws_request_id", capture.request_id)  # noqa: B010
            capture.write(self.format(record))
        except Exception:
            self.handleError(record)


_install_lock = threading.Lock()
_log_handler = _LambdaLogHandler()


def install_capture() -> None:
    """Make sure the routing streams and the Lambda log handler are in place (cheap to repeat)."""
    with _install_lock:
        if type(sys.stdout) is not _RoutingStream:
            sys.stdout = cast(TextIO, _RoutingStream(sys.stdout))
        if type(sys.stderr) is not _RoutingStream:
            sys.stderr = cast(TextIO, _RoutingStream(sys.stderr))
        if _log_handler not in logging.root.handlers:
            logging.root.addHandler(_log_handler)


def utc_timestamp() -> str:
    """Now as CloudWatch prints it: `2024-03-04T17:22:38.033Z`."""
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"


def start_line(request_id: str) -> str:
    """`START RequestId: <id> Version: $LATEST`."""
    return f"START RequestId: {request_id} Version: {FUNCTION_VERSION}\n"


def end_line(request_id: str) -> str:
    """`END RequestId: <id>`."""
    return f"END RequestId: {request_id}\n"


def report_line(
    request_id: str,
    duration_ms: float,
    *,
    billed_ms: int | None = None,
    init_ms: float | None = None,
    memory_mb: int | None = None,
    status: str | None = None,
) -> str:
    """Lambda's REPORT line: tab-separated, billed duration rounded up to the millisecond.

    Billed covers the invoke phase (`billed_ms` overrides it: a timeout bills the whole
    timeout) and a cold start's `init_ms`, as Lambda bills since August 2025. `status` is set
    when the platform ended the invocation: `"timeout"`, or an error type such as
    `Runtime.ExitError`. `memory_mb` defaults to this process's peak.
    """
    if billed_ms is None:
        billed_ms = max(1, math.ceil(duration_ms + (init_ms or 0.0)))
    elif init_ms is not None:
        billed_ms = math.ceil(billed_ms + init_ms)
    if memory_mb is None and resource is not None:  # this process's peak, on Unix
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        # Linux reports kilobytes, macOS bytes.
        memory_mb = int(peak // (1024 * 1024) if sys.platform == "darwin" else peak // 1024)
    line = (
        f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
        f"Billed Duration: {billed_ms} ms\tMemory Size: {MEMORY_SIZE_MB} MB\t"
        f"Max Memory Used: {memory_mb or 0} MB\t"
    )
    if init_ms is not None:
        line += f"Init Duration: {init_ms:.2f} ms\t"
    if status == "timeout":
        line += "Status: timeout\t"
    elif status is not None:
        line += f"Status: error\tError Type: {status}\t"
    return line + "\n"


def error_lines(error: dict[str, Any]) -> str:
    """The `[ERROR] Type: message` block the Python runtime logs for a function error
    (awslambdaric's `log_error`, with newlines for its `\\r`)."""
    description = "[ERROR]"
    error_type = error.get("errorType")
    message = error.get("errorMessage")
    if error_type:
        description += f" {error_type}"
    if message:
        description += (":" if error_type else "") + f" {message}"
    lines = [description]
    stack = error.get("stackTrace")
    if stack is not None:
        lines.append("Traceback (most recent call last):")
        for element in stack:
            lines.extend(str(element).splitlines() or [""])
    return "\n".join(lines) + "\n"
