"""Lambda authorizers: AWS's answers from `cases/authorizers.json` (each row cites its source),
then the policy evaluation, the cache and the configuration rules on their own."""

from __future__ import annotations

import json
from typing import Any

import pytest

from course_cli.gateway.authorization import AuthorizerCache, mask, method_arn
from course_cli.gateway.authorizers import Authorizer, authorizer_of, parse_identity_source
from course_cli.gateway.definition import ApiDefinition
from course_cli.gateway.errors import ApiDefinitionError
from course_cli.gateway.http import HttpRequest
from course_cli.gateway.pipeline import handle_request, prepare_event
from course_cli.gateway.policy import (
    PolicyError,
    Statement,
    Verdict,
    context_values,
    evaluate,
    matches,
    parse_answer,
)
from course_cli.gateway.route_table import load_route_table
from tests.gateway.conftest import FakeInvoker, fixed_clock, id_factory

CASE_FILE = "authorizers"
API_ID = "abcdef1234"
ARN = f"arn:aws:execute-api:us-east-1:123456789012:{API_ID}/prod"
DEFAULT_ROUTES = [
    {"resource": "/items/{id}", "method": "GET"},
    {"resource": "/items", "method": "POST"},
]
ALLOW_ALL = {
    "principalId": "u",
    "policyDocument": {
        "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"}]
    },
}


def _api(case: dict[str, Any]) -> ApiDefinition:
    guard = {"function": "auth", **case.get("authorizer", {})}
    routes = []
    for route in json.loads(json.dumps(case.get("routes", DEFAULT_ROUTES))):
        route.setdefault("integration", {"function": "fn"})
        route["authorizer"] = guard
        routes.append(route)
    table: dict[str, Any] = {
        "apiId": API_ID,
        "functions": {"fn": {"handler": "fn.py"}, "auth": {"handler": "auth.py"}},
        "routes": routes,
    }
    if "gatewayResponses" in case:
        table["gatewayResponses"] = case["gatewayResponses"]
    return load_route_table(table)


def _substitute(value: Any, arn: str) -> Any:
    if value == "$methodArn":
        return arn
    if isinstance(value, dict):
        return {k: _substitute(v, arn) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, arn) for v in value]
    return value


class _Run:
    """The case's API, its two functions and what they saw."""

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
        return _substitute(self.case.get("answer"), event["methodArn"])

    def function(self, event: Any, context: Any) -> Any:
        self.seen.append(event)
        return {"statusCode": 200, "body": "ok"}

    def send(self, spec: dict[str, Any]) -> Any:
        request = HttpRequest.build(
            spec["method"], spec["path"], headers=[tuple(h) for h in spec.get("headers", [])]
        )
        return handle_request(
            self.definition, request, self.invoker, clock=fixed_clock, new_id=id_factory()
        )


def test_authorizer_case(case: dict[str, Any]) -> None:
    run = _Run(case)
    requests = case.get(
        "requests",
        [{"method": "GET", "path": "/prod/items/1", "headers": [["Authorization", "allow-me"]]}],
    )
    invocation, reached = None, 0
    for spec in requests:
        reached = len(run.seen)
        invocation = run.send(spec)
    assert invocation is not None and invocation.response is not None
    response, expect = invocation.response, case["expect"]
    assert response.status == expect["status"], invocation.log.explanations
    if "body" in expect:
        assert response.body.decode() == expect["body"]
    if "errorType" in expect:
        assert response.headers.get("x-amzn-ErrorType") == expect["errorType"]
    for name, value in expect.get("headers", {}).items():
        assert response.headers.get(name) == value
    if "calls" in expect:
        assert len(run.events) == expect["calls"]
    if "authorizer" in expect:
        assert run.seen[-1]["requestContext"]["authorizer"] == expect["authorizer"]
    if "event" in expect:
        assert run.events[-1] == expect["event"]
    if "eventKeys" in expect:
        assert list(run.events[-1]) == expect["eventKeys"]
    for key, value in expect.get("eventFields", {}).items():
        assert run.events[-1][key] == value, key
    messages = invocation.log.messages
    for wanted in expect.get("log", []):
        assert any(wanted in line for line in messages), (wanted, messages)
    if response.status >= 400:
        assert invocation.log.explanations, "every refusal is explained"
        assert len(run.seen) == reached, "a refused request never reaches the integration"


