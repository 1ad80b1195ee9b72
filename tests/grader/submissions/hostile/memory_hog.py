"""Allocates (and touches) memory until there is none. Must end as `crashed` (out of memory)."""

hog = []


def handler(event, context):
    while True:
        hog.append(bytearray(16 * 1024 * 1024))
