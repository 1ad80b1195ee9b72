"""Route tables with `"payloadFormatVersion": "2.0"`: an HTTP API from a JSON file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from course_cli.gateway.errors import ApiDefinitionError
from course_cli.gateway.route_table import load_route_table
from course_cli.local_api import api_from_file, build_request

HANDLER = (
    "import json\n"
    "def handler(event, context):\n"
    "    return {'routeKey': event['routeKey'], 'version': event['version'],\n"
    "            'stage': event['requestContext']['stage']}\n"
)


def table(**extra: Any) -> dict[str, Any]:
    return {
        "payloadFormatVersion": "2.0",
        "functions": {"app": {"handler": "app.py"}},
        "routes": [
            {"resource": "/items/{id}", "method": "GET", "integration": {"function": "app"}},
            {"resource": "$default", "method": "ANY", "integration": {"function": "app"}},
        ],
        **extra,
    }


def test_an_http_api_sends_2_0_events_at_its_default_stage(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(HANDLER)
    (tmp_path / "api.json").write_text(json.dumps(table()))
    api = api_from_file(tmp_path / "api.json")
    assert api.definition.http_api and api.definition.stage == "$default"
    routed = api.send(build_request("GET", "/items/7"))
    assert routed.response is not None and routed.response.status == 200
    assert json.loads(routed.response.body) == {
        "routeKey": "GET /items/{id}",
        "version": "2.0",
        "stage": "$default",
    }
    fallback = api.send(build_request("DELETE", "/anything/else"))
    assert fallback.response is not None
    assert json.loads(fallback.response.body)["routeKey"] == "$default"


def test_without_a_default_route_an_unknown_path_is_a_404(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(HANDLER)
    data = table()
    data["routes"] = data["routes"][:1]
    (tmp_path / "api.json").write_text(json.dumps(data))
    answer = api_from_file(tmp_path / "api.json").send(build_request("GET", "/nope")).response
    assert answer is not None and answer.status == 404
    assert json.loads(answer.body) == {"message": "Not Found"}


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"payloadFormatVersion": "3.0"}, "payloadFormatVersion '3.0' is not one"),
        ({"stage": "prod"}, "an HTTP API serves its $default stage"),
    ],
)
def test_a_table_http_apis_cannot_have_is_refused(change: dict[str, Any], words: str) -> None:
    with pytest.raises(ApiDefinitionError) as refused:
        load_route_table(table(**change), source="api.json")
    assert words in refused.value.message


@pytest.mark.parametrize(
    ("route", "words"),
    [
        ({"integration": {"type": "MOCK"}}, "MOCK needs a REST API"),
        ({"methodResponses": [{"statusCode": "200"}]}, "methodResponses: not in an HTTP API"),
        ({"method": "GET", "resource": "$default"}, "the $default route's method is ANY"),
    ],
)
def test_a_route_http_apis_cannot_have_is_refused(route: dict[str, Any], words: str) -> None:
    data = table()
    data["routes"][0] = {**data["routes"][0], **route}
    with pytest.raises(ApiDefinitionError) as refused:
        load_route_table(data, source="api.json")
    assert words in refused.value.message
