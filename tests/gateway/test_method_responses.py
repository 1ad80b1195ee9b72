"""Method responses: what the route table accepts and what a request through them answers.

AWS's behaviour, recorded in public reports: an integration response that maps a header the
method response does not declare is refused when it is put (400 "Invalid mapping expression
specified: ... Invalid mapping expression parameter specified: method.response.header.X"), as
is one that maps headers for a status with no method response ("No method response exists
for method."); one whose status has no method response at all is accepted, and a request
that selects it fails with "Output mapping refers to an invalid method response: N" and 500.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from course_cli.gateway.definition import Integration, build_api
from course_cli.gateway.errors import ApiDefinitionError
from course_cli.gateway.http import HttpRequest
from course_cli.gateway.pipeline import handle_request
from course_cli.gateway.route_table import load_route_table

REASON = "method.response.header.X-Reason"


def mock_table(
    responses: list[dict[str, Any]] | None,
    *,
    status: int = 404,
    integration_responses: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A MOCK route answering `status`, with `responses` as its methodResponses (if any)."""
    route: dict[str, Any] = {
        "resource": "/items",
        "method": "GET",
        "integration": {
            "type": "MOCK",
            "requestTemplates": {"application/json": f'{{"statusCode": {status}}}'},
            "integrationResponses": integration_responses
            or [
                {"statusCode": "200"},
                {
                    "statusCode": "404",
                    "selectionPattern": "404",
                    "responseTemplates": {"application/json": '{"message": "no such item"}'},
                    "responseParameters": {REASON: "'missing'"},
                },
            ],
        },
    }
    if responses is not None:
        route["methodResponses"] = responses
    return {"routes": [route]}


def no_lambda(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("a MOCK integration never invokes a function")


def get(table: dict[str, Any]) -> Any:
    api = load_route_table(table)
    return handle_request(api, HttpRequest.build("GET", "/items"), no_lambda)


def test_declared_method_responses_are_kept_on_the_method() -> None:
    declared = [{"statusCode": "200"}, {"statusCode": "404", "responseParameters": {REASON: True}}]
    api = load_route_table(mock_table(declared))
    method = api.resources[-1].methods["GET"]
    assert method.method_responses == {"200": {}, "404": {REASON: True}}


def test_a_declared_header_is_mapped_onto_the_response() -> None:
    declared = [{"statusCode": "200"}, {"statusCode": "404", "responseParameters": {REASON: True}}]
    invocation = get(mock_table(declared))
    assert invocation.response.status == 404
    assert invocation.response.headers.get("X-Reason") == "missing"
    assert json.loads(invocation.response.body) == {"message": "no such item"}


def test_a_status_without_method_response_is_awss_500_at_request_time() -> None:
    # The 404 integration response maps no header, so AWS accepts it; the request fails.
    integration_responses = [
        {"statusCode": "200"},
        {"statusCode": "404", "selectionPattern": "404"},
    ]
    table = mock_table([{"statusCode": "200"}], integration_responses=integration_responses)
    invocation = get(table)
    assert invocation.response.status == 500
    assert json.loads(invocation.response.body) == {"message": "Internal server error"}
    assert invocation.log.messages[-2:] == [
        "Execution failed due to configuration error: Output mapping refers to an invalid "
        "method response: 404",
        "Method completed with status: 500",
    ]
    assert "no 404 method response (it declares: 200)" in invocation.log.explanations[-1]


def test_without_method_responses_every_status_is_allowed() -> None:
    invocation = get(mock_table(None))
    assert invocation.response.status == 404
    assert invocation.response.headers.get("X-Reason") == "missing"


@pytest.mark.parametrize(
    ("declared", "error"),
    [
        (
            [{"statusCode": "200"}, {"statusCode": "404"}],
            r"routes\[0\]: integration response 404 maps method\.response\.header\.X-Reason, "
            r"which the 404 method response does not declare; AWS refuses it: Invalid mapping "
            r"expression specified: Invalid mapping expression parameter specified",
        ),
        (
            [{"statusCode": "200"}],
            r"routes\[0\]: integration response 404 maps response parameters, but the method "
            r"has no 404 method response; .*No method response exists for method\.",
        ),
        (
            [{"statusCode": "404", "responseParameters": {"X-Reason": True}}],
            r"routes\[0\]: method response 404: 'X-Reason' is not a response header",
        ),
        (
            [{"statusCode": "404", "responseParameters": {REASON: "yes"}}],
            r"methodResponses\[0\]\.responseParameters\.method\.response\.header\.X-Reason "
            r"must be true or false",
        ),
        ([{"statusCode": "4040"}], r"methodResponses\[0\]\.statusCode: '4040' is not"),
        (
            [{"statusCode": "200"}, {"statusCode": "200"}],
            r"methodResponses\[1\]\.statusCode: 200 is declared twice.*ConflictException",
        ),
        ([{"statusCode": "200", "responseModels": {}}], r"unknown key 'responseModels'"),
        ({"200": {}}, r"methodResponses must be a list"),
    ],
)
def test_the_loader_refuses_what_aws_refuses(declared: Any, error: str) -> None:
    with pytest.raises(ApiDefinitionError, match=error):
        load_route_table(mock_table(declared))


def test_proxy_integrations_ignore_method_responses() -> None:
    table = {
        "functions": {"fn": {"handler": "handler.py"}},
        "routes": [
            {
                "resource": "/p",
                "method": "GET",
                "integration": {"type": "AWS_PROXY", "function": "fn"},
                "methodResponses": [{"statusCode": "200"}],
            }
        ],
    }
    assert load_route_table(table).resources[-1].methods["GET"].method_responses == {"200": {}}


def test_build_api_checks_method_responses_for_other_callers() -> None:
    integration = Integration(
        type="MOCK",
        integration_responses=({"statusCode": "200", "responseParameters": {REASON: "'x'"}},),
    )
    with pytest.raises(ApiDefinitionError, match="resource '/x' GET: integration response 200"):
        build_api([("/x", "GET", integration)], method_responses={("/x", "GET"): {"200": {}}})
    api = build_api(
        [("/x", "GET", integration)],
        method_responses={("/x", "GET"): {"200": {REASON: False}}},
    )
    assert api.resources[-1].methods["GET"].method_responses == {"200": {REASON: False}}
