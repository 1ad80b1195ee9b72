"""A real HTTP backend for live examples: a server on 127.0.0.1 that echoes what it received."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any


@dataclass
class EchoBackend:
    """The echo server's address and every request it received (method, path, headers, body)."""

    port: int
    received: list[dict[str, Any]]

    def url(self, path: str) -> str:
        """`http://127.0.0.1:<port><path>`."""
        return f"http://127.0.0.1:{self.port}{path}"


class _Echo(BaseHTTPRequestHandler):
    """Answers every request with JSON saying what it received."""

    server: _EchoServer

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        seen = {
            "method": self.command,
            "path": self.path,
            "headers": {k: v for k, v in self.headers.items() if k.lower() != "content-length"},
            "body": self.rfile.read(length).decode("utf-8", "replace") if length else "",
        }
        self.server.received.append(seen)
        data = json.dumps({"backend received": seen}).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the example shows what the backend received; no access log on the terminal


class _EchoServer(HTTPServer):
    received: list[dict[str, Any]]


@contextmanager
def echo_backend() -> Iterator[EchoBackend]:
    """A real HTTP server on a free port of 127.0.0.1 for the `with` block; nothing of it is
    left running after."""
    server = _EchoServer(("127.0.0.1", 0), _Echo)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, name="echo-backend", daemon=True)
    thread.start()
    try:
        yield EchoBackend(int(server.server_address[1]), server.received)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
