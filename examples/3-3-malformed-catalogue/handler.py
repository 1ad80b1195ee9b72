import json

# Step 3.3's catalogue, one answer per row: ?row=NAME picks the one this handler returns.
ROWS = {
    "dict-body": {"statusCode": 200, "body": {"id": 1}},
    "extra-key": {"statusCode": 200, "status": 200, "body": "ok"},
    "status-ok": {"statusCode": "ok", "body": "ok"},
    "not-an-object": "ok",
    "cookie-not-a-list": {"statusCode": 200, "multiValueHeaders": {"Set-Cookie": "a=1"}},
    "empty": {},
    "status-string": {"statusCode": "201", "body": "created"},
    "headers-none": {"statusCode": 200, "headers": None, "body": "ok"},
    "header-true": {"statusCode": 200, "headers": {"X-Cached": True}, "body": "ok"},
    "typo": {"statuscode": 200, "body": "ok"},
}


def handler(event, context):
    row = (event.get("queryStringParameters") or {}).get("row")
    if row not in ROWS:
        return {"statusCode": 400, "body": json.dumps({"pick a row": list(ROWS)})}
    return ROWS[row]
