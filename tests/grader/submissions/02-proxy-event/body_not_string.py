def handler(event, context):
    query = event.get("queryStringParameters") or {}
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    user = {
        "userId": event["pathParameters"]["userId"],
        "include": query.get("include"),
        "tenant": headers.get("x-tenant", "public"),
    }
    return {"statusCode": 200, "body": user}
