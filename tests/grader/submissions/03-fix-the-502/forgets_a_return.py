"""Exercise 03 solved but for one thing: the price route builds its answer and forgets to
return it, so the function returns None and the client gets 502.
"""


import json
from datetime import datetime
from decimal import Decimal

ITEMS = {
    "i1": {
        "id": "i1",
        "name": "lamp",
        "price": Decimal("19.99"),
        "stock": 3,
        "updated": datetime(2026, 1, 15, 9, 30),
    },
    "i2": {
        "id": "i2",
        "name": "desk",
        "price": Decimal("120"),
        "stock": 0,
        "updated": datetime(2026, 2, 1, 18, 5),
    },
}


def to_number(value):
    """json.dumps calls this for what it cannot write: whole Decimals as int, others as float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def respond(status, payload, headers=None):
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", **(headers or {})},
        "body": json.dumps(payload, default=to_number),
    }


def public(item):
    return {"id": item["id"], "name": item["name"], "price": item["price"]}


def handler(event, context):
    try:
        return route(event)
    except Exception:
        # Nothing may escape: an uncaught exception is a 502 the client cannot act on.
        return respond(500, {"message": "internal error"})


def route(event):
    resource = event["resource"]
    if event["httpMethod"] == "POST":
        try:
            data = json.loads(event.get("body") or "")
        except json.JSONDecodeError:
            return respond(400, {"message": "body must be JSON"})
        if not isinstance(data, dict) or not data.get("name"):
            return respond(400, {"message": "name is required"})
        item = {"id": "i3", "name": data["name"], "price": Decimal("0")}
        return respond(201, public(item))

    item = ITEMS.get((event.get("pathParameters") or {}).get("itemId"))
    if item is None:
        return respond(404, {"message": "item not found"})
    if resource == "/items/{itemId}":
        return respond(200, public(item))
    if resource == "/items/{itemId}/stock":
        return respond(200, {"id": item["id"], "inStock": item["stock"] > 0})
    if resource == "/items/{itemId}/count":
        return respond(200, {"count": item["stock"]}, {"X-Updated-At": item["updated"].isoformat()})
    respond(200, {"id": item["id"], "price": item["price"]})  # no return: the handler gives None
