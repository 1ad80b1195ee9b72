import json


def handler(event, context):
    caller = event["requestContext"]["authorizer"]  # what the authorizer decided
    answer = {"user": caller["principalId"], "plan": caller["plan"], "admin": caller["admin"]}
    return {"statusCode": 200, "body": json.dumps(answer)}
