"""Live examples for topics 1 and 4: the five integration types, MOCK, and mapping templates.

Each example runs what its step shows - the request (```http), the templates (```velocity),
the function (```python) or its return value (```json) - taken from the step's Markdown, through
the real gateway and the in-process runtime. HTTP integrations call a real HTTP server on
127.0.0.1 (`echo_backend`), started for the example and shut down before it returns.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from course_cli.content.examples import example

if TYPE_CHECKING:
    from course_cli.gateway.definition import ApiDefinition
    from course_cli.gateway.http import HttpRequest

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


# --- the step's code ------------------------------------------------------------------------


def step_blocks(example_id: str, language: str) -> list[str]:
    """Every ```language block of the lesson step that runs `example_id`, in order."""
    from course_cli.content import load_lesson

    lesson = load_lesson("lesson-3")
    step = next(s for s in lesson.steps if s.example == example_id)
    pattern = re.compile(rf"^```{re.escape(language)}\n(.*?)^```", re.MULTILINE | re.DOTALL)
    blocks = pattern.findall(step.markdown())
    if not blocks:  # a content bug, caught by the example tests
        raise LookupError(f"step {step.number} shows no {language} block for {example_id}")
    return list(blocks)


def step_request(example_id: str) -> HttpRequest:
    """The request of the step's ```http block (request line and headers; no body)."""
    from course_cli.local_api import build_request

    request_line, *header_lines = step_blocks(example_id, "http")[0].strip().splitlines()
    method, target, _version = request_line.split()
    headers = [tuple(part.strip() for part in line.split(":", 1)) for line in header_lines]
    return build_request(method, target, headers=[(name, value) for name, value in headers])


def example_file(example_id: str, source: str) -> Path:
    """Write an example's Lambda code under `$COURSE_HOME/examples/`; return its path."""
    from course_cli.progress import course_home

    folder = course_home() / "examples"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{example_id}.py"
    if not path.exists() or path.read_text(encoding="utf-8") != source:
        path.write_text(source, encoding="utf-8")
    return path


def send(table: dict[str, Any], requests: list[HttpRequest]) -> list[dict[str, Any]]:
    """Load `table` (our route-table format) and send `requests`: `course invoke --json` docs."""
    from course_cli.gateway.pipeline import invocation_to_json
    from course_cli.gateway.route_table import load_route_table
    from course_cli.local_api import LocalApi
    from course_cli.runtime import InProcessRuntime

    definition: ApiDefinition = load_route_table(table)
    functions = {name: config.handler for name, config in definition.functions.items()}
    api = LocalApi(definition, InProcessRuntime(functions))
    return [invocation_to_json(api.send(request)) for request in requests]


# --- a real HTTP backend --------------------------------------------------------------------


@dataclass
class EchoBackend:
    """The echo server's address and every request it received (method, path, headers, body)."""

    port: int
    received: list[dict[str, Any]]

    def url(self, path: str) -> str:
        """`http://127.0.0.1:<port><path>`."""
        return f"http://127.0.0.1:{self.port}{path}"


class _Echo(BaseHTTPRequestHandler):
    """Answers every request with JSON saying what it received."""

    server: _EchoServer

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        seen = {
            "method": self.command,
            "path": self.path,
            "headers": {k: v for k, v in self.headers.items() if k.lower() != "content-length"},
            "body": self.rfile.read(length).decode("utf-8", "replace") if length else "",
        }
        self.server.received.append(seen)
        data = json.dumps({"backend received": seen}).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the example shows what the backend received; no access log on the terminal


class _EchoServer(HTTPServer):
    received: list[dict[str, Any]]


@contextmanager
def echo_backend() -> Iterator[EchoBackend]:
    """A real HTTP server on 127.0.0.1 (a free port) for the duration of the `with` block.

    One thread serves requests one at a time; on exit the server stops, its socket closes and
    the thread is joined, so nothing is left running.
    """
    server = _EchoServer(("127.0.0.1", 0), _Echo)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, name="echo-backend", daemon=True)
    thread.start()
    try:
        yield EchoBackend(int(server.server_address[1]), server.received)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# --- 1.2: the same request through all five types -------------------------------------------


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


@example("integration-side-by-side")
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


# --- 1.6: MOCK health check -----------------------------------------------------------------


