def handler(event, context):
    while True:
        pass
