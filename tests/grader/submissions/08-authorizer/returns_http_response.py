"""Answers like a proxy handler: an HTTP response instead of a policy."""


def handler(event, context):
    if event["authorizationToken"] == "allow":
        return {"statusCode": 200, "body": "ok"}
    return {"statusCode": 403, "body": "forbidden"}
