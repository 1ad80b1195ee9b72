"""Addresses that lie to a Python-level network check: a `str` subclass whose `lower()` and
`split()` say "localhost" while the socket module reads its real text, and a `tuple` subclass
whose indexing says ("localhost", port). The real address is 0.0.0.0, which Linux routes to
the host's own loopback: the harness's listener on 127.0.0.1. Passes if it answered."""

import socket

import attack_common as common

ATTACK = "lying-socket-address"
REAL = "0.0.0.0"


class LyingHost(str):
    def lower(self):
        return "localhost"

    def split(self, *args, **kwargs):
        return ["127.0.0.1"]

    def __eq__(self, other):
        return other in ("localhost", "127.0.0.1") or str.__eq__(self, other)

    __hash__ = str.__hash__


class LyingAddress(tuple):
    def __getitem__(self, index):
        return ("127.0.0.1", common.LISTENER_PORT)[index]

    def __iter__(self):
        return iter(("127.0.0.1", common.LISTENER_PORT))


def reach(address):
    connection = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    connection.settimeout(1.5)
    try:
        connection.connect(address)
        connection.sendall(f"{ATTACK} {common.MARKER}\n".encode())
        return connection.recv(64).startswith(b"LISTENER-OK")
    finally:
        connection.close()


LANDED = common.attempt(lambda: reach((LyingHost(REAL), common.LISTENER_PORT))) or common.attempt(
    lambda: reach(LyingAddress((REAL, common.LISTENER_PORT)))
)


def handler(event, context):
    return common.answer(event, LANDED)
