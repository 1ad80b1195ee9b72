"""Checks for 05-vtl-response: the learner's response template and 404 selectionPattern on an
AWS integration whose function returns orders, or fails for missing and unreachable ones."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from course_cli.grader.backends import ORDERS
from course_cli.grader.cases import Case, CaseFailed, Reply, expect, expect_status
from course_cli.grader.lesson_api import GradedApi, graded_api
from course_cli.grader.runner import SubmissionRunner, SubmittedFunction, read_submitted

EXERCISE = "05-vtl-response"
BACKENDS = Path(__file__).resolve().parent.parent / "backends.py"
PATTERN_LINE = re.compile(r"^##\s*404 selectionPattern:[ \t]*(.*?)\s*$", re.MULTILINE)
REQUEST_TEMPLATE = '{"orderId": "$util.escapeJavaScript($input.params(\'orderId\'))"}'
NOT_FOUND_TEMPLATE = '{"message": "$util.escapeJavaScript($input.path(\'$.errorMessage\'))"}'


@contextmanager
def session(folder: Path, runner: SubmissionRunner) -> Iterator[GradedApi]:
    template = read_submitted(folder / "response.vtl")
    responses: list[dict[str, Any]] = [
        {"statusCode": "200", "responseTemplates": {"application/json": template}}
    ]
    found = PATTERN_LINE.search(template)
    if found and found.group(1) and found.group(1) != "TODO":
        responses.append(
            {
                "statusCode": "404",
                "selectionPattern": found.group(1),
                "responseTemplates": {"application/json": NOT_FOUND_TEMPLATE},
            }
        )
    integration = {
        "type": "AWS",
        "function": "orders",
        "requestTemplates": {"application/json": REQUEST_TEMPLATE},
        "integrationResponses": responses,
    }
    table = {
        "name": "orders",
        "routes": [{"resource": "/orders/{orderId}", "method": "GET", "integration": integration}],
    }
    orders = SubmittedFunction(f"{BACKENDS}:find_order", grader_code=True)
    yield graded_api(table, runner, {"orders": orders})


def _order(api: GradedApi, order_id: str) -> tuple[dict[str, Any], Reply]:
    reply = api.send("GET", f"/orders/{order_id}")
    expect_status(reply, 200, f"GET /orders/{order_id}")
    try:
        body = reply.json()
    except CaseFailed:
        raise CaseFailed(
            f"GET /orders/{order_id}: the template's output is not JSON: {reply.text.strip()!r}"
            + (" (a map from $input.path prints as {key=value})" if "=" in reply.text else "")
        ) from None
    expect(
        isinstance(body, dict), f"GET /orders/{order_id}: expected a JSON object, got {reply.text}"
    )
    return body, reply


def valid_json(api: GradedApi) -> None:
    _order(api, "o1")


def data_is_the_order(api: GradedApi) -> None:
    for order_id in ("o1", "o2"):
        body, _ = _order(api, order_id)
        expect(
            body.get("data") == ORDERS[order_id],
            f'GET /orders/{order_id}: expected "data": the order {ORDERS[order_id]}, '
            f"got {body.get('data', '(missing)')}",
        )


def _metadata(api: GradedApi) -> tuple[dict[str, Any], Reply]:
    body, reply = _order(api, "o1")
    metadata = body.get("metadata")
    if not isinstance(metadata, dict):
        raise CaseFailed(f'expected "metadata" to be an object, got {metadata}')
    return metadata, reply


def metadata_request_id(api: GradedApi) -> None:
    metadata, reply = _metadata(api)
    expected = reply.invocation.request_id
    expect(
        metadata.get("requestId") == expected,
        f"expected metadata.requestId {expected!r}, got {metadata.get('requestId', '(missing)')!r}",
    )


def metadata_stage(api: GradedApi) -> None:
    metadata, _ = _metadata(api)
    expect(
        metadata.get("stage") == "prod",
        f"expected metadata.stage 'prod', got {metadata.get('stage', '(missing)')!r}",
    )


def _not_found(api: GradedApi, order_id: str) -> None:
    reply = api.send("GET", f"/orders/{order_id}")
    message = f"Order {order_id} was not found"
    if reply.status == 200:
        raise CaseFailed(
            f"GET /orders/{order_id}: the function failed with {message!r}, but no "
            "selectionPattern matched, so the default response answered 200 "
            "(set the '## 404 selectionPattern:' line; it must match the whole message)"
        )
    expect_status(reply, 404, f"GET /orders/{order_id}")
    expect(
        reply.json() == {"message": message},
        f'expected {{"message": {message!r}}}, got {reply.text}',
    )


def other_errors_are_not_404(api: GradedApi) -> None:
    reply = api.send("GET", "/orders/down")
    expect(
        reply.status != 404,
        "GET /orders/down failed with 'Order store unavailable, try again later' and answered "
        "404: the selectionPattern matches more than the not-found message",
    )


CASES = (
    Case(
        "the answer is valid JSON",
        2,
        "$input.json('$') writes JSON; $input.path('$') does not",
        valid_json,
    ),
    Case("data is the order", 2, "\"data\": $input.json('$')", data_is_the_order),
    Case("metadata.requestId", 1, "$context.requestId", metadata_request_id),
    Case("metadata.stage", 1, "$context.stage", metadata_stage),
    Case(
        "a missing order answers 404",
        2,
        "a Java regex matching the whole errorMessage, e.g. with .* for the id",
        partial(_not_found, order_id="o9"),
    ),
    Case(
        "other errors are not 404",
        1,
        "the pattern must not match every message (.* alone does)",
        other_errors_are_not_404,
    ),
    Case(
        "any order id that is missing answers 404",
        1,
        "do not write the id into the pattern",
        partial(_not_found, order_id="x-2024-17"),
        hidden=True,
    ),
)