# Policy evaluation on its own.


@pytest.mark.parametrize(
    ("pattern", "value", "hit"),
    [
        ("*", f"{ARN}/GET/items/1", True),
        (f"{ARN}/*/*", f"{ARN}/GET/items/1", True),
        (f"{ARN}/GET/*", f"{ARN}/POST/items", False),
        (f"{ARN}/GET/items/?", f"{ARN}/GET/items/1", True),
        (f"{ARN}/GET/items/?", f"{ARN}/GET/items/12", False),
        (f"{ARN}/get/items/1", f"{ARN}/GET/items/1", False),  # resources match case-sensitively
        (f"{ARN}/GET/items/[1]", f"{ARN}/GET/items/1", False),  # no character classes
        ("arn:aws:execute-api:*", f"{ARN}/GET/", True),
    ],
)
def test_resource_wildcards(pattern: str, value: str, hit: bool) -> None:
    assert matches(pattern, value) is hit


def test_actions_match_case_insensitively_and_other_actions_do_not_apply() -> None:
    arn = f"{ARN}/GET/items/1"
    assert Statement("Allow", ("execute-api:*",), ("*",)).applies_to(arn)
    assert Statement("Allow", ("Execute-API:invoke",), ("*",)).applies_to(arn)
    assert not Statement("Allow", ("execute-api:ManageConnections",), ("*",)).applies_to(arn)


def test_deny_wins_then_allow_then_implicit_deny() -> None:
    arn = f"{ARN}/GET/items/1"
    allow = Statement("Allow", ("execute-api:Invoke",), ("*",))
    deny = Statement("Deny", ("execute-api:Invoke",), (arn,))
    elsewhere = Statement("Allow", ("execute-api:Invoke",), (f"{ARN}/POST/*",))
    assert evaluate([allow, deny], arn) is Verdict.EXPLICIT_DENY
    assert evaluate([deny, allow], arn) is Verdict.EXPLICIT_DENY
    assert evaluate([allow], arn) is Verdict.ALLOW
    assert evaluate([elsewhere], arn) is Verdict.IMPLICIT_DENY


