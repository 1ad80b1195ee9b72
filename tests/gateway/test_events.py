"""The proxy event (spec §1), from the case table `cases/events.json`, and its explanations."""

from __future__ import annotations

import json
import re
from typing import Any

from course_cli.gateway.events import (
    build_proxy_event,
    explain_event,
    query_parameters,
)
from course_cli.gateway.http import HttpRequest
from course_cli.gateway.invoker import LambdaInvoker, LambdaResult, Outcome
from course_cli.gateway.pipeline import handle_request, prepare_event
from course_cli.runtime.serialization import copy_event

CASE_FILE = "events"

TWELVE_KEYS = [
    "resource",
    "path",
    "httpMethod",
    "headers",
    "multiValueHeaders",
    "queryStringParameters",
    "multiValueQueryStringParameters",
    "pathParameters",
    "stageVariables",
    "requestContext",
    "body",
    "isBase64Encoded",
]


def event_for(kit: Any, case: dict[str, Any]) -> dict[str, Any]:
    api, request = kit.api(case.get("api")), kit.request(case.get("request"))
    invocation = prepare_event(api, request, clock=kit.clock, new_id=_ids())
    assert invocation.error is None, invocation.log.explanations
    assert invocation.event is not None
    return invocation.event


def _ids() -> Any:
    counter = iter(range(1, 100))
    return lambda: f"c0ffee00-0000-4000-8000-{next(counter):012d}"


def test_event_case(kit: Any, case: dict[str, Any]) -> None:
    event = event_for(kit, case)
    assert list(event) == TWELVE_KEYS
    for path, expected in case.get("expect", {}).items():
        assert kit.dig(event, path) == expected, path
    for path, pattern in case.get("matches", {}).items():
        assert re.search(pattern, kit.dig(event, path)), path
    for path in case.get("absent", []):
        parent, _, key = path.rpartition(".")
        assert key not in (kit.dig(event, parent) if parent else event), path
    for path, keys in case.get("key_order", {}).items():
        assert list(kit.dig(event, path) if path else event) == keys, path


def test_build_proxy_event_directly(kit: Any) -> None:
    # The same event without the pipeline, as `course event` could build it.
    api = kit.api({"resource": "/users/{userId}", "methods": ["GET"]})
    invocation = prepare_event(api, HttpRequest.build("GET", "/users/1"), clock=kit.clock)
    assert invocation.match is not None and invocation.request_context is not None
    event = build_proxy_event(
        invocation.request,
        api,
        invocation.match,
        invocation.request_context,
        path=invocation.path,
        ids=invocation.ids,
    )
    assert event == invocation.event


def _containers(value: Any) -> list[Any]:
    """Every dict and list inside `value`, itself included."""
    if isinstance(value, dict):
        return [value, *(c for item in value.values() for c in _containers(item))]
    if isinstance(value, list):
        return [value, *(c for item in value for c in _containers(item))]
    return []


class _ChangesItsEvent(LambdaInvoker):
    """An invoker whose function gets its own copy of the event, as from any invoker, keeps a
    snapshot of it, then changes every dict and list in it."""

    def __init__(self) -> None:
        self.got: Any = None
        self.snapshot: Any = None

    def invoke(self, name: str, event: Any, timeout_s: float, wait_s: float) -> LambdaResult:
        self.got = copy_event(event)
        self.snapshot = json.loads(json.dumps(self.got))
        for container in _containers(self.got):
            if isinstance(container, dict):
                container["changed"] = "by the function"
            else:
                container.append("changed")
        return LambdaResult(Outcome.OK, '{"statusCode": 200}')


def test_a_function_changing_its_event_leaves_the_gateways_as_sent(kit: Any) -> None:
    # Every part that can hold a container is there: headers, query, path and stage variables.
    api = kit.api(
        {"resource": "/users/{userId}", "methods": ["POST"], "stageVariables": {"env": "test"}}
    )
    request = HttpRequest.build(
        "POST", "/users/1?tag=a&tag=b", headers=[("Cookie", "a"), ("Cookie", "b")], body="{}"
    )
    invoker = _ChangesItsEvent()
    invocation = handle_request(api, request, invoker, clock=kit.clock)
    assert invocation.response is not None and invocation.response.status == 200
    # What the gateway shows (and logs) is the event as sent.
    assert invocation.event == invoker.snapshot and list(invocation.event) == TWELVE_KEYS
    changed = {id(container) for container in _containers(invoker.got)}
    assert not changed & {id(container) for container in _containers(invocation.event)}
    sent = next(line for line in invocation.log.lines if "request body after" in line)
    logged = sent.split("transformations: ", 1)[1].removesuffix(" [TRUNCATED]")
    assert json.dumps(invoker.snapshot, separators=(",", ":")).startswith(logged)
    assert len(logged) > 200 and "changed" not in logged
    assert invocation.request_context is not None
    assert "changed" not in invocation.request_context
    assert "changed" not in invocation.request_context["identity"]
    # The next request's event is untouched too (nothing the function changed was shared).
    again = handle_request(api, request, _ChangesItsEvent(), clock=kit.clock)
    assert "changed" not in json.dumps(again.event)


