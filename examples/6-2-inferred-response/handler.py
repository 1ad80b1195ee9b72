def handler(event, context):
    return {"status": 404, "body": "no such product"}  # "status", not "statusCode"
