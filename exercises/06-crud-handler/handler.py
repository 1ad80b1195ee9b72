"""Exercise 06-crud-handler: one Lambda function behind all five products routes (AWS_PROXY).

The table's name is in the environment variable TABLE_NAME; its key is the string "id".
A product is {"id": str, "name": non-empty str, "price": number >= 0}.

| route                         | answers                                                   |
|-------------------------------|-----------------------------------------------------------|
| GET    /products              | 200 {"items": [every product]}                            |
| POST   /products              | 201 the new product (with a new id); 400 for a body that  |
|                               | is not JSON or has no name                                |
| GET    /products/{productId}  | 200 the product; 404 when there is none                   |
| PUT    /products/{productId}  | 200 the updated product; 400 as for POST; 404 when there  |
|                               | is none (and PUT must not create it)                      |
| DELETE /products/{productId}  | 204 with an empty body; 404 when there is none            |

Errors answer {"message": "..."}. Prices come back from DynamoDB as Decimal.
Check it with `course check 06-crud-handler` (it runs against a DynamoDB table in the sandbox).
"""

import json
import os

import boto3


def handler(event, context):
    table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
    # TODO: route on (event["httpMethod"], event["resource"]) and implement the five routes.
    return {"statusCode": 501, "body": json.dumps({"message": f"{table.name}: not implemented"})}
