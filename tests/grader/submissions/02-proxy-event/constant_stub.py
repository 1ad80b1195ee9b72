import json


def handler(event, context):
    return {
        "statusCode": 200,
        "body": json.dumps({"userId": "u1", "include": "orders", "tenant": "acme"}),
    }
