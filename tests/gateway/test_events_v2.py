"""The HTTP API event, payload format 2.0, from the case table `cases/http_events.json`."""

from __future__ import annotations

import re
from typing import Any

from course_cli.gateway.definition import ApiDefinition, FunctionConfig, Integration
from course_cli.gateway.events_v2 import explain_http_event
from course_cli.gateway.pipeline import prepare_event
from course_cli.local_api import http_api_for

CASE_FILE = "http_events"


def http_api(case: dict[str, Any]) -> ApiDefinition:
    """An HTTP API from a case: its `routes` ([resource, method] pairs, all to one function) or
    only the $default route."""
    routes = case.get("routes", [])
    settings: dict[str, Any] = {"api_id": "abc123defg"}
    if "stageVariables" in case:
        settings["stage_variables"] = case["stageVariables"]
    resources = [resource for resource, _ in routes]
    method = routes[0][1] if routes else "ANY"
    return http_api_for(
        Integration(function_name="fn"),
        resources,
        method,
        functions={"fn": FunctionConfig("fn", "handler.py")},
        **settings,
    )


def event_for(kit: Any, case: dict[str, Any]) -> dict[str, Any]:
    invocation = prepare_event(http_api(case), kit.request(case.get("request")), clock=kit.clock)
    assert invocation.error is None, invocation.log.explanations
    assert isinstance(invocation.event, dict)
    return invocation.event


def test_http_event_case(kit: Any, case: dict[str, Any]) -> None:
    event = event_for(kit, case)
    for path, expected in case.get("expect", {}).items():
        assert kit.dig(event, path) == expected, path
    for path, pattern in case.get("matches", {}).items():
        assert re.search(pattern, kit.dig(event, path)), path
    for path in case.get("absent", []):
        parent, _, key = path.rpartition(".")
        assert key not in (kit.dig(event, parent) if parent else event), path
    for path, keys in case.get("key_order", {}).items():
        assert list(kit.dig(event, path) if path else event) == keys, path
    assert None not in event.values()  # absent, never null


def test_explain_names_every_field_and_what_differs_from_1_0(kit: Any) -> None:
    case = {"request": {"method": "GET", "path": "/x", "headers": [["Host", "h"]]}}
    event = event_for(kit, case)
    notes = {note.field: note for note in explain_http_event(event, kit.request(case["request"]))}
    assert set(event) <= set(notes)
    for absent in ("cookies", "queryStringParameters", "pathParameters", "body"):
        assert notes[absent].value is None and "absent" in notes[absent].explanation
    assert "1.0" in notes["rawPath"].explanation
    assert "lower-cased" in notes["headers"].explanation
