"""The "legacy" Lambda functions the graders put behind the learner's templates (exercises 04
and 05) and authorizer (exercise 08): the learner writes only those.
"""

from __future__ import annotations

import json
from typing import Any

ORDERS: dict[str, dict[str, Any]] = {
    "o1": {"id": "o1", "items": [{"sku": "lamp", "qty": 1}], "total": 19.99},
    "o2": {
        "id": "o2",
        "items": [{"sku": "desk", "qty": 1}, {"sku": "pen", "qty": 3}],
        "total": 126,
    },
}


class NotFound(Exception):
    """Raised for an order that does not exist."""


class Unavailable(Exception):
    """Raised when the order store cannot be reached."""


def legacy_echo(event: Any, context: Any) -> Any:
    """Exercise 04: answers with the input the request template built for it."""
    return event


def find_order(event: Any, context: Any) -> dict[str, Any]:
    """Exercise 05: the order `event["orderId"]`; errors for unknown and unreachable ones."""
    order_id = event.get("orderId") if isinstance(event, dict) else None
    if order_id == "down":
        raise Unavailable("Order store unavailable, try again later")
    order = ORDERS.get(str(order_id))
    if order is None:
        raise NotFound(f"Order {order_id} was not found")
    return order


def echo_authorizer(event: Any, context: Any) -> dict[str, Any]:
    """Exercise 08: answers 200 with what the authorizer passed on, and the method it guarded."""
    request_context = event.get("requestContext") or {}
    seen = {"method": event.get("httpMethod"), "authorizer": request_context.get("authorizer")}
    return {"statusCode": 200, "body": json.dumps(seen)}
