def handler(event, context):
    query = event.get("queryStringParameters") or {}
    include = query.get("include", "nothing")
    return {"statusCode": 200, "body": f"including {include}"}
