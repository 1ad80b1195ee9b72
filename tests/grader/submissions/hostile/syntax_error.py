"""A missing colon on line 4. Must end as `load_error` naming this file and line."""


def handler(event, context)
    return {"statusCode": 200, "body": "never compiled"}
