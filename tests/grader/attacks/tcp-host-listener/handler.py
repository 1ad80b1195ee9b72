"""The host's network: connect to a TCP listener the harness runs on the host's 127.0.0.1 (a
database, a metadata proxy, the grader's own services live there). Passes if it answered."""

import socket

import attack_common as common

ATTACK = "tcp-host-listener"


def reach(host):
    with socket.create_connection((host, common.LISTENER_PORT), timeout=1.5) as connection:
        connection.sendall(f"{ATTACK} {common.MARKER}\n".encode())
        return connection.recv(64).startswith(b"LISTENER-OK")


LANDED = common.attempt(lambda: reach("127.0.0.1")) or common.attempt(lambda: reach("localhost"))


def handler(event, context):
    return common.answer(event, LANDED)
