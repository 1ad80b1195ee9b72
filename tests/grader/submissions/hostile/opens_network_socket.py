"""Reaches for the internet: a name lookup, then a TCP connection to a public address. Both must
be refused inside the worker before any packet is sent: `function_error`, refusals reported."""

import socket


def handler(event, context):
    try:
        socket.getaddrinfo("example.com", 443)
    except OSError:
        pass
    socket.create_connection(("93.184.215.14", 80), timeout=5)
    return {"statusCode": 200, "body": "connected"}
