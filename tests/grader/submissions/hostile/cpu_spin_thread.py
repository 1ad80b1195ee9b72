"""Spins in a thread inside one C call that never lets go of the GIL, so not even the worker's
own timeout alarm can run: only the parent's kill ends it. Must end as `timeout`."""

import threading


def spin():
    sum(range(10**15))  # one C loop: no bytecode boundary, no signal handling, GIL held


def handler(event, context):
    worker = threading.Thread(target=spin)
    worker.start()
    worker.join()
    return {"statusCode": 200, "body": "never"}
