def handler(event, context):
    report = "x" * 7_000_000  # 7 MB of text: more than Lambda hands back from a call
    return {"statusCode": 200, "headers": {"Content-Type": "text/plain"}, "body": report}
