"""Exercise 06-crud-handler: one Lambda function behind all five products routes (AWS_PROXY).

The table's name is in the environment variable TABLE_NAME; its key is the string "id".
A product is {"id": str, "name": non-empty str, "price": number >= 0}.
"""

import json
import os
import uuid
from decimal import Decimal

import boto3


def json_default(value):
    """DynamoDB numbers are Decimal: whole ones as int, others as float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def respond(status, payload=None):
    body = "" if payload is None else json.dumps(payload, default=json_default)
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": body}


def read_product(event):
    """The body as {"name", "price"}, or the reason it is not one."""
    try:
        data = json.loads(event.get("body") or "", parse_float=Decimal)
    except json.JSONDecodeError:
        return "body must be a JSON object"
    if not isinstance(data, dict):
        return "body must be a JSON object"
    name, price = data.get("name"), data.get("price", 0)
    if not isinstance(name, str) or not name.strip():
        return "name is required"
    if isinstance(price, bool) or not isinstance(price, (int, Decimal)) or price < 0:
        return "price must be a number of at least 0"
    return {"name": name, "price": Decimal(price)}


def scan_all(table):
    items, kwargs = [], {}
    while True:
        page = table.scan(**kwargs)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def handler(event, context):
    table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
    route = (event["httpMethod"], event["resource"])
    product_id = (event.get("pathParameters") or {}).get("productId")

    if route == ("GET", "/products"):
        return respond(200, {"items": scan_all(table)})
    if route == ("GET", "/products/{productId}"):
        item = table.get_item(Key={"id": product_id}).get("Item")
        return respond(200, item) if item else respond(404, {"message": "product not found"})
    if route == ("DELETE", "/products/{productId}"):
        result = table.delete_item(Key={"id": product_id}, ReturnValues="ALL_OLD")
        if "Attributes" not in result:
            return respond(404, {"message": "product not found"})
        return respond(204)

    product = read_product(event)
    if isinstance(product, str):
        return respond(400, {"message": product})
    if route == ("POST", "/products"):
        item = {"id": str(uuid.uuid4()), **product}
        table.put_item(Item=item)
        return respond(201, item)
    if route == ("PUT", "/products/{productId}"):
        try:
            result = table.update_item(
                Key={"id": product_id},
                UpdateExpression="SET #name = :name, #price = :price",
                ConditionExpression="attribute_exists(id)",
                ExpressionAttributeNames={"#name": "name", "#price": "price"},
                ExpressionAttributeValues={":name": product["name"], ":price": product["price"]},
                ReturnValues="ALL_NEW",
            )
        except table.meta.client.exceptions.ConditionalCheckFailedException:
            return respond(404, {"message": "product not found"})
        return respond(200, result["Attributes"])
    return respond(405, {"message": "method not allowed"})
