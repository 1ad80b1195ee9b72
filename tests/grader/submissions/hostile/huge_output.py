"""Prints 50 MB through print() and writes 50 MB more straight to the file descriptors.
Must end as `ok`, with the output cut to the limit and the grader's memory untouched."""

import os

LINE = "x" * 1023 + "\n"
BLOCK = (LINE * 64).encode()  # 64 KB


def handler(event, context):
    for _ in range(50 * 1024):
        print(LINE, end="")
    for _ in range(50 * 16):
        os.write(1, BLOCK)
    return {"statusCode": 200, "body": "done"}
