"""The integration registry and the AWS_PROXY integration's edges."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from course_cli.gateway.definition import ApiDefinition, Integration
from course_cli.gateway.integrations import KNOWN_TYPES, integration_for
from course_cli.gateway.integrations.aws_proxy import (
    INTEGRATION,
    AwsProxyIntegration,
    function_name,
)


def test_registry_finds_aws_proxy_by_name() -> None:
    assert integration_for("AWS_PROXY") is INTEGRATION
    assert isinstance(INTEGRATION, AwsProxyIntegration)
    assert KNOWN_TYPES == ("AWS_PROXY", "AWS", "HTTP_PROXY", "HTTP", "MOCK")
    assert all(integration_for(kind) is not None for kind in KNOWN_TYPES)


def test_registry_answers_none_for_types_course_cannot_run() -> None:
    assert integration_for("SOAP") is None
    assert integration_for("aws_proxy") is None  # types are AWS's upper-case names


def test_function_name_from_uri() -> None:
    uri = (
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
        "arn:aws:lambda:us-east-1:123456789012:function:products:live/invocations"
    )
    assert function_name(Integration(uri=uri)) == "products"
    assert function_name(Integration(function_name="x", uri=uri)) == "x"


def with_integration(api: ApiDefinition, **changes: Any) -> ApiDefinition:
    """`api` with its last resource's GET integration changed, as a sandbox might build it."""
    resource = api.resources[-1]
    method = resource.methods["GET"]
    changed = replace(method, integration=replace(method.integration, **changes))
    return replace(
        api, resources=(*api.resources[:-1], replace(resource, methods={"GET": changed}))
    )


def test_unsupported_type_is_a_500_with_an_explanation(kit: Any) -> None:
    api = with_integration(kit.api({"resource": "/x", "methods": ["GET"]}), type="SOAP")
    invocation = kit.run(api, kit.request({"path": "/x"}))
    assert invocation.response.status == 500
    assert "cannot run SOAP" in invocation.log.explanations[0]
    assert invocation.log.messages[-2:] == [
        "Execution failed due to configuration error: Unsupported integration type SOAP",
        "Method completed with status: 500",
    ]


def test_non_post_integration_method_fails_like_aws(kit: Any) -> None:
    # AWS accepts an AWS_PROXY integration with integrationHttpMethod GET, then answers 500
    # (recorded by LocalStack: test_lambda_aws_proxy_integration_non_post_method).
    api = with_integration(kit.api({"resource": "/x", "methods": ["GET"]}), http_method="GET")
    invocation = kit.run(api, kit.request({"path": "/x"}))
    assert invocation.response.status == 500
    assert invocation.response.body == b'{"message": "Internal server error"}'
    assert "POST" in invocation.log.explanations[0]