def test_query_parameters_decode_and_keep_every_value() -> None:
    assert query_parameters("a=1&b=&c&a=2") == (
        {"a": "2", "b": "", "c": ""},
        {"a": ["1", "2"], "b": [""], "c": [""]},
    )
    assert query_parameters("a=x%20y&b=1+2") == (
        {"a": "x y", "b": "1 2"},
        {"a": ["x y"], "b": ["1 2"]},
    )
    assert query_parameters("") == (None, None)
    assert query_parameters("&&") == (None, None)


def notes_by_field(kit: Any, api_spec: dict[str, Any], request_spec: dict[str, Any]) -> Any:
    request = kit.request(request_spec)
    invocation = prepare_event(kit.api(api_spec), request, clock=kit.clock)
    assert invocation.event is not None
    return {note.field: note for note in explain_event(invocation.event, request)}


def test_explain_event_says_why_fields_are_null(kit: Any) -> None:
    notes = notes_by_field(kit, {"resource": "/health", "methods": ["GET"]}, {"path": "/health"})
    assert set(TWELVE_KEYS) <= set(notes)
    assert notes["queryStringParameters"].value is None
    assert "no query string" in notes["queryStringParameters"].explanation
    assert "TypeError" in notes["queryStringParameters"].explanation
    assert "no {variables}" in notes["pathParameters"].explanation
    assert "no body" in notes["body"].explanation
    assert "no stage variables" in notes["stageVariables"].explanation
    assert "no headers at all" in notes["headers"].explanation
    assert "WITH the stage" in notes["requestContext.path"].explanation


def test_explain_event_says_where_values_came_from(kit: Any) -> None:
    notes = notes_by_field(
        kit,
        {"resource": "/images/{name}", "methods": ["PUT"], "binaryMediaTypes": ["image/png"]},
        {
            "method": "PUT",
            "path": "/images/cat.png",
            "query": "size=2&size=3",
            "headers": [["Host", "h"], ["Content-Type", "image/png"], ["Content-Length", "3"]],
            "body": "abc",
        },
    )
    assert notes["pathParameters"].value == {"name": "cat.png"}
    assert "last value" in notes["queryStringParameters"].explanation
    assert "dropped Content-Length" in notes["headers"].explanation
    assert "X-Forwarded-For" in notes["headers"].explanation
    assert "binaryMediaTypes" in notes["body"].explanation
    assert notes["isBase64Encoded"].value is True


def test_explain_event_mentions_replaced_bytes(kit: Any) -> None:
    notes = notes_by_field(
        kit,
        {"resource": "/x", "methods": ["POST"]},
        {"method": "POST", "path": "/x", "headers": [["Host", "h"]], "body_base64": "/w=="},
    )
    assert "U+FFFD" in notes["body"].explanation


def test_requests_with_the_same_headers_get_their_own_header_maps(kit: Any) -> None:
    # The maps of a request like an earlier one are copied from a template: each event must
    # still carry its own trace id and own every list, whatever was done to an earlier one.
    api = kit.api({"resource": "/x"})
    headers = [("Accept", "*/*"), ("X-Forwarded-For", "10.0.0.1")]

    def event() -> dict[str, Any]:
        return prepare_event(api, HttpRequest.build("GET", "/x", headers=headers)).event

    first = event()
    first["headers"]["Accept"] = "changed"
    first["multiValueHeaders"]["Accept"].append("changed")
    first["multiValueHeaders"]["X-Amzn-Trace-Id"].append("changed")
    second, third = event(), event()
    for later in (second, third):
        assert later["headers"]["Accept"] == "*/*"
        assert later["multiValueHeaders"]["Accept"] == ["*/*"]
        assert later["headers"]["X-Forwarded-For"] == "10.0.0.1, 127.0.0.1"
        trace = later["headers"]["X-Amzn-Trace-Id"]
        assert later["multiValueHeaders"]["X-Amzn-Trace-Id"] == [trace]
        assert re.fullmatch(r"Root=1-[0-9a-f]{8}-[0-9a-f]{24}", trace)
    traces = {e["headers"]["X-Amzn-Trace-Id"] for e in (first, second, third)}
    assert len(traces) == 3
    assert not {id(v) for v in second["multiValueHeaders"].values()} & {
        id(v) for v in third["multiValueHeaders"].values()
    }
    # From another address, the forwarding chain ends with that address instead.
    other = HttpRequest.build("GET", "/x", headers=headers, source_ip="10.9.9.9")
    assert prepare_event(api, other).event["headers"]["X-Forwarded-For"] == "10.0.0.1, 10.9.9.9"


def test_a_client_trace_header_is_passed_on_every_time(kit: Any) -> None:
    api = kit.api({"resource": "/x"})
    for sent in ("Root=1-5e1b4151-5ac6c58f3c9a4b7a1d2e3f40", "not-a-trace", "Self=1"):
        for _ in range(2):
            request = HttpRequest.build("GET", "/x", headers=[("x-amzn-trace-id", sent)])
            event = prepare_event(api, request).event
            assert event["headers"]["x-amzn-trace-id"] == sent
            assert "X-Amzn-Trace-Id" not in event["headers"]
