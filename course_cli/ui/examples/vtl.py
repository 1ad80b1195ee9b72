"""Live examples for topic 4: mapping templates as API Gateway renders them, taken from each
step's Markdown: the request template of 4.4, the Java-style map of 4.7 and its fix, the
selectionPattern of 4.8 and the 200-on-error trap.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.text import Text

from course_cli.ui.examples.step_code import example_file, send, step_blocks

if TYPE_CHECKING:
    from pathlib import Path


REQUEST_TEMPLATE_QUERIES: tuple[tuple[tuple[str, str], ...], ...] = (
    (("include", "orders"), ("limit", "5")),
    (),
    (("q", "it's"),),  # the apostrophe that $util.escapeJavaScript alone would break
)
RECEIVED_FUNCTION = '''def lambda_handler(event, context):
    """Returns the payload the request template wrote, so the client sees it."""
    return event
'''


def run_request_template() -> list[dict[str, Any]]:
    """Step 4.4's request template in front of a function that returns its payload: one
    document per query string (`?include=orders&limit=5`, none, then `?q=it's`)."""
    from course_cli.local_api import build_request

    template = step_blocks("vtl-request-template", "velocity")[0]
    handler = example_file("vtl-request-template", RECEIVED_FUNCTION)
    integration = {
        "requestTemplates": {"application/json": template},
        "integrationResponses": [{"statusCode": "200"}],
    }
    table = _aws_api("items", "items", handler, [("/items", integration)])
    requests = [build_request("GET", "/prod/items", query=q) for q in REQUEST_TEMPLATE_QUERIES]
    return send(table, requests)


def _aws_api(
    name: str, function: str, handler: Path, routes: list[tuple[str, dict[str, Any]]]
) -> dict[str, Any]:
    """A route table: `GET resource` on an AWS integration (plus the given keys) per route,
    all calling `handler`'s `lambda_handler` as `function`."""
    return {
        "name": name,
        "functions": {function: {"handler": f"{handler}:lambda_handler"}},
        "routes": [
            {
                "resource": resource,
                "method": "GET",
                "integration": {"type": "AWS", "function": function, **integration},
            }
            for resource, integration in routes
        ],
    }


def _preview(output: str) -> dict[str, Any]:
    """`output` with its JSON verdict, as `course vtl --json` has it."""
    from course_cli.gateway.vtl import json_problem
    from course_cli.gateway.vtl.preview import TemplatePreview

    problem = json_problem(output)
    return TemplatePreview(output, problem is None, [problem] if problem else []).to_json()


def vtl_request_template() -> RenderableType:
    """What the template printed for each query string, and whether it is JSON."""
    from course_cli.ui.vtl_view import render_preview

    parts: list[RenderableType] = [Text("Live example: vtl-request-template", style="heading")]
    for query, document in zip(REQUEST_TEMPLATE_QUERIES, run_request_template(), strict=True):
        target = "/prod/items" + ("?" + "&".join(f"{k}={v}" for k, v in query) if query else "")
        parts.append(Text(f"\nGET {target}", style="topic"))
        printed = _logged(document, "Endpoint request body after transformations: ")
        parts.append(render_preview(_preview(printed), title="request template"))
    return Group(*parts)


def _logged(document: dict[str, Any], prefix: str) -> str:
    """The text after `prefix` in the execution log (AWS logs each transformation)."""
    for line in document["log"]:
        _, _, message = line.partition(" : ")
        if message.startswith(prefix):
            return str(message).removeprefix(prefix)
    raise LookupError(f"no log line {prefix!r}")


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
        (
            f"/{name}",
            {
                "integrationResponses": [
                    {"statusCode": "200", "responseTemplates": {"application/json": template}}
                ]
            },
        )
        for name, template in zip(("first-attempt", "fixed"), templates, strict=True)
    ]
    table = _aws_api("lamps", "lamp", handler, routes)
    requests = [build_request("GET", f"/prod/{name}") for name in ("first-attempt", "fixed")]
    return list(zip(templates, send(table, requests), strict=True))


def vtl_map_renders_java_style() -> RenderableType:
    """Both response templates' output, with the JSON verdict the client's parser would give."""
    from course_cli.ui.vtl_view import render_preview

    parts: list[RenderableType] = [
        Text("Live example: vtl-map-renders-java-style", style="heading")
    ]
    titles = ("first attempt: $response.body", "the fix: $input.json('$.body')")
    for title, (_, document) in zip(titles, run_java_style_map(), strict=True):
        parts.append(Text(f"\n{title} → {document['response']['statusCode']}", style="topic"))
        preview = _preview(document["response"]["body"])
        parts.append(render_preview(preview, title="response template"))
    return Group(*parts)


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
    integration = {
        "requestTemplates": {"application/json": request_template},
        "integrationResponses": responses,
    }
    return _aws_api("products", "products", handler, [("/products/{productId}", integration)])


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


RUNNERS: dict[str, Callable[[], RenderableType]] = {
    "vtl-request-template": vtl_request_template,
    "vtl-map-renders-java-style": vtl_map_renders_java_style,
    "selection-pattern-404": selection_pattern_404,
}
