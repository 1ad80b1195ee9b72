"""The products CRUD sequence, shared by 06-crud-handler and 07-wire-the-api: requests through
the gateway to an API in the sandbox, and the DynamoDB table read by the grader itself."""

from __future__ import annotations

import json
from collections.abc import Mapping
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from course_cli.grader.cases import Case, Reply, answered, expect, expect_status

if TYPE_CHECKING:
    from course_cli.gateway.definition import ApiDefinition
    from course_cli.gateway.invoker import LambdaInvoker
    from course_cli.sandbox import Sandbox


@dataclass
class CrudTarget:
    """An API on the products table, and the table as the grader reads it."""

    sandbox: Sandbox
    definition: ApiDefinition
    invoker: LambdaInvoker
    # Functions still loading in their workers; the first request waits for them.
    loading: list[Future[None]] = field(default_factory=list)

    def send(self, method: str, path: str, body: Any = None) -> Reply:
        from course_cli.gateway.pipeline import handle_request
        from course_cli.local_api import build_request

        while self.loading:
            self.loading.pop().result()  # a function that cannot load fails here

        raw = body if isinstance(body, str) or body is None else json.dumps(body)
        request = build_request(method, f"/{self.definition.stage}{path}", body=raw)
        return answered(handle_request(self.definition, request, self.invoker))

    def items(self) -> dict[str, dict[str, Any]]:
        return {str(item.get("id")): item for item in self.sandbox.scan("products")}

    def create(self, name: str, price: Any) -> dict[str, Any]:
        reply = self.send("POST", "/products", {"name": name, "price": price})
        expect_status(reply, 201, "POST /products")
        body: dict[str, Any] = reply.json()
        expect(
            isinstance(body, dict) and isinstance(body.get("id"), str),
            f"POST /products: expected the new product with its id, got {reply.text}",
        )
        return body


def sandbox_target(
    sandbox: Sandbox, api_id: str, runner: Any, loader: Executor | None = None
) -> CrudTarget:
    """The learner's API in `sandbox`, stage prod, its functions run by `runner`; with a
    `loader`, they load on it while the caller goes on, and the first request waits."""
    from course_cli.grader.runner import SubmittedFunction

    api = sandbox.api(api_id, "prod")
    functions: Mapping[str, SubmittedFunction] = {
        name: SubmittedFunction(
            function.handler, {**sandbox.variables(), **function.environment}, 5.0
        )
        for name, function in api.invoker.functions.items()
    }
    if loader is not None:
        loading = [loader.submit(runner.load, function) for function in functions.values()]
        return CrudTarget(sandbox, api.definition, runner.invoker(functions), loading)
    for function in functions.values():
        runner.load(function)
    return CrudTarget(sandbox, api.definition, runner.invoker(functions))


def creates(target: CrudTarget) -> None:
    product = target.create("lamp", 19.99)
    expect(
        product.get("name") == "lamp" and product.get("price") == 19.99,
        f"POST /products: expected the product you sent back, got {product}",
    )
    stored = target.items().get(product["id"])
    expect(stored is not None, "POST /products answered 201, but the item is not in the table")


def rejects_bad_bodies(target: CrudTarget) -> None:
    before = len(target.items())
    for body, what in (('{"name": "lamp"', "a body that is not JSON"), ({"price": 3}, "no name")):
        expect_status(target.send("POST", "/products", body), 400, f"POST /products with {what}")
    expect(len(target.items()) == before, "a rejected POST must not write to the table")


def gets_one(target: CrudTarget) -> None:
    for name in ("desk", "chair"):
        product = target.create(name, 120)
        reply = target.send("GET", f"/products/{product['id']}")
        expect_status(reply, 200, "GET /products/{id}")
        got = reply.json()
        expect(got == product, f"GET /products/{{id}}: expected {product}, got {got}")


def get_missing_is_404(target: CrudTarget) -> None:
    expect_status(target.send("GET", "/products/no-such-id"), 404, "GET /products/no-such-id")


def lists(target: CrudTarget) -> None:
    product = target.create("shelf", 45)
    reply = target.send("GET", "/products")
    expect_status(reply, 200, "GET /products")
    body = reply.json()
    items = body.get("items") if isinstance(body, dict) else None
    expect(
        isinstance(items, list),
        f'GET /products: expected {{"items": [...]}}, got {reply.text[:200]}',
    )
    ids = {item.get("id") for item in items or [] if isinstance(item, dict)}
    expect(
        product["id"] in ids and ids == set(target.items()),
        "GET /products must list every product in the table",
    )


def updates(target: CrudTarget) -> None:
    product = target.create("desk", 120)
    reply = target.send("PUT", f"/products/{product['id']}", {"name": "desk lamp", "price": 24.5})
    expect_status(reply, 200, "PUT /products/{id}")
    stored = target.items().get(product["id"]) or {}
    expect(
        stored.get("name") == "desk lamp" and float(stored.get("price", -1)) == 24.5,
        f"PUT /products/{{id}} answered 200, but the table holds {stored}",
    )


def update_missing_is_404(target: CrudTarget) -> None:
    expect_status(
        target.send("PUT", "/products/ghost", {"name": "x", "price": 1}), 404, "PUT /products/ghost"
    )
    expect(
        "ghost" not in target.items(),
        "PUT /products/ghost created the item: UpdateItem creates missing items unless a "
        "condition stops it",
    )


def deletes(target: CrudTarget) -> None:
    product = target.create("stool", 15)
    reply = target.send("DELETE", f"/products/{product['id']}")
    expect_status(reply, 204, "DELETE /products/{id}")
    expect(
        product["id"] not in target.items(),
        "DELETE answered 204, but the item is still in the table",
    )
    expect_status(
        target.send("DELETE", f"/products/{product['id']}"), 404, "DELETE of a deleted product"
    )


CRUD_CASES = (
    Case(
        "POST creates a product",
        2,
        "put_item with a new uuid, answer 201",
        creates,
        js_hint="a PutCommand with a new crypto.randomUUID(), answer 201",
    ),
    Case(
        "POST rejects bad bodies with 400",
        1,
        "catch JSONDecodeError; check name",
        rejects_bad_bodies,
        js_hint="catch what JSON.parse throws; check name",
    ),
    Case(
        "GET one product",
        1,
        "get_item(Key={'id': ...})['Item']",
        gets_one,
        js_hint="a GetCommand with Key: { id }, then its answer's Item",
    ),
    Case(
        "GET a missing product answers 404",
        1,
        "no 'Item' key means no item",
        get_missing_is_404,
        js_hint="no Item in the GetCommand's answer means no item",
    ),
    Case(
        "GET lists every product",
        1,
        "scan, following LastEvaluatedKey",
        lists,
        js_hint="a ScanCommand, again with ExclusiveStartKey while LastEvaluatedKey is set",
    ),
    Case(
        "PUT updates a product",
        1,
        "update_item with ReturnValues='ALL_NEW'",
        updates,
        js_hint="an UpdateCommand with ReturnValues: 'ALL_NEW'",
    ),
    Case(
        "PUT of a missing product answers 404",
        1,
        "ConditionExpression='attribute_exists(id)' and catch ConditionalCheckFailedException",
        update_missing_is_404,
        js_hint="ConditionExpression: 'attribute_exists(id)'; catch the error whose name is "
        "ConditionalCheckFailedException",
    ),
    Case(
        "DELETE answers 204, then 404",
        1,
        "delete_item(..., ReturnValues='ALL_OLD'): no 'Attributes' means nothing was there",
        deletes,
        js_hint="a DeleteCommand with ReturnValues: 'ALL_OLD': no Attributes, nothing was there",
    ),
)
