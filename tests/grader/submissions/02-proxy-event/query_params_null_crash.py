import json


def handler(event, context):
    include = event["queryStringParameters"].get("include")
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    user = {
        "userId": event["pathParameters"]["userId"],
        "include": include,
        "tenant": headers.get("x-tenant", "public"),
    }
    return {"statusCode": 200, "body": json.dumps(user)}