@pytest.mark.parametrize(
    "answer",
    [
        None,
        "Allow",
        [],
        {"principalId": "u"},
        {"policyDocument": {"Statement": []}},
        {"policyDocument": {"Statement": [{"Effect": "allow", "Action": "*", "Resource": "*"}]}},
        {"policyDocument": {"Statement": [{"Effect": "Allow", "Resource": "*"}]}},
        {"policyDocument": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": 3}]}},
        {"policyDocument": {"Statement": [{"Effect": "Allow", "NotAction": "x", "Resource": "*"}]}},
        {**ALLOW_ALL, "context": "role=admin"},
    ],
)
def test_answers_that_are_not_policies(answer: Any) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_answer(answer)
    assert caught.value.log_reason == "Could not parse policy"


def test_a_single_statement_object_and_lists_are_both_read() -> None:
    answer = parse_answer(
        {
            "principalId": 7,
            "policyDocument": {
                "Statement": {"Effect": "Allow", "Action": ["execute-api:Invoke"], "Resource": "*"}
            },
        }
    )
    assert answer.principal_id == "7"
    assert answer.statements == (Statement("Allow", ("execute-api:Invoke",), ("*",)),)


def test_context_values_are_stringified_and_objects_refused() -> None:
    assert context_values({"a": 1, "b": True, "c": "x", "d": None}) == {
        "a": "1",
        "b": "true",
        "c": "x",
        "d": None,
    }
    with pytest.raises(PolicyError) as caught:
        context_values({"a": [1]})
    assert caught.value.log_reason.endswith("out of START_ARRAY token")


# The cache.


def test_cache_entries_end_with_their_ttl() -> None:
    cache = AuthorizerCache()
    answer = parse_answer(ALLOW_ALL)
    cache.put(("auth", "TOKEN", "t"), answer, expires_at=100.0)
    assert cache.get(("auth", "TOKEN", "t"), 99.9) is answer
    assert cache.get(("auth", "TOKEN", "other"), 99.9) is None
    assert cache.get(("auth", "TOKEN", "t"), 100.0) is None
    assert cache.get(("auth", "TOKEN", "t"), 50.0) is None  # gone once expired


def test_the_cache_is_asked_again_after_the_ttl() -> None:
    case = {"answer": {**ALLOW_ALL}, "authorizer": {"authorizerResultTtlInSeconds": 60}}
    run = _Run(case)
    now = [1000.0]
    request = HttpRequest.build("GET", "/prod/items/1", headers=[("Authorization", "t")])

    def send() -> int:
        invocation = handle_request(
            run.definition, request, run.invoker, clock=lambda: now[0], new_id=id_factory()
        )
        assert invocation.response is not None
        return invocation.response.status

    assert send() == 200 and len(run.events) == 1
    now[0] += 59
    assert send() == 200 and len(run.events) == 1
    now[0] += 2
    assert send() == 200 and len(run.events) == 2


def test_errors_are_not_cached() -> None:
    run = _Run({"raise": "boom"})
    for _ in range(2):
        invocation = run.send(
            {"method": "GET", "path": "/prod/items/1", "headers": [["Authorization", "t"]]}
        )
        assert invocation.response is not None and invocation.response.status == 500
    assert len(run.events) == 2


def test_course_event_skips_the_authorizer() -> None:
    run = _Run({"answer": ALLOW_ALL})
    invocation = prepare_event(run.definition, HttpRequest.build("GET", "/prod/items/1"))
    assert invocation.event is not None and "authorizer" not in invocation.event["requestContext"]


# Configuration.


def test_method_arn_and_masking() -> None:
    definition = _api({})
    assert method_arn(definition, "GET", "/") == f"{ARN}/GET/"
    assert mask("allow-me") == "****w-me"
    assert mask("24u62kim5mn0slhwigdt7v4ybkwef5") == "*" * 24 + "bkwef5"  # recorded: [cwlog]
    assert mask("") == ""


def test_route_table_authorizer_entry() -> None:
    definition = _api(
        {"authorizer": {"type": "REQUEST", "identitySource": "method.request.querystring.k"}}
    )
    method = next(r for r in definition.resources if r.path == "/items").methods["POST"]
    guard = authorizer_of(method)
    assert guard == Authorizer("auth", "REQUEST", ("method.request.querystring.k",), 300, "auth")
    assert method.authorization == "CUSTOM"


@pytest.mark.parametrize(
    ("entry", "error"),
    [
        ({"function": "nope"}, "no function 'nope'"),
        ({"function": "auth", "type": "COGNITO_USER_POOLS"}, "not a Lambda authorizer type"),
        ({"function": "auth", "authorizerResultTtlInSeconds": 3601}, "0 to 3600"),
        (
            {"function": "auth", "identitySource": "method.request.path.id"},
            "not an identity source",
        ),
        (
            {"function": "auth", "identitySource": "method.request.querystring.k"},
            "takes its token from a header",
        ),
        ({"function": "auth", "type": "REQUEST"}, "needs identity sources"),
        ({"function": "auth", "ttl": 5}, "unknown key 'ttl'"),
    ],
)
def test_route_table_refuses_what_aws_refuses(entry: dict[str, Any], error: str) -> None:
    table = {
        "functions": {"fn": {"handler": "fn.py"}, "auth": {"handler": "auth.py"}},
        "routes": [
            {
                "resource": "/x",
                "method": "GET",
                "integration": {"function": "fn"},
                "authorizer": entry,
            }
        ],
    }
    with pytest.raises(ApiDefinitionError, match=error) as caught:
        load_route_table(table)
    assert "routes[0].authorizer" in caught.value.message


def test_request_authorizer_without_caching_needs_no_identity_source() -> None:
    run = _Run(
        {"answer": ALLOW_ALL, "authorizer": {"type": "REQUEST", "authorizerResultTtlInSeconds": 0}}
    )
    invocation = run.send({"method": "GET", "path": "/prod/items/1"})
    assert invocation.response is not None and invocation.response.status == 200
    assert run.events[-1]["type"] == "REQUEST"


def test_identity_source_lists() -> None:
    assert parse_identity_source("method.request.header.A, method.request.querystring.b") == (
        "method.request.header.A",
        "method.request.querystring.b",
    )
