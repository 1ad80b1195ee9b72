"""Gateway responses: which type each gateway-made error is, and how customisations apply.

Sources, cited per row as:
  [types]  AWS, "Gateway response types for API Gateway" (default status per type; DEFAULT_4XX
           and DEFAULT_5XX are the fallbacks and their statusCode applies to what falls back)
  [azul]   AWS access logs and curl output in DataBiosphere/azul #6284, #7466, #7470, #8258:
           function errors are INTEGRATION_FAILURE with 502 (DEFAULT_5XX's headers added, 502
           kept), timeouts INTEGRATION_TIMEOUT 504, unknown routes MISSING_AUTHENTICATION_TOKEN
  [ours]   unverified, our choice (see gateway_responses.py)
  [tmpl]   x-amazon-apigateway-gateway-responses.responseTemplates: simple substitution, not VTL;
           $context.error.messageString is "the quoted value of $context.error.message"
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from course_cli.gateway.definition import ApiDefinition
from course_cli.gateway.error_answer import render_template
from course_cli.gateway.errors import ApiDefinitionError
from course_cli.gateway.gateway_responses import RESPONSE_TYPES
from course_cli.gateway.http import HttpRequest
from course_cli.gateway.pipeline import handle_request
from course_cli.gateway.route_table import load_route_table
from tests.gateway.conftest import FakeInvoker, NoAnswer, fixed_clock, id_factory

CORS = {"gatewayresponse.header.Access-Control-Allow-Origin": "'https://shop.example.com'"}


def boom(event: Any, context: Any) -> Any:
    raise ValueError("boom")


def no_answer(event: Any, context: Any) -> Any:
    raise NoAnswer


HANDLERS = {
    "ok": lambda event, context: {"statusCode": 200, "body": "fine"},
    "boom": boom,
    "malformed": lambda event, context: {"statusCode": 200, "body": {"not": "a string"}},
    "slow": no_answer,
}


def api(gateway_responses: dict[str, Any] | None = None) -> ApiDefinition:
    """Routes that produce each kind of gateway-made error."""
    table: dict[str, Any] = {
        "functions": {name: {"handler": f"{name}.py"} for name in HANDLERS},
        "stageVariables": {"origin": "https://stage.example.com"},
        "routes": [
            {"resource": f"/{name}", "method": "GET", "integration": {"function": name}}
            for name in HANDLERS
        ]
        + [
            {
                "resource": "/strict",
                "method": "POST",
                "integration": {
                    "type": "MOCK",
                    "passthroughBehavior": "NEVER",
                    "requestTemplates": {"application/json": '{"statusCode": 200}'},
                    "integrationResponses": [{"statusCode": "200"}],
                },
            },
            {
                "resource": "/unmapped",
                "method": "GET",
                "integration": {
                    "type": "MOCK",
                    "requestTemplates": {"application/json": '{"statusCode": 404}'},
                    "integrationResponses": [{"statusCode": "200", "selectionPattern": "200"}],
                },
            },
        ],
    }
    if gateway_responses is not None:
        table["gatewayResponses"] = gateway_responses
    return load_route_table(table)


def call(definition: ApiDefinition, method: str, path: str, **options: Any) -> Any:
    request = HttpRequest.build(method, f"/prod{path}", **options)
    return handle_request(
        definition, request, FakeInvoker(dict(HANDLERS)), clock=fixed_clock, new_id=id_factory()
    )


# (request, status without customisation, type, source)
ERRORS = [
    (("GET", "/nowhere"), 403, "MISSING_AUTHENTICATION_TOKEN", "[types] [azul]"),
    (("DELETE", "/ok"), 403, "MISSING_AUTHENTICATION_TOKEN", "[types]: unsupported method"),
    (("GET", "/boom"), 502, "INTEGRATION_FAILURE", "[azul]"),
    (("GET", "/slow"), 504, "INTEGRATION_TIMEOUT", "[types] [azul]"),
    (("GET", "/malformed"), 502, "DEFAULT_5XX", "[ours]"),
    (("POST", "/strict"), 415, "UNSUPPORTED_MEDIA_TYPE", "[types]"),
    (("GET", "/unmapped"), 500, "API_CONFIGURATION_ERROR", "[types]: no integration response"),
]


@pytest.mark.parametrize(("request_line", "status", "response_type", "source"), ERRORS)
def test_each_error_has_its_type_and_default_answer(
    request_line: tuple[str, str], status: int, response_type: str, source: str
) -> None:
    options = {"headers": [("Content-Type", "text/plain")]} if request_line[1] == "/strict" else {}
    invocation = call(api(), *request_line, **options)
    assert invocation.response.status == status, source
    assert invocation.error.response_type == response_type, source
    assert "Access-Control-Allow-Origin" not in dict(invocation.response.headers)


@pytest.mark.parametrize(("request_line", "status", "response_type", "source"), ERRORS)
def test_the_fallback_of_its_family_adds_headers_and_keeps_the_status(
    request_line: tuple[str, str], status: int, response_type: str, source: str
) -> None:
    """[types]: an uncustomised type falls back to DEFAULT_4XX/5XX; [azul]: 502 kept."""
    definition = api({family: {"responseParameters": CORS} for family in ("DEFAULT_4XX",)})
    definition_5xx = api({"DEFAULT_5XX": {"responseParameters": CORS}})
    options = {"headers": [("Content-Type", "text/plain")]} if request_line[1] == "/strict" else {}
    for served in (definition, definition_5xx):
        invocation = call(served, *request_line, **options)
        response = invocation.response
        family = "DEFAULT_5XX" if status >= 500 else "DEFAULT_4XX"
        applies = served.gateway_responses.get(family) is not None
        assert response.status == status, source
        headers = dict(response.headers)
        assert (headers.get("Access-Control-Allow-Origin") == "https://shop.example.com") is applies
        assert headers["x-amzn-ErrorType"]  # AWS keeps it on customised responses [azul]
        assert json.loads(response.body)["message"]  # no template: the default body


def test_a_customised_type_wins_over_the_fallback_with_its_status_and_template() -> None:
    """The lesson's MISSING_AUTHENTICATION_TOKEN -> 404 [types]; the fallback stays for others."""
    definition = api(
        {
            "DEFAULT_4XX": {"responseParameters": {"gatewayresponse.header.X-From": "'4xx'"}},
            "MISSING_AUTHENTICATION_TOKEN": {
                "statusCode": "404",
                "responseParameters": CORS,
                "responseTemplates": {"application/json": '{"message": "Not Found"}'},
            },
        }
    )
    missing = call(definition, "GET", "/nowhere")
    assert missing.response.status == 404
    assert json.loads(missing.response.body) == {"message": "Not Found"}
    headers = dict(missing.response.headers)
    assert headers["Access-Control-Allow-Origin"] == "https://shop.example.com"
    assert "X-From" not in headers  # a customised type no longer falls back
    assert "MISSING_AUTHENTICATION_TOKEN" in " ".join(missing.log.explanations)
    other = call(definition, "POST", "/strict", headers=[("Content-Type", "text/plain")])
    assert other.response.status == 415 and dict(other.response.headers)["X-From"] == "4xx"


