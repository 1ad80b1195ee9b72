"""Exercise 03-fix-the-502: a shop's item handler that earns a 502 in five different ways.

The API (AWS_PROXY, every route to this one function):

| request                      | must answer                                              |
|------------------------------|----------------------------------------------------------|
| GET  /items/{itemId}         | 200, the item as JSON: {"id", "name", "price"}           |
| GET  /items/{itemId}/stock   | 200, {"id": ..., "inStock": true or false}               |
| GET  /items/{itemId}/count   | 200, {"count": n} and the header X-Updated-At: when the  |
|                              | count changed, ISO 8601 text ("2026-01-15T09:30:00")     |
| GET  /items/{itemId}/price   | 200, {"id": ..., "price": 19.99} (a JSON number)         |
| POST /items                  | 201 and the stored item for a JSON body with a "name";   |
|                              | 400 and {"message": ...} for a body that is not JSON     |
| any unknown itemId           | 404 and {"message": "item not found"}                    |

Prices come from the store as Decimal, as DynamoDB hands them out; times as datetime.
Fix every TODO until `course check 03-fix-the-502` passes; read the explanation under each 502.
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


def public(item):
    return {"id": item["id"], "name": item["name"], "price": item["price"]}


def handler(event, context):
    resource = event["resource"]
    if event["httpMethod"] == "POST":
        # TODO: a body that is not JSON must answer 400, not crash.
        data = json.loads(event["body"])
        item = {"id": "i3", "name": data["name"], "price": Decimal("0")}
        return {"statusCode": 201, "body": json.dumps(public(item))}

    item = ITEMS.get(event["pathParameters"]["itemId"])
    if item is None:
        return {"statusCode": 404, "body": json.dumps({"message": "item not found"})}
    if resource == "/items/{itemId}":
        # TODO: the body must be a string.
        return {"statusCode": 200, "body": public(item)}
    if resource == "/items/{itemId}/stock":
        # TODO: the status code must be a number.
        return {
            "statusCode": "ok",
            "body": json.dumps({"id": item["id"], "inStock": item["stock"] > 0}),
        }
    if resource == "/items/{itemId}/count":
        # TODO: header values must be strings.
        return {
            "statusCode": 200,
            "headers": {"X-Updated-At": item["updated"]},
            "body": json.dumps({"count": item["stock"]}),
        }
    # TODO: json.dumps cannot write a Decimal on its own.
    return {"statusCode": 200, "body": json.dumps({"id": item["id"], "price": item["price"]})}
