"""Shared pieces for the gateway tests: a fake Lambda runtime, a fixed clock, fixed ids.

The fake invoker stands in for `course_cli/runtime` (written in parallel): a dict of Python
callables, run in-process, their return values serialised with `json.dumps` exactly as the
Python Lambda runtime does, exceptions reported as Lambda reports them.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from course_cli.gateway.context import Invocation
from course_cli.gateway.definition import ApiDefinition, single_route
from course_cli.gateway.http import HttpRequest
from course_cli.gateway.invoker import LambdaInvoker, LambdaResult, Outcome
from course_cli.gateway.pipeline import handle_request
from course_cli.gateway.route_table import load_route_table

CASES = Path(__file__).parent / "cases"
# 15 May 2020 06:01:09.135 UTC, the spec's example requestTime.
FIXED_NOW = 1589522469.135


class FunctionTimedOut(Exception):
    """Raised by a fake handler to play a function that ran past its own timeout."""


class NoAnswer(Exception):
    """Raised by a fake handler to play a function still running when API Gateway gives up."""


@dataclass
class FakeInvoker(LambdaInvoker):
    """A `LambdaInvoker` over plain Python callables `handler(event, context)`."""

    handlers: dict[str, Callable[[Any, Any], Any]]
    calls: list[tuple[str, Any, float, float]] = field(default_factory=list)

    def invoke(
        self, function_name: str, event: Any, timeout_s: float, wait_s: float
    ) -> LambdaResult:
        self.calls.append((function_name, event, timeout_s, wait_s))
        request_id = f"lambda-{len(self.calls)}"
        handler = self.handlers[function_name]
        try:
            value = handler(json.loads(json.dumps(event)), None)
        except FunctionTimedOut:
            message = f"2020-05-15T06:01:12.135Z {request_id} Task timed out after 3.00 seconds"
            return _failure(Outcome.TIMEOUT, {"errorMessage": message}, request_id)
        except NoAnswer:
            return LambdaResult(Outcome.NO_ANSWER, "", request_id=request_id)
        except Exception as error:
            document = {
                "errorMessage": str(error),
                "errorType": type(error).__name__,
                "requestId": request_id,
                "stackTrace": ['  File "/var/task/handler.py", line 1, in handler\n'],
            }
            return _failure(Outcome.ERROR, document, request_id)
        try:
            payload = json.dumps(value)
        except TypeError as error:
            document = {
                "errorMessage": f"Unable to marshal response: {error}",
                "errorType": "Runtime.MarshalError",
                "requestId": request_id,
                "stackTrace": [],
            }
            return _failure(Outcome.ERROR, document, request_id, value=value)
        return LambdaResult(Outcome.OK, payload, request_id=request_id, value=value)


def _failure(
    outcome: Outcome, document: dict[str, Any], request_id: str, value: Any = None
) -> LambdaResult:
    return LambdaResult(outcome, json.dumps(document), document, request_id=request_id, value=value)


def fixed_clock() -> float:
    return FIXED_NOW


def id_factory() -> Callable[[], str]:
    """Request ids `c0ffee00-0000-4000-8000-000000000001`, `...002`, ..."""
    counter = iter(range(1, 1_000_000))
    return lambda: f"c0ffee00-0000-4000-8000-{next(counter):012d}"


def returning(value: Any) -> Callable[[Any, Any], Any]:
    """A handler that returns `value` whatever the event."""
    return lambda event, context: value


def handler_for(case: dict[str, Any]) -> Callable[[Any, Any], Any]:
    """The handler a case describes: it returns `returns`, or plays its `special` failure."""
    special = case.get("special")

    def handler(event: Any, context: Any) -> Any:
        if special == "exception":
            raise ZeroDivisionError("division by zero")
        if special == "decimal":  # DynamoDB numbers: json.dumps fails, Runtime.MarshalError
            return {"statusCode": 200, "body": {"price": Decimal("9.99")}}
        if special == "timeout":
            raise FunctionTimedOut
        if special == "no_answer":
            raise NoAnswer
        return case["returns"]

    return handler


def api_from_case(spec: dict[str, Any] | None) -> ApiDefinition:
    """An API definition from a case: a route table (with `routes`) or `single_route` args."""
    spec = dict(spec or {})
    if "routes" in spec:
        spec.setdefault("functions", {"fn": {"handler": "handler.py:handler"}})
        for route in spec["routes"]:
            route.setdefault("integration", {"function": "fn"})
        return load_route_table(spec)
    settings: dict[str, Any] = {"api_id": spec.pop("apiId", "abc123defg")}
    if "stageVariables" in spec:
        settings["stage_variables"] = spec.pop("stageVariables")
    if "binaryMediaTypes" in spec:
        settings["binary_media_types"] = tuple(spec.pop("binaryMediaTypes"))
    if "stage" in spec:
        settings["stage"] = spec.pop("stage")
    return single_route(
        "fn",
        spec.pop("resource", "/{proxy+}"),
        spec.pop("methods", ("ANY",)),
        **settings,
    )


def request_from_case(spec: dict[str, Any] | None) -> HttpRequest:
    """An `HttpRequest` from a case: method, path, raw query, header pairs, body."""
    spec = spec or {}
    body: bytes | str | None = spec.get("body")
    if "body_base64" in spec:
        body = base64.b64decode(spec["body_base64"])
    return HttpRequest.build(
        spec.get("method", "GET"),
        spec.get("path", "/"),
        query=spec.get("query"),
        headers=[tuple(pair) for pair in spec.get("headers", [])],
        body=body,
        source_ip=spec.get("source_ip", "203.0.113.7"),
    )


def dig(document: Any, dotted: str) -> Any:
    """`document["a"]["b"]` for "a.b"; a key may itself hold dots if written `a.[x.y]`."""
    for key in _split(dotted):
        document = document[key]
    return document


def _split(dotted: str) -> Iterator[str]:
    while dotted:
        if dotted.startswith("["):
            key, _, dotted = dotted[1:].partition("]")
            dotted = dotted.removeprefix(".")
        else:
            key, _, dotted = dotted.partition(".")
        yield key


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "case_section(name): take only the cases of that section from CASE_FILE"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test with a `case` argument runs once per case of its module's `CASE_FILE` (those
    without a `section`, or of the section its `case_section` marker names)."""
    name = getattr(metafunc.module, "CASE_FILE", None)
    if name is not None and "case" in metafunc.fixturenames:
        cases = json.loads((CASES / f"{name}.json").read_text(encoding="utf-8"))["cases"]
        marker = metafunc.definition.get_closest_marker("case_section")
        section = marker.args[0] if marker else None
        cases = [case for case in cases if case.get("section") == section]
        metafunc.parametrize("case", cases, ids=[case["name"] for case in cases])


@dataclass
class Kit:
    """What gateway tests need, handed out by the `kit` fixture."""

    api = staticmethod(api_from_case)
    request = staticmethod(request_from_case)
    dig = staticmethod(dig)
    invoker = FakeInvoker
    returning = staticmethod(returning)
    handler_for = staticmethod(handler_for)
    clock = staticmethod(fixed_clock)
    FunctionTimedOut = FunctionTimedOut
    NoAnswer = NoAnswer
    now: float = FIXED_NOW

    def run(
        self,
        api: ApiDefinition,
        request: HttpRequest,
        handler: Callable[[Any, Any], Any] | None = None,
    ) -> Invocation:
        """`handle_request` with a fixed clock and numbered request ids."""
        handler = handler or returning({"statusCode": 200, "body": "ok"})
        invoker = FakeInvoker(dict.fromkeys(api.functions, handler) | {"fn": handler})
        return handle_request(api, request, invoker, clock=fixed_clock, new_id=id_factory())


@pytest.fixture
def kit() -> Kit:
    return Kit()
