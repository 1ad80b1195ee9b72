"""Checks for 04-vtl-request: the learner's request template in front of a function that
answers with the input it received, with zero, one and several query parameters."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from course_cli.grader.cases import Case, CaseFailed, expect, expect_status, shown_request
from course_cli.grader.lesson_api import GradedApi, graded_api
from course_cli.grader.runner import SubmissionRunner, SubmittedFunction, read_submitted

EXERCISE = "04-vtl-request"
BACKENDS = Path(__file__).resolve().parent.parent / "backends.py"
# The fix AWS documents for $util.escapeJavaScript, as it is written in a template.
UNDO_APOSTROPHE = """.replaceAll("\\\\'", "'")"""
APOSTROPHE_TRAP = (
    f". \\' is not a JSON escape: $util.escapeJavaScript writes ' as \\', so add "
    f"{UNDO_APOSTROPHE} after it"
)


def _input_for(
    api: GradedApi, method: str, user_id: str, query: tuple[tuple[str, str], ...] = ()
) -> tuple[dict[str, Any], str]:
    """What the template made the gateway send the function, and the request's id."""
    shown = shown_request(method, f"/users/{user_id}", query)
    reply = api.send(method, f"/users/{user_id}", query=query)
    rendered = reply.invocation.event
    if isinstance(rendered, str):
        try:
            json.loads(rendered)
        except json.JSONDecodeError as error:
            # The line as printed (not repr'd, which would double every backslash).
            lines = rendered.splitlines()
            line = lines[error.lineno - 1].strip() if error.lineno <= len(lines) else ""
            raise CaseFailed(
                f"{shown}: your template printed text that is not JSON ({error.msg} at "
                f"line {error.lineno}, column {error.colno}: {line or '(nothing)'})"
                + (APOSTROPHE_TRAP if "\\'" in line else "")
            ) from None
    expect_status(reply, 200, shown)
    received = reply.json()
    expect(
        isinstance(received, dict), f"{shown}: the input must be a JSON object, got {reply.text}"
    )
    return received, reply.invocation.request_id


@contextmanager
def session(folder: Path, runner: SubmissionRunner) -> Iterator[GradedApi]:
    template = read_submitted(folder / "request.vtl")
    integration = {
        "type": "AWS",
        "function": "legacy",
        "requestTemplates": {"application/json": template},
        "integrationResponses": [{"statusCode": "200"}],
    }
    table = {
        "name": "users",
        "routes": [{"resource": "/users/{userId}", "method": "ANY", "integration": integration}],
    }
    legacy = SubmittedFunction(f"{BACKENDS}:legacy_echo", grader_code=True)
    yield graded_api(table, runner, {"legacy": legacy})


def _field(received: dict[str, Any], key: str, expected: Any, request: str) -> None:
    got = received.get(key, "(missing)")
    expect(
        got == expected,
        f'{request}: expected "{key}": {json.dumps(expected)}, got {json.dumps(got)}',
    )


def valid_json_with_several(api: GradedApi) -> None:
    _input_for(api, "GET", "u1", (("include", "orders"), ("limit", "5"), ("sort", "name")))


def reads_user_id(api: GradedApi) -> None:
    for user_id in ("u1", "42"):
        received, _ = _input_for(api, "GET", user_id)
        _field(received, "userId", user_id, f"GET /users/{user_id}")


def reads_method(api: GradedApi) -> None:
    for method in ("GET", "DELETE"):
        received, _ = _input_for(api, method, "u1")
        _field(received, "method", method, f"{method} /users/u1")


def every_query_parameter(api: GradedApi) -> None:
    for query in (
        (("include", "orders"),),
        (("include", "orders"), ("limit", "5"), ("sort", "name")),
    ):
        received, _ = _input_for(api, "GET", "u1", query)
        _field(received, "filters", dict(query), shown_request("GET", "/users/u1", query))


def no_query_parameters(api: GradedApi) -> None:
    received, _ = _input_for(api, "GET", "u1")
    _field(received, "filters", {}, "GET /users/u1 (no query string)")


def request_id(api: GradedApi) -> None:
    for _ in range(2):
        received, request_id = _input_for(api, "GET", "u1")
        _field(received, "requestId", request_id, "GET /users/u1")


def quotes_in_values(api: GradedApi) -> None:
    received, _ = _input_for(api, "GET", "u1", (("q", 'say "hi"'),))
    _field(received, "filters", {"q": 'say "hi"'}, 'GET /users/u1?q=say "hi"')


def apostrophes_in_values(api: GradedApi) -> None:
    for value in ("it's", "rock 'n' roll"):
        received, _ = _input_for(api, "GET", "u1", (("q", value),))
        _field(received, "filters", {"q": value}, f"GET /users/u1?q={value}")


CASES = (
    Case(
        "valid JSON with several query parameters",
        2,
        "a comma after every entry but the last: #if($foreach.hasNext),#end",
        valid_json_with_several,
    ),
    Case("userId from the path", 1, "$input.params('userId')", reads_user_id),
    Case("method from the request", 1, "$context.httpMethod", reads_method),
    Case(
        "every query parameter in filters",
        2,
        "#foreach over $input.params().querystring.keySet()",
        every_query_parameter,
    ),
    Case("no query string gives filters {}", 1, "the loop runs zero times", no_query_parameters),
    Case("requestId is the request's id", 1, "$context.requestId", request_id),
    Case(
        "an apostrophe inside a value stays valid JSON",
        1,
        f"$util.escapeJavaScript(...){UNDO_APOSTROPHE}: escapeJavaScript alone writes ' as \\'",
        apostrophes_in_values,
    ),
    Case(
        "quotes inside a value stay valid JSON",
        1,
        f"$util.escapeJavaScript(...){UNDO_APOSTROPHE} around each value",
        quotes_in_values,
        hidden=True,
    ),
)
