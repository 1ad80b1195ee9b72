"""What the gateway needs from a Lambda runtime: the contract between `gateway/` and `runtime/`.

The gateway never loads Python files itself. A Lambda integration names a function; the
gateway hands the event to a `LambdaInvoker`, which runs the function (in-process for the
learner's own code, in an isolated worker for grading) and reports what Lambda's Invoke API
would have reported.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# API Gateway stops waiting for any integration after 29 s and answers 504.
INTEGRATION_TIMEOUT_S = 29.0
# Lambda's default function timeout.
DEFAULT_FUNCTION_TIMEOUT_S = 3.0
# On AWS a function's Timeout is whole seconds, 1 to 900 (CreateFunction; developer guide,
# configuration-timeout.html). Fractions are allowed here, to show a timeout quickly.
MAX_FUNCTION_TIMEOUT_S = 900.0
FUNCTION_TIMEOUT_RULE = "give more than 0 and at most 900 seconds, Lambda's limit"
FUNCTION_TIMEOUT_HINT = (
    "Lambda takes whole seconds from 1 to 900 (default 3); a fraction such as 0.5 works here "
    "too, to try a timeout quickly"
)


def is_function_timeout(value: object) -> bool:
    """True for a timeout a function may have: a number (not a bool), more than 0, at most
    `MAX_FUNCTION_TIMEOUT_S` (so neither NaN nor infinity)."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and 0 < value <= MAX_FUNCTION_TIMEOUT_S
    )


class Outcome(StrEnum):
    """How one Lambda invocation ended, as the caller (API Gateway) experiences it."""

    OK = "ok"  # the function returned and its value serialised: `payload` is that JSON
    ERROR = "error"  # unhandled exception or Runtime.MarshalError: `payload` is the error JSON
    TIMEOUT = "timeout"  # the function's own timeout: Lambda reports "Task timed out after N s"
    NO_ANSWER = "no_answer"  # the caller gave up first (API Gateway's 29 s): no payload at all


@dataclass(frozen=True)
class LambdaResult:
    """What Lambda's Invoke API returns, plus what the learner should see of the run."""

    outcome: Outcome
    # The response payload exactly as Lambda returns it: `json.dumps(return value)` on success,
    # the error document (`errorMessage`, `errorType`, `stackTrace`) as JSON on ERROR/TIMEOUT,
    # "" on NO_ANSWER.
    payload: str
    # The error document as a dict when outcome is ERROR or TIMEOUT.
    error: dict[str, Any] | None = None
    # Captured stdout/stderr/logging, CloudWatch style (START / END / REPORT lines around it).
    logs: str = ""
    duration_ms: float = 0.0
    # Lambda's request id for this invocation.
    request_id: str = ""
    # Raw return value when outcome is OK or the return value failed to serialise (for display).
    value: Any = field(default=None, compare=False)
    # The language of the function's code, for the words of a fix: "python" or "javascript".
    language: str = "python"

    @property
    def function_output(self) -> str:
        """What the function wrote (and its module, before START on a cold start), with the
        runtime's error lines: the log without Lambda's own START, END and REPORT lines."""
        return "".join(
            line
            for line in self.logs.splitlines(keepends=True)
            if not line.startswith(_PLATFORM_LINES)
        )


# The lines Lambda itself writes around a function's output in its log.
_PLATFORM_LINES = ("START RequestId: ", "END RequestId: ", "REPORT RequestId: ")


class FunctionNotFound(LookupError):
    """Raised by an invoker for a function it does not know (Lambda's ResourceNotFoundException);
    API Gateway answers 500 and logs a configuration error."""

    def __init__(self, function_name: str, detail: str = "") -> None:
        super().__init__(f"Function not found: {function_name}")
        self.function_name = function_name
        self.detail = detail


class LambdaInvoker(ABC):
    """Runs Lambda functions by name, like Lambda's Invoke API; each invoker implements `invoke`.

    Nothing the function does makes an invoker raise (exceptions, timeouts and unserialisable
    values are results); only `FunctionNotFound`, for a name it cannot run.
    """

    def __call__(
        self,
        function_name: str,
        event: Any,
        *,
        timeout_s: float = DEFAULT_FUNCTION_TIMEOUT_S,
        wait_s: float = INTEGRATION_TIMEOUT_S,
    ) -> LambdaResult:
        """Run `function_name` on its own copy of `event`, as Lambda's Invoke API would.

        `timeout_s` is the function's own timeout (Lambda's). `wait_s` is how long the caller
        waits (API Gateway: 29 s); when the function runs longer than `wait_s` but its own
        timeout is longer still, the result is `Outcome.NO_ANSWER`.
        """
        return self.invoke(function_name, event, timeout_s, wait_s)

    @abstractmethod
    def invoke(
        self, function_name: str, event: Any, timeout_s: float, wait_s: float
    ) -> LambdaResult:
        """What `__call__` promises, every argument given: the part each invoker implements."""
