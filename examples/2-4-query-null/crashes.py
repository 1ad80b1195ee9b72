def handler(event, context):
    include = event["queryStringParameters"]["include"]
    return {"statusCode": 200, "body": f"including {include}"}
