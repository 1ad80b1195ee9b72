"""AF_UNIX datagrams to the host: `sendto` with a path (or an abstract name) is not a network
address to a check that looks for (host, port) tuples. Sends to a datagram socket the harness
binds on a path on the host and to one in the abstract namespace (no file permissions apply
there), from an abstract address of its own so the harness can answer. Passes on an answer."""

import os
import socket

import attack_common as common

ATTACK = "unix-datagram"


def reach(target):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.settimeout(1.5)
    try:
        sock.bind(f"\0course-adversarial-{common.MARKER}-client-{os.getpid()}-{len(target)}")
        sock.sendto(f"{ATTACK} {common.MARKER}".encode(), target)
        return sock.recv(64).startswith(b"LISTENER-OK")
    finally:
        sock.close()


LANDED = common.attempt(lambda: reach(common.UNIX_SOCKET)) | common.attempt(
    lambda: reach("\0" + common.ABSTRACT_SOCKET)
)


def handler(event, context):
    return common.answer(event, LANDED)
