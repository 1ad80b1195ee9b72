"""`course invoke`'s runtime: the in-process runtime, in a forked copy of this process.

A handler can end its process (`os._exit(3)`, a segfault, a signal), which Lambda reports as
`Runtime.ExitError` and API Gateway as a 502. `ForkedRuntime` runs the functions in a forked
child, so ours survives to say so; it is no wall, only a catch for a process that ends, or a
handler stuck where SIGALRM cannot reach it. Output is streamed to the parent as it is
written, and a child that ended is replaced on the next request (a fresh environment).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
from dataclasses import dataclass
from typing import Any

from course_cli.errors import HandlerError
from course_cli.gateway.invoker import LambdaInvoker, LambdaResult, Outcome
from course_cli.runtime import lambda_errors, logs
from course_cli.runtime.inprocess import INIT_TIMEOUT_S, InProcessRuntime
from course_cli.runtime.lambda_context import new_request_id
from course_cli.runtime.worker.framing import PeerGone, ProtocolError, read_frame, write_frame
from course_cli.runtime.worker.output import CappedOutput

# How much longer than the child's own limits the parent waits before it kills the child.
_GRACE_S = 1.0
# A reply carries at most Lambda's 6 MB answer (larger ones become an error in the child).
_MAX_REPLY_BYTES = 16 * 1024 * 1024
# What a function printed, kept for its log (and streamed, for one that ends its process).
_OUTPUT_BYTES = 1024 * 1024
_RESULT_FIELDS = ("outcome", "payload", "error", "logs", "duration_ms", "request_id")


class ForkedRuntime(LambdaInvoker):
    """`runtime`'s functions, run in a forked child, which `close()` (or `with`) ends."""

    def __init__(self, runtime: InProcessRuntime) -> None:
        self.runtime = runtime
        self._child: _Child | None = None
        # Functions the current child has loaded: no init phase before their timeout.
        self._warm: set[str] = set()

    def __enter__(self) -> ForkedRuntime:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """End the child, if one runs."""
        if self._child is not None:
            self._child.close()
            self._child = None

    def load(self, function_name: str) -> None:
        """Load the handler in the child now; `HandlerError`, as `InProcessRuntime.load`
        raises it, when it cannot be loaded — or when loading ends the process."""
        spec = self.runtime.spec(function_name)
        child = self._ensure_child()
        reply = child.ask({"op": "load", "function": function_name}, INIT_TIMEOUT_S + _GRACE_S)
        if reply is not None and "handler_error" in reply:
            raise HandlerError(str(reply["handler_error"]), reply.get("hint"))
        if reply is not None and reply.get("loaded"):
            self._warm.add(function_name)
            return
        reason = self._ended(child)
        raise HandlerError(
            f"loading {spec.path.name} ended the process it ran in: {reason} "
            f"(on Lambda: {lambda_errors.EXIT_ERROR})",
            "Lambda functions never exit: remove the os._exit() or kill() call, or the "
            "C-level crash, from the module's top level",
        )

    def invoke(
        self, function_name: str, event: Any, timeout_s: float, wait_s: float
    ) -> LambdaResult:
        """As `InProcessRuntime.invoke`, and a function that ends its process (or that its
        timeout cannot stop) is Lambda's `Runtime.ExitError` (or its timeout) too."""
        self.runtime.spec(function_name)  # an unknown name raises here, as in-process
        child = self._ensure_child()
        child.output.take_new()  # what earlier invocations printed is in their results
        started = time.monotonic()
        # A cold start's init phase has its own limit before the function's timeout.
        init_s = 0.0 if function_name in self._warm else INIT_TIMEOUT_S
        limit_s = init_s + min(timeout_s, wait_s) + _GRACE_S
        request = {
            "op": "invoke",
            "function": function_name,
            "event": event,
            "timeout_s": timeout_s,
            "wait_s": wait_s,
        }
        reply = child.ask(request, limit_s)
        if reply is not None and isinstance(reply.get("result"), dict):
            raw = reply["result"]
            fields = {name: raw[name] for name in _RESULT_FIELDS}
            fields["outcome"] = Outcome(fields["outcome"])
            self._warm.add(function_name)
            return LambdaResult(**fields)
        request_id = new_request_id()
        if child.status is None:  # alive, and did not answer in time: stopped like Lambda
            self._ended(child)
            if wait_s < timeout_s:
                return LambdaResult(
                    Outcome.NO_ANSWER,
                    "",
                    logs=logs.start_line(request_id) + child.output.take_new(),
                    duration_ms=(time.monotonic() - started) * 1000,
                    request_id=request_id,
                )
            error = lambda_errors.timeout_error(request_id, timeout_s)
            line = (
                f"{logs.utc_timestamp()} {request_id} {lambda_errors.timeout_message(timeout_s)}\n"
            )
            output = child.output.take_new() + line
            return _platform_result(Outcome.TIMEOUT, error, request_id, started, output, timeout_s)
        reason = self._ended(child)
        error = lambda_errors.exit_error(request_id, reason)
        lines = f"{error['errorMessage']}\n{lambda_errors.EXIT_ERROR}\n"
        return _platform_result(
            Outcome.ERROR, error, request_id, started, child.output.take_new() + lines
        )

    def _ensure_child(self) -> _Child:
        if self._child is None or self._child.status is not None:
            self.close()
            self._child = _Child.fork(self.runtime)
        return self._child

    def _ended(self, child: _Child) -> str:
        """Lambda's words for how `child` ended (killed now if it still runs)."""
        status = child.close(kill=True)
        self._child = None
        self._warm.clear()
        return lambda_errors.process_exit_reason(status)


