import requests_that_do_not_exist


def handler(event, context):
    return {"statusCode": 200, "body": "{}"}
