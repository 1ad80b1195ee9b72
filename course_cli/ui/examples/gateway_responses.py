"""Live example for step 3.12: gateway responses put with boto3, before and after.

`gateway-responses` deploys the products API into a fresh sandbox, without its table, so the
function crashes on every call (a 502 API Gateway writes itself). It sends three requests API
Gateway answers without the function's help, runs the step's own
`examples/3-12-gateway-responses/gateway_responses.py` against the sandbox, and sends them again:
the CORS header appears on each answer, and the unknown path becomes a 404.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from course_cli.gateway.http import HttpResponse

EXAMPLE_FILE: Final = ("3-12-gateway-responses", "gateway_responses.py")
REQUESTS: Final = (
    ("GET", "/nowhere", "no such resource"),
    ("DELETE", "/products", "no such method"),
    ("GET", "/products", "the function crashes"),
)


def step_code() -> Any:
    """The step's example file, loaded as a module (the code the learner reads)."""
    from course_cli.workspace import bundled_dir

    path = bundled_dir("examples").joinpath(*EXAMPLE_FILE)
    spec = importlib.util.spec_from_file_location("gateway_responses_example", path)
    if spec is None or spec.loader is None:  # a packaging bug, caught by the tests
        raise LookupError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_gateway_responses() -> list[tuple[str, str, HttpResponse, HttpResponse]]:
    """(request, why, answer before, answer after) for each of `REQUESTS`."""
    from course_cli.local_api import build_request
    from course_cli.sandbox import Sandbox
    from course_cli.sandbox.crud import (
        allow_and_deploy,
        create_products_function,
        wire_products_api,
    )

    code = step_code()
    with Sandbox() as sandbox:
        arn = create_products_function(sandbox)  # and no table: every call raises
        api_id = wire_products_api(sandbox, arn)
        allow_and_deploy(sandbox, api_id, "products")

        def answers() -> list[HttpResponse]:
            api = sandbox.api()
            found = []
            for method, path, _ in REQUESTS:
                response = api.send(build_request(method, path)).response
                assert response is not None  # the pipeline always answers
                found.append(response)
            return found

        before = answers()
        code.cors_on_gateway_errors(sandbox.region, api_id)
        after = answers()
    return [
        (f"{method} {path}", why, old, new)
        for (method, path, why), old, new in zip(REQUESTS, before, after, strict=True)
    ]


def _cell(response: HttpResponse) -> Text:
    origin = response.headers.get("Access-Control-Allow-Origin")
    text = Text(f"{response.status} ", style="ok" if origin else "error")
    text.append(response.body.decode("utf-8", "replace"), style="muted")
    text.append(f"\nAllow-Origin: {origin}" if origin else "\nno CORS header")
    return text


def gateway_responses() -> RenderableType:
    """Three gateway-made errors before and after the step's `put_gateway_response` calls."""
    table = Table(show_lines=True)
    table.add_column("request")
    table.add_column("before")
    table.add_column("after cors_on_gateway_errors")
    for request, why, before, after in run_gateway_responses():
        table.add_row(f"{request}\n({why})", _cell(before), _cell(after))
    return Group(
        Text("Live example: gateway-responses (products API, no table)", style="heading"),
        table,
        Text(
            "The 502 keeps its status: DEFAULT_5XX sets no statusCode, so only its headers apply.",
            style="muted",
        ),
    )


# The live examples of this module, by the id a step names.
RUNNERS: dict[str, Callable[[], RenderableType]] = {
    "gateway-responses": gateway_responses,
}