def test_the_fallbacks_status_code_changes_every_type_that_falls_back() -> None:
    """[types]: "Changing the status code of this fallback gateway response changes the status
    codes of all other 4XX responses to the new value"."""
    definition = api({"DEFAULT_4XX": {"statusCode": "400"}, "DEFAULT_5XX": {"statusCode": "503"}})
    assert call(definition, "GET", "/nowhere").response.status == 400
    assert call(definition, "GET", "/boom").response.status == 503
    assert call(definition, "GET", "/slow").response.status == 503


def test_templates_substitute_context_error_and_stage_variables() -> None:
    """[tmpl]: $context.error.* and $stageVariables; messageString is quoted."""
    template = (
        '{"m": $context.error.messageString, "t": "$context.error.responseType", '
        '"raw": "$context.error.message", "stage": "$context.stage", '
        '"o": "$stageVariables.origin", "id": "${context.requestId}", "none": "$context.nope"}'
    )
    definition = api({"DEFAULT_5XX": {"responseTemplates": {"application/json": template}}})
    invocation = call(definition, "GET", "/slow")
    assert json.loads(invocation.response.body) == {
        "m": "Endpoint request timed out",
        "t": "INTEGRATION_TIMEOUT",
        "raw": "Endpoint request timed out",
        "stage": "prod",
        "o": "https://stage.example.com",
        "id": invocation.ids.request_id,
        "none": "",
    }


