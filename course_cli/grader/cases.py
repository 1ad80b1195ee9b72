"""What a check module is made of: named cases, and helpers that judge HTTP answers.

A check module defines `EXERCISE`, `CASES` and `session(folder, runner)`, which yields what
the cases share. A case returns when the behaviour is right and raises `CaseFailed` with a
learner-facing message when not; cases judge behaviour, never what the code printed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from course_cli.grader.result import CRASHED, FAILED, TIMEOUT

if TYPE_CHECKING:
    from course_cli.gateway.context import Invocation


class CaseFailed(Exception):
    """A case's verdict when the behaviour is wrong: what was expected, what happened."""

    def __init__(self, message: str, status: str = FAILED) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Case:
    """A named case: its points, the hint shown when it fails, and whether only grading runs
    it (`hidden`: feedback shows its message, never its code)."""

    name: str
    points: int
    hint: str
    run: Callable[[Any], None]
    hidden: bool = False
    # The hint in JavaScript's words, for a handler written in JavaScript, where it differs.
    js_hint: str = ""

    def for_javascript(self) -> Case:
        """This case as a learner who wrote the handler in JavaScript reads it."""
        return replace(self, hint=self.js_hint) if self.js_hint else self


def shown_request(method: str, path: str, query: tuple[tuple[str, str], ...] = ()) -> str:
    """`GET /users/u1?include=orders`: a request as a case's message names it."""
    return f"{method} {path}" + ("?" + "&".join(f"{k}={v}" for k, v in query) if query else "")


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CaseFailed(message)


@dataclass(frozen=True)
class Reply:
    """What the client got for one request, plus the gateway's explanation when it failed."""

    invocation: Invocation

    @property
    def status(self) -> int:
        response = self.invocation.response
        return response.status if response is not None else 0

    @property
    def text(self) -> str:
        response = self.invocation.response
        return response.body.decode("utf-8", "replace") if response is not None else ""

    def header(self, name: str) -> str | None:
        response = self.invocation.response
        return response.header(name) if response is not None else None

    def json(self) -> Any:
        """The body as JSON; `CaseFailed` explaining what came instead when it is not JSON."""
        try:
            return json.loads(self.text)
        except json.JSONDecodeError:
            raise CaseFailed(f"expected a JSON body, got {_short(self.text)!r}") from None

    def why(self) -> str:
        """The gateway's plain-words reason for a failed request, with the learner's line."""
        invocation = self.invocation
        reasons: list[str] = []
        if invocation.problems:
            reasons += [problem.explanation for problem in invocation.problems]
        elif invocation.error is not None:
            reasons.append(invocation.error.explanation)
        said = " ".join(reasons)
        document = invocation.result
        authorizer = getattr(invocation.error, "lambda_result", None)
        if document is None and authorizer is not None:
            document = authorizer.error  # the learner's authorizer raised
        where = _learner_frame(document, already_said=said)
        return f"{said} {where}".strip()


# Lambda's error types for a function whose process ended, and what the function did.
_PROCESS_ENDED = {
    "Runtime.ExitError": "ended its own process (sys.exit or os._exit)",
    "Runtime.OutOfMemory": "used more memory than its limit and its process was ended",
}


def answered(invocation: Invocation) -> Reply:
    """A `Reply`; a timeout or a crash of the learner's function becomes `CaseFailed` with
    status timeout or crashed, so the result says what kind of failure it was."""
    from course_cli.gateway.invoker import Outcome

    # The function's run, or the Lambda authorizer's when the request ended there.
    authorizer_run = getattr(invocation.error, "lambda_result", None)
    result, who = invocation.lambda_result, "the function"
    if result is None and authorizer_run is not None:
        result, who = authorizer_run, "the authorizer"
    if result is not None and result.outcome in (Outcome.TIMEOUT, Outcome.NO_ANSWER):
        raise CaseFailed(
            f"{who} ran past its time limit and was stopped (an endless loop?); "
            f"the client got {_status(invocation)}",
            TIMEOUT,
        )
    error_type = result.error.get("errorType") if result is not None and result.error else None
    if error_type in _PROCESS_ENDED:
        raise CaseFailed(
            f"{who} {_PROCESS_ENDED[error_type]}; Lambda reports {error_type} and the client "
            f"got {_status(invocation)}",
            CRASHED,
        )
    return Reply(invocation)


def expect_status(reply: Reply, expected: int, what: str) -> None:
    """`CaseFailed` unless the status is `expected`; a 5xx carries the gateway's reason."""
    if reply.status == expected:
        return
    message = f"{what}: expected status {expected}, got {reply.status}"
    why = reply.why() if reply.status >= 500 else ""
    if why:
        message += f". {why}"
    elif reply.text:
        message += f" with body {_short(reply.text)}"
    raise CaseFailed(message)


def _status(invocation: Invocation) -> str:
    response = invocation.response
    return str(response.status) if response is not None else "no answer"


def _learner_frame(result: Any, already_said: str = "") -> str:
    """`'Your code raised KeyError: 'x' at handler.py, line 7 (code).'` from an error document;
    only the place (`'It happened at handler.py, line 7 (code).'`) when `already_said` quotes
    the error's message."""
    if not isinstance(result, dict) or "errorType" not in result:
        return ""
    frames = [f for f in result.get("stackTrace") or [] if isinstance(f, str)]
    # The innermost frame of the learner's code: not Python's own library or installed packages.
    library = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix})
    mine = [f for f in frames if not f.strip().removeprefix('File "').startswith(library)]
    last = mine[-1] if mine else ""
    where = ""
    if last:
        first_line, _, code = last.strip().partition("\n")
        # '  File "/x/handler.py", line 7, in handler'
        parts = first_line.replace('"', "").split(", ")
        if len(parts) >= 2:
            where = f" at {parts[0].rsplit('/', 1)[-1]}, {parts[1]}"
            if code.strip():
                where += f" ({code.strip()})"
    message = result.get("errorMessage", "")
    known = bool(message) and message in already_said
    if str(result["errorType"]).startswith("Runtime."):
        return "" if known else f"Lambda reported {result['errorType']}: {message}."
    if known:
        return f"It happened{where}." if where else ""
    return f"Your code raised {result['errorType']}: {message}{where}."


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
