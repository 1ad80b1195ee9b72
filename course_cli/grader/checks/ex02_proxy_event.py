"""Checks for 02-proxy-event: GET /users/{userId} through the gateway with and without a query
string, with the header in several casings and without it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from course_cli.grader.cases import Case, expect, expect_status, shown_request
from course_cli.grader.checks._proxy import handler_api
from course_cli.grader.handler_files import HANDLER_IN_EITHER_LANGUAGE
from course_cli.grader.lesson_api import GradedApi
from course_cli.grader.runner import SubmissionRunner

EXERCISE = "02-proxy-event"
# handler.mjs (or .js, .cjs) is graded in place of handler.py when it is there.
ACCEPTED_FILES = HANDLER_IN_EITHER_LANGUAGE


@contextmanager
def session(folder: Path, runner: SubmissionRunner) -> Iterator[GradedApi]:
    yield handler_api(folder, runner, {"/users/{userId}": ("GET",)}, "users")


def _user(
    api: GradedApi,
    user_id: str,
    query: tuple[tuple[str, str], ...] = (),
    headers: tuple[tuple[str, str], ...] = (),
) -> dict[str, Any]:
    shown = shown_request("GET", f"/users/{user_id}", query)
    reply = api.send("GET", f"/users/{user_id}", query=query, headers=headers)
    expect_status(reply, 200, shown)
    body: dict[str, Any] = reply.json()
    expect(isinstance(body, dict), f"{shown}: the body must be a JSON object, got {reply.text!r}")
    return body


def _field(body: dict[str, Any], key: str, expected: Any, request: str) -> None:
    expect(
        body.get(key) == expected,
        f'{request}: expected "{key}": {expected!r}, got {body.get(key, "(missing)")!r}',
    )


def reads_path_parameter(api: GradedApi) -> None:
    for user_id in ("u1", "42"):
        body = _user(api, user_id, (("include", "orders"),), (("X-Tenant", "acme"),))
        _field(body, "userId", user_id, f"GET /users/{user_id}")


def reads_include(api: GradedApi) -> None:
    for include in ("orders", "profile"):
        body = _user(api, "u7", (("include", include),), (("X-Tenant", "acme"),))
        _field(body, "include", include, f"GET /users/u7?include={include}")


def survives_no_query_string(api: GradedApi) -> None:
    body = _user(api, "u2", (), (("X-Tenant", "acme"),))
    _field(body, "include", None, "GET /users/u2 (no query string)")


def reads_header_any_casing(api: GradedApi) -> None:
    for name, value in (("X-Tenant", "acme"), ("x-tenant", "globex"), ("X-TENANT", "initech")):
        body = _user(api, "u3", (("include", "orders"),), ((name, value),))
        _field(body, "tenant", value, f"GET /users/u3 with header {name}: {value}")


def header_missing_defaults(api: GradedApi) -> None:
    body = _user(api, "u4")
    _field(body, "tenant", "public", "GET /users/u4 without X-Tenant")


def repeated_query_key(api: GradedApi) -> None:
    body = _user(api, "u5", (("include", "orders"), ("include", "profile")))
    _field(body, "include", "profile", "GET /users/u5?include=orders&include=profile")


CASES = (
    Case(
        "reads the path parameter",
        2,
        "the id is in event['pathParameters']['userId']",
        reads_path_parameter,
        js_hint="the id is in event.pathParameters.userId",
    ),
    Case(
        "reads the include query parameter",
        2,
        "query parameters are in event['queryStringParameters']",
        reads_include,
        js_hint="query parameters are in event.queryStringParameters",
    ),
    Case(
        "survives a request with no query string",
        2,
        "queryStringParameters is None, not {}, when there is no query string",
        survives_no_query_string,
        js_hint="queryStringParameters is null, not {}, when there is no query string: use ?.",
    ),
    Case(
        "reads X-Tenant in any casing",
        2,
        "header names keep the client's casing: lower-case them once",
        reads_header_any_casing,
    ),
    Case(
        "no X-Tenant header means tenant public",
        1,
        "use .get('x-tenant', 'public') on the lower-cased headers",
        header_missing_defaults,
        js_hint="use headers['x-tenant'] ?? 'public' on the lower-cased headers",
    ),
    Case(
        "repeated query key: the last value wins",
        1,
        "queryStringParameters holds the last value of a repeated key",
        repeated_query_key,
        hidden=True,
    ),
)