def test_templates_are_not_vtl_and_pick_the_accepted_media_type() -> None:
    """[tmpl]: no directives run; [ours]: the first Accept type picks the template."""
    templates = {
        "application/json": '{"m": 1} #set($x = 1)',
        "text/html": "<p>$context.error.message</p>",
    }
    definition = api({"MISSING_AUTHENTICATION_TOKEN": {"responseTemplates": templates}})
    as_json = call(definition, "GET", "/nowhere").response
    assert as_json.body == b'{"m": 1} #set($x = 1)'
    assert dict(as_json.headers)["Content-Type"] == "application/json"
    as_html = call(definition, "GET", "/nowhere", headers=[("Accept", "text/html")]).response
    assert as_html.body == b"<p>Missing Authentication Token</p>"
    assert dict(as_html.headers)["Content-Type"] == "text/html"


def test_header_values_from_the_request_stage_and_context() -> None:
    """Literals and method.request.* sources as in AWS's responseParameters example; a source
    with no value leaves the header out [ours]."""
    parameters = {
        "gatewayresponse.header.X-Literal": "'it''s'",
        "gatewayresponse.header.X-Accept": "method.request.header.Accept",
        "gatewayresponse.header.X-Query": "method.request.querystring.q",
        "gatewayresponse.header.X-Stage": "stageVariables.origin",
        "gatewayresponse.header.X-Type": "context.error.responseType",
        "gatewayresponse.header.X-Missing": "method.request.header.X-Nope",
    }
    definition = api({"DEFAULT_4XX": {"responseParameters": parameters}})
    request = call(definition, "GET", "/nowhere", query="q=1", headers=[("Accept", "text/plain")])
    headers = dict(request.response.headers)
    assert headers["X-Literal"] == "it''s"
    assert headers["X-Accept"] == "text/plain" and headers["X-Query"] == "1"
    assert headers["X-Stage"] == "https://stage.example.com"
    assert headers["X-Type"] == "MISSING_AUTHENTICATION_TOKEN"
    assert "X-Missing" not in headers


@pytest.mark.parametrize(
    ("responses", "message"),
    [
        ({"NOT_A_TYPE": {}}, "not a gateway response type"),
        ({"DEFAULT_4XX": {"statusCode": "600"}}, "not a status code"),
        ({"DEFAULT_4XX": {"responseParameters": {"header.X": "'a'"}}}, "not a gateway response"),
        ({"DEFAULT_4XX": {"responseModels": {}}}, "unknown key"),
    ],
)
def test_what_aws_refuses_is_refused(responses: dict[str, Any], message: str) -> None:
    with pytest.raises(ApiDefinitionError, match=message):
        api(responses)


def test_the_type_table_is_awss() -> None:
    """[types]: 21 types; the fallbacks have no status."""
    assert len(RESPONSE_TYPES) == 21
    assert RESPONSE_TYPES["DEFAULT_4XX"] is None and RESPONSE_TYPES["INTEGRATION_FAILURE"] == 504


def test_render_template_leaves_other_dollars_alone() -> None:
    assert render_template("$5 and $input.body", {}, {}) == "$5 and $input.body"
