"""Our JSON route table, from `cases/route_table.json`, and reading it from a file."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from course_cli.gateway.errors import ApiDefinitionError
from course_cli.gateway.route_table import load_route_table, read_route_table
from course_cli.gateway.routing import describe_routes

CASE_FILE = "route_table"


def test_route_table_case(case: dict[str, Any]) -> None:
    if "error" in case:
        with pytest.raises(ApiDefinitionError) as caught:
            load_route_table(case["table"])
        assert re.search(case["error"], caught.value.message), caught.value.message
        if "hint" in case:
            assert re.search(case["hint"], caught.value.hint or ""), caught.value.hint
        return
    api = load_route_table(case["table"])
    assert describe_routes(api) == case["routes"]


def test_loaded_table_carries_every_setting() -> None:
    table = {
        "name": "products",
        "stage": "dev",
        "stageVariables": {"table": "Products"},
        "binaryMediaTypes": ["image/png"],
        "functions": {"products": {"handler": "handler.py:handler", "timeout": 6}},
        "routes": [{"resource": "/products", "method": "GET", "integration": {"function": "f"}}],
    }
    table["routes"][0]["integration"]["function"] = "products"
    api = load_route_table(table)
    assert (api.name, api.stage, dict(api.stage_variables or {})) == (
        "products",
        "dev",
        {"table": "Products"},
    )
    assert api.binary_media_types == ("image/png",)
    assert api.functions["products"].handler == "handler.py:handler"
    integration = api.resources[-1].methods["GET"].integration
    assert integration.timeout_s == 6
    assert integration.uri.endswith("function:products/invocations")


def test_read_route_table_names_the_file(tmp_path: Path) -> None:
    good = tmp_path / "api.json"
    good.write_text(
        json.dumps(
            {
                "functions": {"f": {"handler": "f.py"}},
                "routes": [{"resource": "/x", "method": "BAD", "integration": {"function": "f"}}],
            }
        )
    )
    with pytest.raises(ApiDefinitionError, match=r"api\.json: routes\[0\]\.method"):
        read_route_table(good)
    broken = tmp_path / "broken.json"
    broken.write_text('{"routes": [')
    with pytest.raises(ApiDefinitionError, match=r"broken\.json is not valid JSON: .*line 1"):
        read_route_table(broken)
    with pytest.raises(ApiDefinitionError, match="cannot read"):
        read_route_table(tmp_path / "missing.json")
