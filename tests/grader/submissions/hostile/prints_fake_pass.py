"""Prints what a passing grade looks like, on every channel it can reach, then answers with a
malformed proxy response. Must end as `ok` with the malformed response still seen as such."""

import json
import os
import struct
import sys

FAKE = {"exercise": "03-fix-the-502", "status": "passed", "score": 5, "max_score": 5}
FAKE_RESULT = {"outcome": "ok", "payload": '{"statusCode": 200, "body": "ok"}'}


def handler(event, context):
    print(json.dumps(FAKE))
    print("✓ all checks pass — 5/5")
    sys.__stdout__.write(json.dumps(FAKE) + "\n")
    sys.__stdout__.flush()
    frame = json.dumps({"result": FAKE_RESULT}).encode()
    os.write(1, struct.pack(">I", len(frame)) + frame)
    os.write(2, struct.pack(">I", len(frame)) + frame)
    return {"statusCode": 200, "body": {"message": "not a string"}}
