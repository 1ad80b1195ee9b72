"""Live examples for topics 2 and 3: the proxy event and the proxy response.

Each runs its step's first ```python block, written to `$COURSE_HOME/examples/<id>.py` where
the learner can open it, with real requests through the gateway and the in-process runtime.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from course_cli.ui.examples.step_code import example_file as write_example_file
from course_cli.ui.examples.step_code import send, step_blocks

# A handler for examples whose step shows no code (the event itself is the point).
ECHO_HANDLER = """import json


def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"received": event["path"]})}
"""


@dataclass(frozen=True)
class ExampleRequest:
    """One request an example sends."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    body: str | None = None


@dataclass(frozen=True)
class ProxyExample:
    """A handler (from the step's code), the API around it, and the requests to send."""

    example_id: str
    resources: tuple[str, ...]
    requests: tuple[ExampleRequest, ...]
    # Event keys to show (all of them for "*"); none to show only what the client got.
    event_keys: tuple[str, ...] = ()
    methods: tuple[str, ...] = ("ANY",)
    uses_step_code: bool = True


EXAMPLES = (
    ProxyExample(
        "proxy-event-from-request",
        ("/users/{userId}",),
        (
            ExampleRequest(
                "GET",
                "/prod/users/123",
                (("include", "orders"),),
                (("Accept", "application/json"),),
            ),
        ),
        event_keys=("*",),
        uses_step_code=False,
    ),
    ProxyExample(
        "query-string-null",
        ("/users/{userId}",),
        (
            ExampleRequest("GET", "/users/123", (("include", "orders"),)),
            ExampleRequest("GET", "/users/123"),
        ),
        event_keys=("queryStringParameters", "multiValueQueryStringParameters"),
    ),
    ProxyExample(
        "repeated-query-keys",
        ("/items",),
        (ExampleRequest("GET", "/items", (("tag", "red"), ("tag", "blue"))),),
        event_keys=("queryStringParameters", "multiValueQueryStringParameters"),
    ),
    ProxyExample("dict-body-502", ("/products/{id}",), (ExampleRequest("GET", "/products/p1"),)),
    ProxyExample(
        "marshal-error-decimal", ("/products/{id}",), (ExampleRequest("GET", "/products/p1"),)
    ),
    ProxyExample(
        "unhandled-exception-502",
        ("/users/{userId}",),
        (ExampleRequest("GET", "/users/42"), ExampleRequest("GET", "/users/abc")),
    ),
    ProxyExample(
        "missing-route-403",
        ("/users/{userId}",),
        (
            ExampleRequest("GET", "/prod/users/123"),
            ExampleRequest("GET", "/prod/user/123"),
            ExampleRequest("DELETE", "/prod/users/123"),
        ),
        methods=("GET",),
        uses_step_code=False,
    ),
)


def step_handler_source(example_id: str) -> str:
    """The first Python block of the lesson step that runs `example_id`."""
    return step_blocks(example_id, "python")[0]


def example_file(spec: ProxyExample) -> Path:
    """Write the example's handler where the learner can find it; return its path."""
    source = step_handler_source(spec.example_id) if spec.uses_step_code else ECHO_HANDLER
    return write_example_file(spec.example_id, source)


def run_proxy_example(spec: ProxyExample) -> list[dict[str, Any]]:
    """Send the example's requests; one `course invoke --json` document per request."""
    from course_cli.local_api import build_request

    name = spec.example_id
    integration = {"type": "AWS_PROXY", "function": name}
    table = {
        "name": name,
        "functions": {name: {"handler": str(example_file(spec))}},
        "routes": [
            {"resource": resource, "method": verb, "integration": integration}
            for resource in spec.resources
            for verb in spec.methods
        ],
    }
    requests = [
        build_request(r.method, r.path, query=r.query, headers=r.headers, body=r.body)
        for r in spec.requests
    ]
    return send(table, requests)


def render_proxy_example(spec: ProxyExample) -> RenderableType:
    """Run the example and draw each request: what was sent, what came back, and why."""
    from course_cli.ui.invocation_view import (
        render_event,
        render_explanation,
        render_log,
        render_response,
    )

    parts: list[RenderableType] = [
        Text(f"Live example: {spec.example_id}", style="heading"),
        Text(f"handler: {example_file(spec)}", style="muted"),
    ]
    for request, document in zip(spec.requests, run_proxy_example(spec), strict=True):
        status = (document.get("response") or {}).get("statusCode")
        query = "&".join(f"{k}={v}" for k, v in request.query)
        target = f"{request.path}?{query}" if query else request.path
        parts.append(Text(f"\n{request.method} {target} → {status}", style="topic"))
        event = document.get("event")
        if spec.event_keys and isinstance(event, dict):
            shown = event if spec.event_keys == ("*",) else {k: event[k] for k in spec.event_keys}
            parts.append(render_event(shown, title="What the function received"))
        parts.append(render_response(document.get("response")))
        explanation = render_explanation(document)
        if explanation is not None:
            parts.append(explanation)
            log = document.get("log") or []
            if log:
                parts.append(render_log(log, brief=True))
    return Group(*parts)


RUNNERS: dict[str, Callable[[], RenderableType]] = {
    spec.example_id: partial(render_proxy_example, spec) for spec in EXAMPLES
}