def mock_health_table() -> dict[str, Any]:
    """`GET /health` on a MOCK integration with step 1.6's two templates."""
    request_template, response_template = step_blocks("mock-health-check", "velocity")[:2]
    return {
        "name": "health",
        "routes": [
            {
                "resource": "/health",
                "method": "GET",
                "integration": {
                    "type": "MOCK",
                    "requestTemplates": {"application/json": request_template},
                    "integrationResponses": [
                        {
                            "statusCode": "200",
                            "responseTemplates": {"application/json": response_template},
                        }
                    ],
                },
            }
        ],
    }


def run_mock_health_check() -> dict[str, Any]:
    """`GET /prod/health` through the MOCK integration: the `course invoke --json` document."""
    from course_cli.local_api import build_request

    (document,) = send(mock_health_table(), [build_request("GET", "/prod/health")])
    return document


@example("mock-health-check")
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


# --- 4.4: a request template with #foreach ------------------------------------------------------

REQUEST_TEMPLATE_QUERIES: tuple[tuple[tuple[str, str], ...], ...] = (
    (("include", "orders"), ("limit", "5")),
    (),
)
RECEIVED_FUNCTION = '''def lambda_handler(event, context):
    """Returns the payload the request template wrote, so the client sees it."""
    return event
'''


def run_request_template() -> list[dict[str, Any]]:
    """Step 4.4's request template in front of a function that returns its payload: one
    document per query string (`?include=orders&limit=5`, then none)."""
    from course_cli.local_api import build_request

    template = step_blocks("vtl-request-template", "velocity")[0]
    handler = example_file("vtl-request-template", RECEIVED_FUNCTION)
    table = {
        "name": "items",
        "functions": {"items": {"handler": f"{handler}:lambda_handler"}},
        "routes": [
            {
                "resource": "/items",
                "method": "GET",
                "integration": {
                    "type": "AWS",
                    "function": "items",
                    "requestTemplates": {"application/json": template},
                    "integrationResponses": [{"statusCode": "200"}],
                },
            }
        ],
    }
    requests = [build_request("GET", "/prod/items", query=q) for q in REQUEST_TEMPLATE_QUERIES]
    return send(table, requests)


@example("vtl-request-template")
def vtl_request_template() -> RenderableType:
    """What the template printed for each query string, and whether it is JSON."""
    from course_cli.gateway.vtl import json_problem
    from course_cli.ui.vtl_view import render_preview

    parts: list[RenderableType] = [Text("Live example: vtl-request-template", style="heading")]
    for query, document in zip(REQUEST_TEMPLATE_QUERIES, run_request_template(), strict=True):
        target = "/prod/items" + ("?" + "&".join(f"{k}={v}" for k, v in query) if query else "")
        parts.append(Text(f"\nGET {target}", style="topic"))
        printed = _logged(document, "Endpoint request body after transformations: ")
        problem = json_problem(printed)
        preview = {
            "output": printed,
            "json_valid": problem is None,
            "problems": [problem] if problem else [],
        }
        parts.append(render_preview(preview, title="request template"))
    return Group(*parts)


def _logged(document: dict[str, Any], prefix: str) -> str:
    """The text after `prefix` in the execution log (AWS logs each transformation)."""
    for line in document["log"]:
        _, _, message = line.partition(" : ")
        if message.startswith(prefix):
            return str(message).removeprefix(prefix)
    raise LookupError(f"no log line {prefix!r}")


# --- 4.7: a map prints Java-style -------------------------------------------------------------


def returning_function(example_id: str) -> Path:
    """A function returning the step's ```json block (the value the step says it returns)."""
    value = json.loads(step_blocks(example_id, "json")[0])
    source = (
        "import json\n\n"
        f"RESULT = json.loads({json.dumps(json.dumps(value))})\n\n\n"
        "def lambda_handler(event, context):\n"
        "    return RESULT\n"
    )
    return example_file(example_id, source)


