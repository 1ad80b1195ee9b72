"""Ends its process at once, skipping every cleanup. Must end as `crashed`."""

import os


def handler(event, context):
    os._exit(0)
