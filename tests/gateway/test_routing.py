"""Routing (spec §2) from `cases/routing.json`, plus the compiled-router cache."""

from __future__ import annotations

from typing import Any

import pytest

from course_cli.gateway.routing import (
    ANY_METHODS,
    NoMethod,
    NoResource,
    RouteMatch,
    describe_routes,
    route,
    router_for,
    strip_stage,
)

CASE_FILE = "routing"


def test_route_case(kit: Any, case: dict[str, Any]) -> None:
    api = kit.api({"routes": case["routes"]})
    result = route(api, case["method"], case["path"])
    expect = case["expect"]
    if expect.get("no_resource"):
        assert result == NoResource(case["path"])
    elif "no_method" in expect:
        assert isinstance(result, NoMethod)
        assert result.resource.path == expect["no_method"]
        assert list(result.allowed) == expect["allowed"]
    else:
        assert isinstance(result, RouteMatch), result
        assert result.resource.path == expect["resource"]
        assert result.method.http_method == expect["method"]
        assert dict(result.path_params) == expect["params"]


@pytest.mark.case_section("stage")
def test_stage_case(case: dict[str, Any]) -> None:
    assert list(strip_stage(case["path"], case["stage"])) == case["expect"]


def test_any_covers_exactly_seven_verbs() -> None:
    assert sorted(ANY_METHODS) == ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]


def test_router_is_compiled_once_per_definition(kit: Any) -> None:
    api = kit.api({"routes": [{"resource": "/a", "method": "GET"}]})
    assert router_for(api) is router_for(api)
    other = kit.api({"routes": [{"resource": "/a", "method": "GET"}]})
    assert other == api  # the cache takes no part in equality
    assert router_for(other) is not router_for(api)


def test_describe_routes_lists_every_verb(kit: Any) -> None:
    api = kit.api(
        {
            "routes": [
                {"resource": "/products", "method": "GET"},
                {"resource": "/products", "method": "POST"},
                {"resource": "/products/{id}", "method": "DELETE"},
            ]
        }
    )
    assert describe_routes(api) == ["GET /products", "POST /products", "DELETE /products/{id}"]
