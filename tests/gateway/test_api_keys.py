"""API keys: AWS's answers from `cases/api_keys.json` (each row cites its source), then the
route table's keys, `$context.identity` in a mapping template and the pieces on their own."""

from __future__ import annotations

from typing import Any

import pytest

from course_cli.gateway.api_keys import api_key_id, mask_key
from course_cli.gateway.definition import ApiDefinition
from course_cli.gateway.errors import ApiDefinitionError
from course_cli.gateway.http import HttpRequest
from course_cli.gateway.pipeline import handle_request
from course_cli.gateway.route_table import load_route_table
from tests.gateway.conftest import FakeInvoker, fixed_clock, id_factory

CASE_FILE = "api_keys"
API_ID = "abcdef1234"
ALLOW_ALL = {
    "principalId": "u",
    "policyDocument": {
        "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"}]
    },
}


def _table(case: dict[str, Any]) -> dict[str, Any]:
    items: dict[str, Any] = {
        "resource": "/items",
        "method": "GET",
        "integration": {"function": "fn"},
    }
    if case.get("keyRequired", True):
        items["apiKeyRequired"] = True
    if case.get("authorizer"):
        items["authorizer"] = {"function": "auth", "authorizerResultTtlInSeconds": 0}
    table: dict[str, Any] = {
        "apiId": API_ID,
        "functions": {"fn": {"handler": "fn.py"}, "auth": {"handler": "auth.py"}},
        "routes": [
            items,
            {"resource": "/open", "method": "GET", "integration": {"function": "fn"}},
        ],
        "apiKeys": case.get("apiKeys", []),
    }
    if "gatewayResponses" in case:
        table["gatewayResponses"] = case["gatewayResponses"]
    return table


def test_api_key_case(case: dict[str, Any]) -> None:
    seen: list[Any] = []
    authorized: list[Any] = []

    def function(event: Any, context: Any) -> Any:
        seen.append(event)
        return {"statusCode": 200, "body": "ok"}

    def authorizer(event: Any, context: Any) -> Any:
        authorized.append(event)
        if event["authorizationToken"] != "allow-me":
            raise Exception("Unauthorized")
        return ALLOW_ALL

    definition = load_route_table(_table(case))
    spec = case.get("request", {})
    request = HttpRequest.build(
        spec.get("method", "GET"),
        spec.get("path", "/prod/items"),
        headers=[tuple(h) for h in spec.get("headers", [])],
    )
    invoker = FakeInvoker({"fn": function, "auth": authorizer})
    invocation = handle_request(
        definition, request, invoker, clock=fixed_clock, new_id=id_factory()
    )
    response, expect = invocation.response, case["expect"]
    assert response is not None
    assert response.status == expect["status"], invocation.log.explanations
    if "body" in expect:
        assert response.body.decode() == expect["body"]
    if "errorType" in expect:
        assert response.headers.get("x-amzn-ErrorType") == expect["errorType"]
    assert bool(seen) is expect["reached"]
    if "authorizerRan" in expect:
        assert bool(authorized) is expect["authorizerRan"]
    if "apiKey" in expect:
        identity = seen[-1]["requestContext"]["identity"]
        assert identity.get("apiKey") == expect["apiKey"]
        if expect["apiKey"] is None:
            assert "apiKeyId" not in identity
        else:
            assert identity["apiKeyId"] == api_key_id(definition, expect["apiKey"])
            assert list(identity) == sorted(identity)  # our identity keys stay in order
    for wanted in expect.get("log", []):
        assert any(wanted in line for line in invocation.log.messages), (
            wanted,
            invocation.log.messages,
        )
    if response.status >= 400:
        assert invocation.log.explanations, "every refusal is explained"


def test_the_explanation_says_what_was_wrong() -> None:
    definition = load_route_table(_table({"apiKeys": ["key-one-0123456789abcdef"]}))
    cases = {
        (): "has no x-api-key header",
        (("x-api-key", "wrong-key-000"),): "********-000, is not one of the API's keys",
    }
    for headers, wanted in cases.items():
        request = HttpRequest.build("GET", "/prod/items", headers=list(headers))
        invocation = handle_request(definition, request, FakeInvoker({}))
        explanation = " ".join(invocation.log.explanations)
        assert wanted in explanation and "'GET /items'" in explanation, explanation


def test_a_mapping_template_sees_the_key_in_context_identity() -> None:
    template = '{"key": "$context.identity.apiKey", "id": "$context.identity.apiKeyId"}'
    table = {
        "apiId": API_ID,
        "apiKeys": ["key-one-0123456789abcdef"],
        "routes": [
            {
                "resource": "/mock",
                "method": "GET",
                "apiKeyRequired": True,
                "integration": {
                    "type": "MOCK",
                    "requestTemplates": {"application/json": '{"statusCode": 200}'},
                    "integrationResponses": [
                        {"statusCode": "200", "responseTemplates": {"application/json": template}}
                    ],
                },
            }
        ],
    }
    definition = load_route_table(table)
    request = HttpRequest.build(
        "GET", "/prod/mock", headers=[("x-api-key", "key-one-0123456789abcdef")]
    )
    response = handle_request(definition, request, FakeInvoker({})).response
    assert response is not None and response.status == 200
    key_id = api_key_id(definition, "key-one-0123456789abcdef")
    assert response.body.decode() == f'{{"key": "key-one-0123456789abcdef", "id": "{key_id}"}}'


def test_sandbox_ids_are_used_when_known() -> None:
    definition = ApiDefinition(api_id="a", api_keys=frozenset({"k"}), api_key_ids={"k": "id9"})
    assert api_key_id(definition, "k") == "id9"
    other = ApiDefinition(api_id="a", api_keys=frozenset({"k"}))
    assert api_key_id(other, "k") == api_key_id(other, "k") != "id9"  # derived, stable


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"apiKeys": "one-key"}, "apiKeys must be a list of key values"),
        ({"apiKeys": [""]}, "apiKeys[0]: an API key is a non-empty string"),
        ({"apiKeys": ["has space"]}, "apiKeys[0]: an API key is at most 128 printable"),
        ({"apiKeys": ["k" * 129]}, "at most 128"),
        ({"route": {"apiKeyRequired": "yes"}}, "routes[0].apiKeyRequired must be true or false"),
        (
            {"payloadFormatVersion": "2.0", "route": {"apiKeyRequired": True}},
            "routes[0].apiKeyRequired: not in an HTTP API route table",
        ),
        (
            {"payloadFormatVersion": "2.0", "apiKeys": ["k"]},
            "only a REST API has API keys",
        ),
    ],
)
def test_route_table_refuses_bad_keys(change: dict[str, Any], message: str) -> None:
    route: dict[str, Any] = {"resource": "/x", "method": "GET", "integration": {"function": "fn"}}
    route |= change.pop("route", {})
    table = {"functions": {"fn": {"handler": "fn.py"}}, "routes": [route], **change}
    with pytest.raises(ApiDefinitionError) as error:
        load_route_table(table)
    assert message in error.value.message


def test_mask_keeps_the_last_four() -> None:
    assert mask_key("abcdefghij") == "******ghij"
    assert mask_key("abc") == "**c"
