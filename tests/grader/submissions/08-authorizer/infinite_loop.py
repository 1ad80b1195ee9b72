"""Never answers."""


def handler(event, context):
    while True:
        pass
