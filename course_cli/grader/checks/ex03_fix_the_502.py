"""Checks for 03-fix-the-502: every route through the gateway answers as the table in the
starter says, instead of a 502."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from course_cli.grader.cases import Case, Reply, expect, expect_status
from course_cli.grader.checks._proxy import handler_api
from course_cli.grader.handler_files import HANDLER_IN_EITHER_LANGUAGE
from course_cli.grader.lesson_api import GradedApi
from course_cli.grader.runner import SubmissionRunner

EXERCISE = "03-fix-the-502"
# handler.mjs (or .js, .cjs) is graded in place of handler.py when it is there.
ACCEPTED_FILES = HANDLER_IN_EITHER_LANGUAGE
ROUTES = {
    "/items": ("POST",),
    "/items/{itemId}": ("GET",),
    "/items/{itemId}/stock": ("GET",),
    "/items/{itemId}/count": ("GET",),
    "/items/{itemId}/price": ("GET",),
}


@contextmanager
def session(folder: Path, runner: SubmissionRunner) -> Iterator[GradedApi]:
    yield handler_api(folder, runner, ROUTES, "items")


def _answers(api: GradedApi, path: str, expected: Any, status: int = 200) -> Reply:
    """`GET path`; `CaseFailed` unless it answers `status` with the JSON `expected`."""
    reply = api.send("GET", path)
    expect_status(reply, status, f"GET {path}")
    got = reply.json()
    expect(got == expected, f"GET {path}: expected {expected}, got {got}")
    return reply


def body_is_a_string(api: GradedApi) -> None:
    _answers(api, "/items/i1", {"id": "i1", "name": "lamp", "price": 19.99})
    _answers(api, "/items/i2", {"id": "i2", "name": "desk", "price": 120})


def status_is_a_number(api: GradedApi) -> None:
    _answers(api, "/items/i1/stock", {"id": "i1", "inStock": True})
    _answers(api, "/items/i2/stock", {"id": "i2", "inStock": False})


def header_is_a_string(api: GradedApi) -> None:
    reply = _answers(api, "/items/i1/count", {"count": 3})
    value = reply.header("X-Updated-At")
    expected = "2026-01-15T09:30:00"
    expect(
        value == expected,
        f"GET /items/i1/count: expected header X-Updated-At: {expected}, got {value!r}",
    )


def decimal_is_written(api: GradedApi) -> None:
    _answers(api, "/items/i1/price", {"id": "i1", "price": 19.99})
    _answers(api, "/items/i2/price", {"id": "i2", "price": 120})


def bad_json_is_400(api: GradedApi) -> None:
    reply = api.send("POST", "/items", body='{"name": "chair"')
    expect_status(reply, 400, "POST /items with a body that is not JSON")
    body = reply.json()
    expect(
        isinstance(body, dict) and "message" in body,
        f'expected {{"message": ...}}, got {reply.text!r}',
    )


def create_is_201(api: GradedApi) -> None:
    reply = api.send("POST", "/items", body='{"name": "chair"}')
    expect_status(reply, 201, "POST /items")
    body = reply.json()
    expect(
        isinstance(body, dict) and body.get("name") == "chair",
        f"expected the new item, got {reply.text!r}",
    )


def unknown_item_is_404(api: GradedApi) -> None:
    _answers(api, "/items/nope", {"message": "item not found"}, 404)


def missing_body_is_400(api: GradedApi) -> None:
    reply = api.send("POST", "/items")
    expect_status(reply, 400, "POST /items with no body")


CASES = (
    Case(
        "body is a string",
        1,
        "json.dumps the body",
        body_is_a_string,
        js_hint="JSON.stringify the body",
    ),
    Case("statusCode is a number", 1, '200, not "ok"', status_is_a_number),
    Case(
        "header values are strings",
        1,
        "a datetime is not JSON: turn it into text with .isoformat()",
        header_is_a_string,
        js_hint="a Date is not a string: .toISOString().slice(0, 19) is 2026-01-15T09:30:00",
    ),
    Case(
        "a Decimal price is written as a number",
        1,
        "json.dumps(payload, default=...) with a function turning Decimal into int or float",
        decimal_is_written,
        js_hint='keep the price a number: JSON.stringify writes 19.99, a string writes "19.99"',
    ),
    Case(
        "a body that is not JSON answers 400",
        1,
        "catch json.JSONDecodeError and return a 400 response",
        bad_json_is_400,
        js_hint="JSON.parse throws on a body that is not JSON: catch it and return a 400",
    ),
    Case("a valid POST answers 201", 1, "keep the 201 path working", create_is_201),
    Case("an unknown item answers 404", 1, "keep the 404 path working", unknown_item_is_404),
    Case(
        "a POST with no body answers 400",
        1,
        "body is None when the request has no payload",
        missing_body_is_400,
        hidden=True,
        js_hint="body is null when the request has no payload",
    ),
)
