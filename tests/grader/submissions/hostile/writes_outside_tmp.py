"""Writes next to itself (allowed), then outside its temporary folder: over another file (the
event names it) and two folders up. Must end as `function_error`, nothing outside changed."""

import os


def handler(event, context):
    with open("notes.txt", "w") as notes:
        notes.write("mine")
    try:
        with open(os.path.join("..", "..", "escaped.txt"), "w") as escaped:
            escaped.write("escaped")
    except OSError:
        pass
    with open(event["target"], "w") as target:
        target.write("overwritten by a submission")
    return {"statusCode": 200, "body": "wrote everywhere"}
