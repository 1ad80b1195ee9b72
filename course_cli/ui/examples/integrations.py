"""Live examples for topic 1: the same request through all five integration types, and MOCK.

The HTTP integrations call a real server on 127.0.0.1 (`echo_backend.py`), started for the
example only and imported only then: listing the examples must not wait for `http.server`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from course_cli.ui.examples.step_code import example_file, send, step_blocks, step_request

if TYPE_CHECKING:
    from pathlib import Path

    from course_cli.ui.examples.echo_backend import EchoBackend

# Lambda code for the side-by-side example (step 1.2 shows the request, not a function): each
# function answers with what it received, so the client sees what reached the backend.
ECHO_FUNCTIONS = '''import json


def proxy_handler(event, context):
    """AWS_PROXY: the event is the whole request; answer in the proxy response format."""
    seen = {key: event[key] for key in ("path", "pathParameters", "queryStringParameters")}
    return {"statusCode": 200, "body": json.dumps({"received": seen})}


def custom_handler(event, context):
    """AWS: the event is whatever the request template wrote (here: no template)."""
    return {"received": event}
'''
MOCK_SIDE_BY_SIDE = '{"message": "MOCK answered by itself"}'
EVENT_KEYS_SHOWN = ("httpMethod", "path", "pathParameters", "queryStringParameters")


@dataclass(frozen=True)
class SideBySideRow:
    """One integration type: what its backend received and what the client got."""

    type: str
    received: Any  # None: there is no backend (MOCK)
    status: int
    body: str


def _route_table(integration: dict[str, Any], functions: Path) -> dict[str, Any]:
    # One API per type: five integrations cannot share one resource and method.
    return {
        "name": f"side-by-side-{integration['type'].lower()}",
        "functions": {
            "proxy": {"handler": f"{functions}:proxy_handler"},
            "custom": {"handler": f"{functions}:custom_handler"},
        },
        "routes": [{"resource": "/users/{userId}", "method": "GET", "integration": integration}],
    }


def side_by_side_integrations(backend: EchoBackend) -> list[dict[str, Any]]:
    """The five integrations, each with the least configuration that makes it work."""
    path_mapping = {"integration.request.path.userId": "method.request.path.userId"}
    return [
        {"type": "AWS_PROXY", "function": "proxy"},
        {"type": "AWS", "function": "custom", "integrationResponses": [{"statusCode": "200"}]},
        {
            "type": "HTTP_PROXY",
            "uri": backend.url("/users/{userId}"),
            "requestParameters": path_mapping,
        },
        {
            "type": "HTTP",
            "uri": backend.url("/users/{userId}"),
            "httpMethod": "GET",
            "requestParameters": path_mapping,
            "integrationResponses": [{"statusCode": "200"}],
        },
        {
            "type": "MOCK",
            "requestTemplates": {"application/json": '{"statusCode": 200}'},
            "integrationResponses": [
                {"statusCode": "200", "responseTemplates": {"application/json": MOCK_SIDE_BY_SIDE}}
            ],
        },
    ]


def run_side_by_side() -> list[SideBySideRow]:
    """Send step 1.2's request through each of the five integration types."""
    from course_cli.ui.examples.echo_backend import echo_backend

    functions = example_file("integration-side-by-side", ECHO_FUNCTIONS)
    request = step_request("integration-side-by-side")
    rows = []
    with echo_backend() as backend:
        for integration in side_by_side_integrations(backend):
            before = len(backend.received)
            (document,) = send(_route_table(integration, functions), [request])
            kind = integration["type"]
            received: Any = None
            if kind == "AWS_PROXY":
                event = document["event"] or {}
                received = {key: event.get(key) for key in EVENT_KEYS_SHOWN}
                received["…"] = f"{len(event) - len(EVENT_KEYS_SHOWN)} more keys"
            elif kind == "AWS":
                received = document["event"]
            elif kind in ("HTTP", "HTTP_PROXY"):
                seen = backend.received[before:]
                received = {k: seen[0][k] for k in ("method", "path")} if seen else None
            response = document["response"]
            rows.append(SideBySideRow(kind, received, response["statusCode"], response["body"]))
    return rows


def integration_side_by_side() -> RenderableType:
    """Step 1.2's request through AWS_PROXY, AWS, HTTP_PROXY, HTTP and MOCK, in one table."""
    request = step_blocks("integration-side-by-side", "http")[0].strip().splitlines()[0]
    table = Table(title=f"{request}, through each integration type", show_lines=True)
    table.add_column("type", style="heading", no_wrap=True)
    table.add_column("what the backend received", overflow="fold")
    table.add_column("what the client got", overflow="fold")
    for row in run_side_by_side():
        received = (
            Text("nothing: there is no backend", "muted")
            if row.received is None
            else Text(json.dumps(row.received, indent=1, ensure_ascii=False))
        )
        got = Text(f"{row.status}\n", "ok" if row.status < 400 else "fail")
        got.append(_pretty(row.body))
        table.add_row(row.type, received, got)
    return Group(
        Text("Live example: integration-side-by-side", style="heading"),
        table,
        Text(
            "The HTTP backend is a real server on 127.0.0.1 that answers with what it received.",
            style="muted",
        ),
    )


def _pretty(body: str) -> str:
    try:
        return json.dumps(json.loads(body), indent=1, ensure_ascii=False)
    except ValueError:
        return body


def mock_health_table() -> dict[str, Any]:
    """`GET /health` on a MOCK integration with step 1.6's two templates."""
    request_template, response_template = step_blocks("mock-health-check", "velocity")[:2]
    integration = {
        "type": "MOCK",
        "requestTemplates": {"application/json": request_template},
        "integrationResponses": [
            {"statusCode": "200", "responseTemplates": {"application/json": response_template}}
        ],
    }
    route = {"resource": "/health", "method": "GET", "integration": integration}
    return {"name": "health", "routes": [route]}


def run_mock_health_check() -> dict[str, Any]:
    """`GET /prod/health` through the MOCK integration: the `course invoke --json` document."""
    from course_cli.local_api import build_request

    (document,) = send(mock_health_table(), [build_request("GET", "/prod/health")])
    return document


def mock_health_check() -> RenderableType:
    """The MOCK health check: the response, and the log showing no backend was called."""
    from course_cli.ui.invocation_view import render_log, render_response

    document = run_mock_health_check()
    return Group(
        Text("Live example: mock-health-check", style="heading"),
        Text("GET /prod/health → MOCK integration (no function, no backend)", style="topic"),
        render_response(document["response"]),
        render_log(document["log"]),
    )


RUNNERS: dict[str, Callable[[], RenderableType]] = {
    "integration-side-by-side": integration_side_by_side,
    "mock-health-check": mock_health_check,
}
