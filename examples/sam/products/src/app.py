"""The reference products API: one Lambda function for five routes on a DynamoDB table.

| route | DynamoDB | answers |
|---|---|---|
| GET /products | Scan, every page | 200 `{"items": [...]}` |
| POST /products | PutItem with a new id | 201 the item; 400 bad JSON or fields |
| GET /products/{productId} | GetItem | 200 the item; 404 |
| PUT /products/{productId} | UpdateItem if `attribute_exists(id)` | 200 the item; 400; 404 |
| DELETE /products/{productId} | DeleteItem, `ReturnValues=ALL_OLD` | 204 no body; 404 |

It routes on `httpMethod` and `resource` (never `path`, which holds the id), reads the table
name from `TABLE_NAME`, and answers every response with CORS headers. A product is
`{"id": str, "name": non-empty str, "price": number >= 0}`.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

# Lambda code, where a module-level boto3 import is the norm (ruff's TID253 is for course).
import boto3  # type: ignore[import-untyped]  # noqa: TID253

Event = dict[str, Any]
Answer = tuple[int, Any]

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Allow-Methods": "GET,POST,PUT,DELETE,OPTIONS",
}
_tables: dict[tuple[str, ...], Any] = {}


def table() -> Any:
    """The products table for this invocation's credentials and endpoint, made once per
    set-up (a test process may hold several sandboxes)."""
    key = tuple(
        os.environ.get(name, "")
        for name in ("TABLE_NAME", "AWS_ACCESS_KEY_ID", "AWS_ENDPOINT_URL", "AWS_REGION")
    )
    if key not in _tables:
        dynamodb = boto3.resource("dynamodb")
        _tables[key] = dynamodb.Table(os.environ.get("TABLE_NAME", "products"))
    return _tables[key]


def json_default(value: Any) -> Any:
    """DynamoDB numbers come back as `Decimal`, which `json.dumps` refuses: whole ones as
    int, others as float; string and number sets as sorted lists."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, set):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def respond(status: int, payload: Any = None) -> dict[str, Any]:
    """The proxy response: a string body (none for 204) and the CORS headers."""
    body = "" if payload is None else json.dumps(payload, default=json_default)
    headers = {"Content-Type": "application/json", **CORS_HEADERS}
    return {"statusCode": status, "headers": headers, "body": body}


def read_product(event: Event) -> dict[str, Any] | str:
    """The body as `{"name", "price"}`, or the reason it is not one (for a 400)."""
    try:
        data = json.loads(event.get("body") or "", parse_float=Decimal)
    except json.JSONDecodeError:
        return "body must be a JSON object"
    if not isinstance(data, dict):
        return "body must be a JSON object"
    name, price = data.get("name"), data.get("price", 0)
    if not isinstance(name, str) or not name.strip():
        return "name is required and must be a non-empty string"
    if isinstance(price, bool) or not isinstance(price, int | Decimal) or price < 0:
        return "price must be a number of at least 0"
    return {"name": name, "price": Decimal(price)}


def scan_all() -> list[dict[str, Any]]:
    """Every item: a Scan page holds at most 1 MB, so follow LastEvaluatedKey to the end."""
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {}
    while True:
        page = table().scan(**kwargs)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def list_products(event: Event) -> Answer:
    return 200, {"items": sorted(scan_all(), key=lambda item: str(item.get("name", "")))}


def create_product(event: Event) -> Answer:
    product = read_product(event)
    if isinstance(product, str):
        return 400, {"message": product}
    item = {"id": str(uuid.uuid4()), **product}
    table().put_item(Item=item)
    return 201, item


def get_product(event: Event) -> Answer:
    item = table().get_item(Key={"id": product_id(event)}).get("Item")
    return (200, item) if item else (404, {"message": "product not found"})


def update_product(event: Event) -> Answer:
    product = read_product(event)
    if isinstance(product, str):
        return 400, {"message": product}
    products = table()
    try:
        result = products.update_item(
            Key={"id": product_id(event)},
            UpdateExpression="SET #name = :name, #price = :price",
            # UpdateItem creates missing items; the condition turns that into a 404.
            ConditionExpression="attribute_exists(id)",
            ExpressionAttributeNames={"#name": "name", "#price": "price"},
            ExpressionAttributeValues={":name": product["name"], ":price": product["price"]},
            ReturnValues="ALL_NEW",
        )
    except products.meta.client.exceptions.ConditionalCheckFailedException:
        return 404, {"message": "product not found"}
    return 200, result["Attributes"]


def delete_product(event: Event) -> Answer:
    result = table().delete_item(Key={"id": product_id(event)}, ReturnValues="ALL_OLD")
    if "Attributes" not in result:
        return 404, {"message": "product not found"}
    return 204, None


def product_id(event: Event) -> str:
    return str((event.get("pathParameters") or {}).get("productId", ""))


ROUTES: dict[tuple[str, str], Callable[[Event], Answer]] = {
    ("GET", "/products"): list_products,
    ("POST", "/products"): create_product,
    ("GET", "/products/{productId}"): get_product,
    ("PUT", "/products/{productId}"): update_product,
    ("DELETE", "/products/{productId}"): delete_product,
}


def handler(event: Event, context: Any) -> dict[str, Any]:
    """Route on method and resource; unknown pairs answer 405 (they only reach us via ANY)."""
    action = ROUTES.get((event.get("httpMethod", ""), event.get("resource", "")))
    if action is None:
        return respond(405, {"message": "method not allowed"})
    status, payload = action(event)
    return respond(status, payload)
