import json

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "https://shop.example.com",
    "Access-Control-Allow-Headers": "Content-Type,Authorization",
    "Access-Control-Allow-Methods": "GET,POST,PUT,DELETE,OPTIONS",
}


def handler(event, context):
    if event["httpMethod"] == "OPTIONS":  # the preflight: allow, and do no work
        return {"statusCode": 204, "headers": CORS_HEADERS, "body": ""}
    return {
        "statusCode": 200,
        "headers": {**CORS_HEADERS, "Content-Type": "application/json"},
        "body": json.dumps({"path": event["path"]}),
    }
