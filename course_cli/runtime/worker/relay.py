"""A TCP port on loopback carried across a namespace boundary through one Unix socket.

A worker in its own network namespace has a loopback of its own: the grader's moto server
on the host's `127.0.0.1:PORT` is out of its reach, which is the point. The CRUD exercises
still need moto, so the parent hands the worker one way to it and no other:

    handler ─▶ 127.0.0.1:PORT (the worker's loopback) ─▶ `WorkerEnd` ─▶ Unix socket in the
    worker's folder ─▶ `ParentEnd` (in the grading process) ─▶ 127.0.0.1:PORT on the host

Each side copies bytes both ways and knows nothing of HTTP. The parent's end only ever
connects to the one port it was made for.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from pathlib import Path

# Connections carried at once; more wait in the listen queue.
_MAX_CONNECTIONS = 32
_CHUNK = 65536


def _pump(source: socket.socket, target: socket.socket) -> None:
    """Copy `source` to `target` until `source` ends, then end `target`'s sending side."""
    try:
        while chunk := source.recv(_CHUNK):
            target.sendall(chunk)
    except OSError:
        pass
    with contextlib.suppress(OSError):
        target.shutdown(socket.SHUT_WR)


def _carry(first: socket.socket, second: socket.socket, limit: threading.Semaphore) -> None:
    """Copy both ways between two connected sockets, then close both."""
    try:
        back = threading.Thread(target=_pump, args=(second, first), daemon=True)
        back.start()
        _pump(first, second)
        back.join()
    finally:
        first.close()
        second.close()
        limit.release()


class _Listener:
    """Accepts on `server` and, for each connection, carries it to what `connect` opens."""

    def __init__(self, server: socket.socket, name: str) -> None:
        self._server = server
        self._limit = threading.Semaphore(_MAX_CONNECTIONS)
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    def _connect(self) -> socket.socket:
        raise NotImplementedError

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return  # closed
            self._limit.acquire()
            try:
                upstream = self._connect()
            except OSError:
                client.close()
                self._limit.release()
                continue
            threading.Thread(
                target=_carry, args=(client, upstream, self._limit), daemon=True
            ).start()

    def close(self) -> None:
        """Stop accepting (connections under way end with their peers)."""
        with contextlib.suppress(OSError):
            self._server.shutdown(socket.SHUT_RDWR)
        self._server.close()


class ParentEnd(_Listener):
    """In the parent: a Unix socket at `path` whose every connection goes to the host's
    `127.0.0.1:port`. The socket is open to any user id (the worker's is not ours); only the
    worker that has `path` in its view can reach it."""

    def __init__(self, path: Path, port: int) -> None:
        self.path = path
        self._port = port
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(str(path))
        path.chmod(0o777)
        server.listen(_MAX_CONNECTIONS)
        super().__init__(server, "course-relay-parent")

    def _connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self._port), timeout=10)


class WorkerEnd(_Listener):
    """In the worker: `127.0.0.1:port` on its own loopback, carried to the Unix socket."""

    def __init__(self, port: int, path: str) -> None:
        self._path = path
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", port))
        server.listen(_MAX_CONNECTIONS)
        super().__init__(server, "course-relay")

    def _connect(self) -> socket.socket:
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            upstream.connect(self._path)
        except OSError:
            upstream.close()
            raise
        return upstream
