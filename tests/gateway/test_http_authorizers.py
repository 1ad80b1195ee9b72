"""HTTP API Lambda authorizers (payload format 2.0, simple responses): AWS's answers from
`cases/http_authorizers.json` (each row cites its source), then the configuration rules."""

from __future__ import annotations

from typing import Any

import pytest

from course_cli.gateway.authorizers import Authorizer, with_authorizers
from course_cli.gateway.definition import ApiDefinition, FunctionConfig, Integration
from course_cli.gateway.errors import ApiDefinitionError
from course_cli.gateway.http import HttpRequest
from course_cli.gateway.pipeline import handle_request
from course_cli.local_api import http_api_for
from tests.gateway.conftest import FakeInvoker, fixed_clock, id_factory

CASE_FILE = "http_authorizers"
API_ID = "abcdef1234"


def _api(case: dict[str, Any]) -> ApiDefinition:
    settings = {"identity_source": ("$request.header.Authorization",), **case.get("authorizer", {})}
    settings["identity_source"] = tuple(settings["identity_source"])
    guard = Authorizer("auth", "REQUEST", payload_format="2.0", **settings)
    functions = {"fn": FunctionConfig("fn", "fn.py"), "auth": FunctionConfig("auth", "auth.py")}
    definition = http_api_for(
        Integration(function_name="fn"), ["/items/{id}"], "GET", api_id=API_ID, functions=functions
    )
    return with_authorizers(definition, {("/items/{id}", "GET"): guard})


class _Run:
    def __init__(self, case: dict[str, Any]) -> None:
        self.case = case
        self.events: list[Any] = []
        self.seen: list[Any] = []
        self.definition = _api(case)
        self.invoker = FakeInvoker({"fn": self.function, "auth": self.authorizer})

    def authorizer(self, event: Any, context: Any) -> Any:
        self.events.append(event)
        if "raise" in self.case:
            raise Exception(self.case["raise"])
        return self.case.get("answer")

    def function(self, event: Any, context: Any) -> Any:
        self.seen.append(event)
        return {"statusCode": 200, "body": "ok"}

    def send(self, spec: dict[str, Any]) -> Any:
        path = spec["path"] + (f"?{spec['query']}" if "query" in spec else "")
        request = HttpRequest.build(
            spec["method"], path, headers=[tuple(h) for h in spec.get("headers", [])]
        )
        return handle_request(
            self.definition, request, self.invoker, clock=fixed_clock, new_id=id_factory()
        )


def test_http_authorizer_case(case: dict[str, Any]) -> None:
    run = _Run(case)
    requests = case.get(
        "requests",
        [{"method": "GET", "path": "/items/1", "headers": [["Authorization", "allow-me"]]}],
    )
    invocation = None
    for spec in requests:
        invocation = run.send(spec)
    assert invocation is not None and invocation.response is not None
    response, expect = invocation.response, case["expect"]
    assert response.status == expect["status"], invocation.log.explanations
    if "body" in expect:
        assert response.body.decode() == expect["body"]
    if "calls" in expect:
        assert len(run.events) == expect["calls"]
    if "authorizer" in expect:
        assert run.seen[-1]["requestContext"]["authorizer"] == expect["authorizer"]
    if "eventKeys" in expect:
        assert list(run.events[-1]) == expect["eventKeys"]
    for key, value in expect.get("eventFields", {}).items():
        assert run.events[-1][key] == value, key


def test_the_function_event_has_the_authorizer_after_api_id() -> None:
    run = _Run({"answer": {"isAuthorized": True, "context": {"k": "v"}}})
    run.send({"method": "GET", "path": "/items/1", "headers": [["Authorization", "t"]]})
    keys = list(run.seen[-1]["requestContext"])
    assert keys[:3] == ["accountId", "apiId", "authorizer"]


@pytest.mark.parametrize(
    ("settings", "needle"),
    [
        ({"type": "TOKEN", "identity_source": ("$request.header.A",)}, "REQUEST authorizers"),
        ({"identity_source": ("method.request.header.A",)}, "of an HTTP API"),
        ({"payload_format": "3.0"}, "not 1.0 or 2.0"),
    ],
)
def test_http_authorizer_configuration_is_checked(settings: dict[str, Any], needle: str) -> None:
    values: dict[str, Any] = {
        "type": "REQUEST",
        "identity_source": ("$request.header.Authorization",),
        "payload_format": "2.0",
        **settings,
    }
    with pytest.raises(ApiDefinitionError) as caught:
        Authorizer("auth", **values)
    assert needle in caught.value.message