def _platform_result(
    outcome: Outcome,
    error: dict[str, Any],
    request_id: str,
    started: float,
    middle: str,
    timeout_s: float | None = None,
) -> LambdaResult:
    """A result Lambda itself gives (a timeout when `timeout_s` is given, else an exit), with
    its START, END and REPORT lines (a timeout bills the whole timeout)."""
    duration_ms = (time.monotonic() - started) * 1000
    status = lambda_errors.EXIT_ERROR if timeout_s is None else "timeout"
    billed_ms = None if timeout_s is None else round(timeout_s * 1000)
    if middle and not middle.endswith("\n"):
        middle += "\n"
    log_text = (
        f"{logs.start_line(request_id)}{middle}{logs.end_line(request_id)}"
        f"{logs.report_line(request_id, duration_ms, billed_ms=billed_ms, status=status)}"
    )
    payload = json.dumps(error, separators=(",", ":"), ensure_ascii=False)  # the service's Go JSON
    return LambdaResult(outcome, payload, error, log_text, duration_ms, request_id)


@dataclass
class _Child:
    """The forked child, from the parent's side: its pipes and, once it ended, its status."""

    pid: int
    requests: int
    replies: int
    output: CappedOutput
    status: int | None = None  # as subprocess has it: -N for signal N

    @classmethod
    def fork(cls, runtime: InProcessRuntime) -> _Child:
        for stream in (sys.stdout, sys.stderr):  # or the child would write them out again
            stream.flush()
        request_read, request_write = os.pipe()
        reply_read, reply_write = os.pipe()
        output_read, output_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            code = 0
            try:
                os.setpgid(0, 0)  # a group of its own, so whatever it starts ends with it
                for fd in (request_write, reply_read, output_read):
                    os.close(fd)
                _serve(runtime, request_read, reply_write, output_write)
            except KeyboardInterrupt:
                code = 130
            except BaseException:
                code = 70  # our own failure: the parent reports the child's end
            finally:
                os._exit(code)
        for fd in (request_read, reply_write, output_write):
            os.close(fd)
        with contextlib.suppress(OSError):  # (whichever of the two runs first)
            os.setpgid(pid, pid)
        stream = os.fdopen(output_read, "rb", buffering=0)
        output = CappedOutput(stream, _OUTPUT_BYTES, threaded=False)
        return cls(pid, request_write, reply_read, output)

    def ask(self, message: dict[str, Any], limit_s: float) -> dict[str, Any] | None:
        """Send `message` and wait up to `limit_s` for the reply; None when the child ended
        (see `status`), broke the protocol or did not answer in time."""
        try:
            write_frame(self.requests, message)
            return read_frame(
                self.replies,
                max_bytes=_MAX_REPLY_BYTES,
                deadline=time.monotonic() + limit_s,
                alive=self.alive,
                side=self.output,
            )
        except (PeerGone, ProtocolError, BrokenPipeError):
            # Its pipe closes as it exits: give it a moment to be done.
            until = time.monotonic() + 1.0
            while self.alive() and time.monotonic() < until:
                time.sleep(0.005)
            return None
        except BaseException:  # Ctrl-C while the function runs: it goes too
            self.close(kill=True)
            raise

    def alive(self) -> bool:
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
        return self.status is None

    def close(self, *, kill: bool = False) -> int | None:
        """Close the pipes (the child then ends), kill it if asked; its status when known."""
        for fd in (self.requests, self.replies):
            with contextlib.suppress(OSError):
                os.close(fd)
        if self.status is None and kill:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        if self.status is None:
            _, status = os.waitpid(self.pid, 0)
            self.status = os.waitstatus_to_exitcode(status)
        # What the function started (a forked process, sleeping on) ends with its environment.
        with contextlib.suppress(OSError):
            os.killpg(self.pid, signal.SIGKILL)
        self.output.close()
        return self.status


# --- in the child -----------------------------------------------------------------------------


def _serve(runtime: InProcessRuntime, requests: int, replies: int, output: int) -> None:
    """Answer the parent's requests until it closes its pipe."""
    import faulthandler

    from course_cli.gateway.integrations.aws_proxy import within_response_limit
    from course_cli.runtime.worker.guard import cap_captured_output

    faulthandler.disable()  # a crash is reported by the parent, in Lambda's words, not here
    # A log of 100 MB would not fit a reply: keep what a reader can use, as the worker does.
    cap_captured_output(_OUTPUT_BYTES)

    def stream(text: str) -> None:
        try:
            os.write(output, text.encode("utf-8", "replace"))
        except OSError:
            pass

    logs.tee = stream
    while True:
        try:
            message = read_frame(requests, max_bytes=_MAX_REPLY_BYTES)
        except PeerGone:
            return
        assert message is not None
        name = str(message.get("function"))
        if message.get("op") == "load":
            try:
                runtime.load(name)
                write_frame(replies, {"loaded": True})
            except HandlerError as exc:
                write_frame(replies, {"handler_error": exc.message, "hint": exc.hint})
            continue
        result = runtime.invoke(
            name, message.get("event"), float(message["timeout_s"]), float(message["wait_s"])
        )
        # Lambda never hands back more than 6 MB: nor does the child.
        result = within_response_limit(result)
        write_frame(replies, {"result": {name: getattr(result, name) for name in _RESULT_FIELDS}})
