"""API definitions: the resource tree, AWS's creation rules, `single_route` and `build_api`."""

from __future__ import annotations

import pytest

from course_cli.errors import UsageError
from course_cli.gateway.definition import (
    ApiDefinition,
    Integration,
    Method,
    Resource,
    build_api,
    check_resource_path,
    lambda_integration_uri,
    single_route,
    stable_id,
)
from course_cli.gateway.errors import ApiDefinitionError


def test_single_route_defaults() -> None:
    api = single_route("products")
    assert [resource.path for resource in api.resources] == ["/", "/{proxy+}"]
    proxy = api.resources[1]
    method = proxy.methods["ANY"]
    assert method.authorization == "NONE"
    integration = method.integration
    assert integration.type == "AWS_PROXY"
    assert integration.http_method == "POST"
    assert integration.timeout_s == 3
    assert integration.integration_timeout_s == 29
    assert integration.function_name == "products"
    assert integration.uri == (
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
        "arn:aws:lambda:us-east-1:123456789012:function:products/invocations"
    )
    assert integration.request_templates == {} and integration.integration_responses == ()
    assert api.stage == "prod" and api.stage_variables is None and api.binary_media_types == ()
    assert (api.account_id, api.region) == ("123456789012", "us-east-1")
    assert api.functions["products"].handler == "products"
    assert api.domain_name == f"{api.api_id}.execute-api.us-east-1.amazonaws.com"


def test_single_route_with_resource_methods_and_settings() -> None:
    api = single_route(
        "fn", "/users/{id}", ("get", "POST"), timeout_s=10, handler="app.py:main", stage="dev"
    )
    assert [r.path for r in api.resources] == ["/", "/users", "/users/{id}"]
    assert sorted(api.resources[2].methods) == ["GET", "POST"]
    assert api.resources[1].methods == {}  # the ancestor exists, without methods
    assert api.stage == "dev"
    assert api.functions["fn"].handler == "app.py:main"
    assert api.resources[2].methods["GET"].integration.timeout_s == 10


def test_ids_are_stable_and_aws_shaped() -> None:
    assert single_route("fn") == single_route("fn")
    api = single_route("fn")
    assert len(api.api_id) == 10 and api.api_id.isalnum() and api.api_id.islower()
    assert all(len(r.id) == 6 for r in api.resources)
    assert stable_id("x", 6) == stable_id("x", 6) != stable_id("y", 6)
    assert lambda_integration_uri("eu-west-1", "1", "f").endswith(
        "functions/arn:aws:lambda:eu-west-1:1:function:f/invocations"
    )


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("products", "starts with '/'"),
        ("/products/", "no trailing '/'"),
        ("/pro ducts", "not allowed"),
        ("/a//b", "not allowed"),
        ("/{proxy+}/child", "must be the last part"),
        ("/{id}/x/{id}", "appears twice"),
        ("/{a b}", "not allowed"),
    ],
)
def test_resource_paths_aws_refuses(path: str, message: str) -> None:
    with pytest.raises(ApiDefinitionError, match=message):
        check_resource_path(path, where="resource")


def test_two_different_sibling_variables_are_refused() -> None:
    integration = Integration(function_name="fn")
    with pytest.raises(ApiDefinitionError, match=r"sibling \(\{id\}\).*only one is allowed"):
        build_api([("/users/{id}", "GET", integration), ("/users/{name}", "GET", integration)])
    with pytest.raises(ApiDefinitionError, match="only one is allowed"):
        build_api([("/{proxy+}", "ANY", integration), ("/{dynamic}", "GET", integration)])


def test_same_variable_under_one_parent_is_fine() -> None:
    integration = Integration(function_name="fn")
    api = build_api(
        [("/users/{id}", "GET", integration), ("/users/{id}/orders", "GET", integration)]
    )
    assert [r.path for r in api.resources] == ["/", "/users", "/users/{id}", "/users/{id}/orders"]


def test_methods_aws_refuses_and_duplicates() -> None:
    integration = Integration(function_name="fn")
    with pytest.raises(ApiDefinitionError, match="'FETCH' is not a method") as caught:
        build_api([("/x", "FETCH", integration)])
    assert caught.value.hint and "ANY, DELETE, GET" in caught.value.hint
    with pytest.raises(ApiDefinitionError, match="defined twice"):
        build_api([("/x", "GET", integration), ("/x", "GET", integration)])


def test_definitions_built_elsewhere_are_checked_too() -> None:
    # The sandbox builds definitions by hand from moto's state; AWS's rules still hold.
    method = Method("GET", Integration(function_name="fn"))
    with pytest.raises(ApiDefinitionError, match="greedy"):
        ApiDefinition(
            api_id="a",
            resources=(
                Resource("r1", "/{proxy+}", {"GET": method}),
                Resource("r2", "/{proxy+}/x", {"GET": method}),
            ),
        )
    with pytest.raises(ApiDefinitionError, match="not a method"):
        ApiDefinition(api_id="a", resources=(Resource("r1", "/x", {"get": method}),))


def test_api_definition_error_is_a_usage_error() -> None:
    assert issubclass(ApiDefinitionError, UsageError)
    assert ApiDefinitionError("x").exit_code == 2
