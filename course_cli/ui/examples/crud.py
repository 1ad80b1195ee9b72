"""Live example for topic 5: the products API built with boto3 in a fresh sandbox, then each
route called through our gateway, showing what the request did to the DynamoDB table.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.text import Text


@dataclass(frozen=True)
class CrudCall:
    """One request of the walkthrough; `{id}` in the path is the first product created."""

    method: str
    path: str
    body: str | None = None
    note: str = ""


CALLS = (
    CrudCall("POST", "/products", '{"name": "lamp", "price": 19.99}', "PutItem with a new id"),
    CrudCall("POST", "/products", '{"name": "desk", "price": 120}', "a second product"),
    CrudCall("GET", "/products", note="Scan: reads, changes nothing"),
    CrudCall("GET", "/products/{id}", note="GetItem"),
    CrudCall("PUT", "/products/{id}", '{"name": "desk lamp", "price": 24.5}', "UpdateItem"),
    CrudCall("DELETE", "/products/{id}", note="DeleteItem with ReturnValues=ALL_OLD"),
    CrudCall("GET", "/products/{id}", note="gone: 404"),
    CrudCall("PUT", "/products/{id}", '{"name": "x", "price": 1}', "the condition stops it: 404"),
    CrudCall("POST", "/products", '{"name": "lamp"', note="bad JSON: 400, never 502"),
)


def crud_walkthrough() -> RenderableType:
    """Deploy the products API into a fresh sandbox and run `CALLS` against it."""
    from course_cli.local_api import build_request
    from course_cli.sandbox import Sandbox
    from course_cli.sandbox.crud import (
        allow_and_deploy,
        create_products_function,
        create_products_table,
        wire_products_api,
    )
    from course_cli.sandbox.table_diff import diff_items
    from course_cli.ui.sandbox_view import render_item_changes

    parts: list[RenderableType] = [Text("Live example: crud-walkthrough", style="heading")]
    with Sandbox() as sandbox:
        create_products_table(sandbox)
        parts.append(Text("1. create_table: products, key id (S), PAY_PER_REQUEST", style="ok"))
        arn = create_products_function(sandbox)
        parts.append(Text(f"2. create_function: {arn}, TABLE_NAME=products", style="ok"))
        api_id = wire_products_api(sandbox, arn)
        parts.append(
            Text(
                f"3. REST API {api_id}: /products GET POST, /products/{{productId}} GET PUT "
                "DELETE, each an AWS_PROXY integration (integrationHttpMethod POST)",
                style="ok",
            )
        )
        allow_and_deploy(sandbox, api_id, "products")
        parts.append(Text("4. add_permission for API Gateway, create_deployment on prod", "ok"))
        api = sandbox.api()
        product_id = ""
        for call in CALLS:
            before = sandbox.scan("products")
            path = call.path.replace("{id}", product_id)
            invocation = api.send(build_request(call.method, path, body=call.body))
            response = invocation.response
            status = response.status if response is not None else "no response"
            body = response.body.decode() if response is not None else ""
            if call.method == "POST" and status == 201 and not product_id:
                product_id = json.loads(body)["id"]
            parts.append(Text(f"\n{call.method} {path} → {status}   ({call.note})", "topic"))
            if body:
                parts.append(Text(f"  body: {body}", style="muted"))
            parts.append(render_item_changes(diff_items(before, sandbox.scan("products"))))
    return Group(*parts)


RUNNERS: dict[str, Callable[[], RenderableType]] = {
    "crud-walkthrough": crud_walkthrough,
}
