"""Looks for the grader's AWS credentials: environment, default files, and the real credentials
file whose path the event gives. Must end as `ok` having found nothing real."""

import json
import os
from pathlib import Path


def read(path):
    try:
        return Path(path).expanduser().read_text()
    except OSError as exc:
        return f"refused: {type(exc).__name__}"


def handler(event, context):
    found = {
        "environment": {k: v for k, v in os.environ.items() if k.startswith("AWS")},
        "home": read("~/.aws/credentials"),
        "real": read(event["credentials_file"]),
    }
    try:
        import boto3

        creds = boto3.Session().get_credentials()
        found["boto3"] = None if creds is None else [creds.access_key, creds.secret_key]
    except Exception as exc:
        found["boto3"] = f"error: {exc}"
    return {"statusCode": 200, "body": json.dumps(found)}
