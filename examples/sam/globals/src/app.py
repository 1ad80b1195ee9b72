"""Two handlers in one file: each answers with the variables it can see and its settings."""

import json
import os

SHOWN = ("MESSAGE", "GREET_ONLY", "APP_STAGE", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE")


def _answer(context):
    seen = {name: os.environ.get(name) for name in SHOWN}
    seen["function"] = context.function_name
    seen["timeoutMs"] = context.get_remaining_time_in_millis()
    return {"statusCode": 200, "body": json.dumps(seen)}


def greet(event, context):
    return _answer(context)


def farewell(event, context):
    return _answer(context)
