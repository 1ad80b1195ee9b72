"""The error documents Lambda returns, in the shapes and words AWS uses.

- Function, marshal and init errors come from the Python runtime (awslambdaric
  `bootstrap.py`, `make_error`): always `errorMessage`, `errorType`, `requestId` (`""` at
  init) and `stackTrace` (`traceback.format_list` strings, runtime frames removed).
- Timeouts and runtime exits come from the service itself (the Runtime Interface Emulator's
  `interop.GetErrorResponseWithFormattedErrorMessage`): `{"errorType": "Sandbox.Timedout",
  "errorMessage": "RequestId: <id> Error: Task timed out after 3.00 seconds"}`.
"""

from __future__ import annotations

import itertools
import os
import traceback
from types import TracebackType
from typing import Any

MARSHAL_ERROR = "Runtime.MarshalError"
IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
EXIT_ERROR = "Runtime.ExitError"
SANDBOX_TIMEDOUT = "Sandbox.Timedout"

_RUNTIME_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def make_error(
    message: str, error_type: str, stack_trace: list[str] | None, request_id: str = ""
) -> dict[str, Any]:
    """The Python runtime's error document (awslambdaric `make_error`), keys in its order."""
    return {
        "errorMessage": message or "",
        "errorType": error_type or "",
        "requestId": request_id,
        "stackTrace": stack_trace or [],
    }


def learner_stack_trace(tb: TracebackType | None) -> list[str]:
    """The traceback as the runtime formats it (from plain tuples: no `^^^^` markers), our
    leading frames dropped as it drops its `bootstrap.py` ones."""
    frames = [
        (frame.filename, frame.lineno, frame.name, frame.line) for frame in traceback.extract_tb(tb)
    ]
    learner = itertools.dropwhile(lambda frame: frame[0].startswith(_RUNTIME_DIR), frames)
    return traceback.format_list(list(learner))  # type: ignore[arg-type]


def function_error(exc: BaseException, request_id: str) -> dict[str, Any]:
    """The document for an exception the handler did not catch."""
    try:
        message = str(exc)
    except Exception:  # a learner's __str__ that raises: say so, as Python's traceback does
        message = "<exception str() failed>"
    return make_error(
        message, type(exc).__name__, learner_stack_trace(exc.__traceback__), request_id
    )


def timeout_error(request_id: str, timeout_s: float) -> dict[str, Any]:
    """What Lambda answers when the function runs past its own timeout."""
    return {
        "errorType": SANDBOX_TIMEDOUT,
        "errorMessage": f"RequestId: {request_id} Error: {timeout_message(timeout_s)}",
    }


def timeout_message(timeout_s: float) -> str:
    """`Task timed out after 3.00 seconds`."""
    return f"Task timed out after {timeout_s:.2f} seconds"


def exit_reason(code: object) -> str:
    """How Lambda describes a runtime process that exited with `sys.exit(code)`."""
    if code is None or code is False or code == 0:
        return "Runtime exited without providing a reason"
    if isinstance(code, int):
        return f"Runtime exited with error: exit status {code & 0xFF}"
    # sys.exit("message") prints the message and exits with status 1.
    return "Runtime exited with error: exit status 1"


# How Go (Lambda's service) names the signals a runtime most often dies of.
_SIGNAL_NAMES = {
    9: "killed",
    11: "segmentation fault",
    6: "aborted",
    24: "CPU time limit exceeded",
    15: "terminated",
    7: "bus error",
    25: "file size limit exceeded",
}


def process_exit_reason(status: int | None) -> str:
    """Lambda's words for a runtime process that ended with `status`: its exit status, or
    -N for signal N (as `subprocess` reports it); None when not known."""
    if status is None:
        return "Runtime exited without providing a reason"
    if status < 0:
        name = _SIGNAL_NAMES.get(-status, f"signal {-status}")
        return f"Runtime exited with error: signal: {name}"
    return exit_reason(status)


def exit_error(request_id: str, reason: str) -> dict[str, Any]:
    """What Lambda answers when the runtime process exits or is killed mid-invocation."""
    return {"errorType": EXIT_ERROR, "errorMessage": f"RequestId: {request_id} Error: {reason}"}
