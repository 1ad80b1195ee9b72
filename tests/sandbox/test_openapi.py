"""Our OpenAPI 3 reader (moto's import_rest_api crashes on MOCK and drops parameters)."""

from __future__ import annotations

from typing import Any

import pytest

from course_cli.gateway.definition import FunctionConfig
from course_cli.gateway.errors import ApiDefinitionError
from course_cli.local_api import build_request
from course_cli.sandbox.crud import REFERENCE_HANDLER
from course_cli.sandbox.openapi import read_openapi

URI = (
    "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
    "arn:aws:lambda:us-east-1:123456789012:function:products/invocations"
)


def document() -> dict[str, Any]:
    proxy = {"type": "aws_proxy", "httpMethod": "POST", "uri": URI}
    return {
        "openapi": "3.0.1",
        "info": {"title": "products-api"},
        "x-amazon-apigateway-binary-media-types": ["image/png"],
        "paths": {
            "/products": {
                "get": {
                    "parameters": [{"name": "limit", "in": "query", "required": True}],
                    "x-amazon-apigateway-integration": proxy,
                },
                "post": {"x-amazon-apigateway-integration": proxy},
            },
            "/products/{productId}": {
                "parameters": [{"name": "productId", "in": "path", "required": True}],
                "x-amazon-apigateway-any-method": {"x-amazon-apigateway-integration": proxy},
            },
            "/health": {
                "get": {
                    "x-amazon-apigateway-integration": {
                        "type": "mock",
                        "requestTemplates": {"application/json": '{"statusCode": 200}'},
                        "passthroughBehavior": "never",
                        "responses": {
                            "default": {
                                "statusCode": "200",
                                "responseTemplates": {"application/json": '{"ok": true}'},
                            }
                        },
                    }
                }
            },
        },
    }


def test_reads_paths_integrations_and_parameters() -> None:
    definition = read_openapi(document())
    assert definition.name == "products-api" and definition.binary_media_types == ("image/png",)
    by_path = {resource.path: resource.methods for resource in definition.resources}
    assert set(by_path) == {"/", "/products", "/products/{productId}", "/health"}
    get = by_path["/products"]["GET"]
    assert get.integration.type == "AWS_PROXY" and get.integration.function_name == "products"
    assert get.request_parameters == {"method.request.querystring.limit": True}
    assert set(by_path["/products/{productId}"]) == {"ANY"}
    mock = by_path["/health"]["GET"].integration
    assert mock.type == "MOCK" and mock.passthrough_behavior == "NEVER"
    assert mock.integration_responses[0]["selectionPattern"] == ""


@pytest.mark.slow
def test_serves_through_the_gateway(crud_sandbox: Any) -> None:
    """The document's API runs the reference handler against the sandbox's table."""
    from course_cli.gateway.pipeline import handle_request
    from course_cli.sandbox.functions import SandboxFunction, SandboxInvoker

    sandbox = crud_sandbox[0]
    handler = f"{REFERENCE_HANDLER}:handler"
    definition = read_openapi(
        document(), functions={"products": FunctionConfig("products", handler, 10)}
    )
    invoker = SandboxInvoker(
        {"products": SandboxFunction("products", handler, 10, {"TABLE_NAME": "products"})},
        sandbox.variables(),
        account_id=sandbox.account_id,
        region=sandbox.region,
    )
    invocation = handle_request(definition, build_request("GET", "/products/none"), invoker)
    assert invocation.response is not None and invocation.response.status == 404


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d["paths"]["/products"]["post"].clear(), "No integration defined"),
        (
            lambda d: d["paths"]["/products"]["post"].update(
                {"x-amazon-apigateway-integration": {"type": "lambda", "uri": URI}}
            ),
            "'lambda' does not exist",
        ),
        (lambda d: d.update(openapi="2.0"), "not an OpenAPI 3 document"),
        (lambda d: d["paths"].update({"/a/{proxy+}/b": d["paths"]["/health"]}), "greedy"),
    ],
)
def test_refuses_what_aws_import_refuses(change: Any, words: str) -> None:
    broken = document()
    change(broken)
    with pytest.raises(ApiDefinitionError, match=words):
        read_openapi(broken)