def run_java_style_map() -> list[tuple[str, dict[str, Any]]]:
    """Step 4.7's function behind its two response templates: the first attempt, then the
    fix; one (template, document) pair each."""
    from course_cli.local_api import build_request

    handler = returning_function("vtl-map-renders-java-style")
    templates = step_blocks("vtl-map-renders-java-style", "velocity")[:2]
    routes = [
        {
            "resource": f"/{name}",
            "method": "GET",
            "integration": {
                "type": "AWS",
                "function": "lamp",
                "integrationResponses": [
                    {"statusCode": "200", "responseTemplates": {"application/json": template}}
                ],
            },
        }
        for name, template in zip(("first-attempt", "fixed"), templates, strict=True)
    ]
    table = {
        "name": "lamps",
        "functions": {"lamp": {"handler": f"{handler}:lambda_handler"}},
        "routes": routes,
    }
    requests = [build_request("GET", f"/prod/{name}") for name in ("first-attempt", "fixed")]
    return list(zip(templates, send(table, requests), strict=True))


@example("vtl-map-renders-java-style")
def vtl_map_renders_java_style() -> RenderableType:
    """Both response templates' output, with the JSON verdict the client's parser would give."""
    from course_cli.gateway.vtl import json_problem
    from course_cli.ui.vtl_view import render_preview

    parts: list[RenderableType] = [
        Text("Live example: vtl-map-renders-java-style", style="heading")
    ]
    titles = ("first attempt: $response.body", "the fix: $input.json('$.body')")
    for title, (_, document) in zip(titles, run_java_style_map(), strict=True):
        body = document["response"]["body"]
        problem = json_problem(body)
        preview = {
            "output": body,
            "json_valid": problem is None,
            "problems": [problem] if problem else [],
        }
        parts.append(Text(f"\n{title} → {document['response']['statusCode']}", style="topic"))
        parts.append(render_preview(preview, title="response template"))
    return Group(*parts)


# --- 4.8: selectionPattern ----------------------------------------------------------------------

NOT_FOUND_PATTERN = "Not found.*"


def selection_table(handler: Path, *, with_404: bool) -> dict[str, Any]:
    """Step 4.8's function with only the default integration response, or with the 404 one."""
    request_template, not_found_template = step_blocks("selection-pattern-404", "velocity")[:2]
    responses: list[dict[str, Any]] = [{"statusCode": "200"}]
    if with_404:
        responses.append(
            {
                "statusCode": "404",
                "selectionPattern": NOT_FOUND_PATTERN,
                "responseTemplates": {"application/json": not_found_template},
            }
        )
    return {
        "name": "products",
        "functions": {"products": {"handler": f"{handler}:lambda_handler"}},
        "routes": [
            {
                "resource": "/products/{productId}",
                "method": "GET",
                "integration": {
                    "type": "AWS",
                    "function": "products",
                    "requestTemplates": {"application/json": request_template},
                    "integrationResponses": responses,
                },
            }
        ],
    }


SELECTION_RUNS: tuple[tuple[str, bool, str], ...] = (
    ("without a selectionPattern: the 200-on-error trap", False, "p2"),
    ("with selectionPattern 'Not found.*' → 404", True, "p1"),
    ("with selectionPattern 'Not found.*' → 404", True, "p2"),
)


def run_selection_pattern() -> list[dict[str, Any]]:
    """Step 4.8's function: `p2` with only the default response, then `p1` and `p2` with the
    404 integration response; one document per request."""
    from course_cli.local_api import build_request

    source = step_blocks("selection-pattern-404", "python")[0]
    handler = example_file("selection-pattern-404", source)
    documents = []
    for _, with_404, product in SELECTION_RUNS:
        table = selection_table(handler, with_404=with_404)
        documents += send(table, [build_request("GET", f"/prod/products/{product}")])
    return documents


@example("selection-pattern-404")
def selection_pattern_404() -> RenderableType:
    """Each run's response, and why the error answered 200 when no pattern matched."""
    from course_cli.ui.invocation_view import render_explanation, render_response

    parts: list[RenderableType] = [Text("Live example: selection-pattern-404", style="heading")]
    for (title, _, product), document in zip(SELECTION_RUNS, run_selection_pattern(), strict=True):
        status = document["response"]["statusCode"]
        parts.append(Text(f"\n{title}: GET /prod/products/{product} → {status}", style="topic"))
        parts.append(render_response(document["response"]))
        explanation = render_explanation(document)
        if explanation is not None:
            parts.append(explanation)
    return Group(*parts)
