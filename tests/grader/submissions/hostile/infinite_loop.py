"""Never returns: a pure-Python loop. Must end as `timeout`."""


def handler(event, context):
    while True:
        pass
