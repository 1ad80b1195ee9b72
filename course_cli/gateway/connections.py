"""The connections of `course serve`: HTTP/1.1 over the standard library's threaded server.

`ThreadingHTTPServer` accepts; each connection gets a thread (kept for the next connection
once it closes) that reads its requests in turn, strictly (`http_wire`), and hands each to the
`Gateway` to answer. `OpenConnections` keeps the crowd bounded: a connection silent for
`IDLE_TIMEOUT_S` is closed, and past the limit the one that has waited longest for a request
is closed to let a new client in. Loopback only: `listen` refuses any other address.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import queue
import resource
import socket
import socketserver
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final, Protocol

from course_cli.errors import UsageError
from course_cli.gateway.http import Headers, HttpRequest, HttpResponse
from course_cli.gateway.http_wire import (
    HttpError,
    encode_response,
    error_response,
    parse_head,
    read_body,
    read_head,
)

# How often the accepting thread looks whether `shutdown()` was called.
_POLL_S: Final = 0.05
# Threads kept waiting for the next connection.
_MAX_IDLE_THREADS: Final = 8
# Our own guards (AWS documents none for clients): a connection silent this long, waiting for
# a request or in the middle of one, is closed; at most `connection_limit()` connections are
# open at once (see `OpenConnections`).
IDLE_TIMEOUT_S: Final = 60.0
# After refusing a request it was still sending (413, 431), what the client sends is read and
# dropped for up to this long: closing on unread data resets the connection, and the client
# would see the reset instead of our answer.
DRAIN_S: Final = 2.0


class PortInUseError(UsageError):
    """The port is taken by another program (or another `course serve`)."""


class ServerAddressError(UsageError):
    """The server cannot listen where it was asked to."""


class Gateway(Protocol):
    """What a connection needs of the server behind it."""

    max_body_bytes: int
    closing: bool
    connections: OpenConnections

    def answer(
        self, request: HttpRequest, target: str, started: float
    ) -> tuple[HttpResponse, Callable[[], None]]:
        """The answer to `request`, and what to call once it is sent (the log line)."""
        ...

    def refused(self, status: int, method: str, target: str, client: str) -> None:
        """Note a request refused before the gateway saw it."""
        ...


class OpenConnections:
    """The open connections, each with since when it waits for a request (None while one is
    read or answered): to wake their threads at shutdown, and to choose whom to close."""

    def __init__(self) -> None:
        self.limit = connection_limit()
        self.closing = False
        self._since: dict[socket.socket, float | None] = {}
        self._lock = threading.Lock()
        self._all_closed = threading.Condition(self._lock)

    def opened(self, connection: socket.socket) -> None:
        """Note a connection whose thread is starting; past the limit, close the one that
        has waited longest for a request."""
        with self._lock:
            if len(self._since) >= self.limit:
                waiting = [(since, c) for c, since in self._since.items() if since]
                if waiting:
                    oldest = min(waiting, key=lambda pair: pair[0])[1]
                    self._since[oldest] = None  # closing: not to be chosen again
                    stop_reading(oldest)
            self._since[connection] = time.monotonic()
            if self.closing:
                stop_reading(connection)

    def waiting(self, connection: socket.socket, since: float | None) -> None:
        """Note that `connection` waits for a request from `since` (None: it is busy)."""
        with self._lock:
            if connection in self._since:
                self._since[connection] = since

    def closed(self, connection: socket.socket) -> None:
        """Note a connection whose thread is ending."""
        with self._lock:
            self._since.pop(connection, None)
            self._all_closed.notify_all()

    def close_all(self, grace_s: float) -> None:
        """Wake every connection's thread, and wait up to `grace_s` for them to end; requests
        being answered finish first (their answers can still be sent)."""
        with self._lock:
            self.closing = True
            connections = list(self._since)
        for connection in connections:
            stop_reading(connection)
        deadline = time.monotonic() + grace_s
        with self._lock:
            while self._since and time.monotonic() < deadline:
                self._all_closed.wait(deadline - time.monotonic())


class Connection(BaseHTTPRequestHandler):
    """One client connection: requests read and answered in turn until either side closes."""

    server: HttpServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no Nagle stalls between our answer and the next request
    timeout = IDLE_TIMEOUT_S  # per read and write on the connection

    def setup(self) -> None:
        super().setup()
        self.server.gateway.connections.opened(self.connection)

    def finish(self) -> None:
        self.server.gateway.connections.closed(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def handle_one_request(self) -> None:
        gateway = self.server.gateway
        client = str(self.client_address[0])
        self.close_connection = True
        try:
            gateway.connections.waiting(self.connection, time.monotonic())
            head = read_head(self.rfile)
            gateway.connections.waiting(self.connection, None)
            if head is None:
                return  # the client closed the connection between requests
            started = time.perf_counter()
            parsed = parse_head(head)
            if parsed.expects_continue and parsed.has_body:
                self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            body = read_body(self.rfile, parsed, gateway.max_body_bytes)
        except HttpError as refused:
            gateway.refused(refused.status, refused.method or "-", refused.target or "-", client)
            self.wfile.write(error_response(refused.status))
            if refused.status in (413, 431):
                self._drain()
            return
        except OSError:
            return  # the client went away, or we shut the connection down
        request = HttpRequest(
            method=parsed.method,
            path=parsed.path,
            query_string=parsed.query,
            headers=Headers(parsed.headers),
            body=body,
            source_ip=client,
            protocol=parsed.version,
        )
        response, log = gateway.answer(request, parsed.target, started)
        keep_alive = parsed.keep_alive and not gateway.closing
        try:
            self.wfile.write(
                encode_response(response, head_only=parsed.method == "HEAD", keep_alive=keep_alive)
            )
            if not keep_alive:  # the answer is complete: a client reading to the end has it
                self.connection.shutdown(socket.SHUT_WR)
        except OSError:  # the client went away; the request is still logged
            keep_alive = False
        finally:
            # Logged once the client has its answer: the log line is not the client's wait.
            log()
        self.close_connection = not keep_alive

    def _drain(self) -> None:
        """Read and drop what the client still sends, for up to `DRAIN_S`, before closing."""
        deadline = time.monotonic() + DRAIN_S
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_WR)  # the answer is complete
            while (left := deadline - time.monotonic()) > 0:
                self.connection.settimeout(left)
                if not self.connection.recv(65536):
                    break


def connection_limit() -> int:
    """Connections open at once: half the file descriptors this process may open (the rest
    are for the learner's code and ours), between 8 and 1,000."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 1000
    return max(8, min(1000, soft // 2))


class HttpServer(ThreadingHTTPServer):
    """The standard library's threaded server, its threads kept for the next connection."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], family: int, gateway: Gateway) -> None:
        self.address_family = family
        self.gateway = gateway
        self._idle_lock = threading.Lock()
        self._idle: list[queue.SimpleQueue[tuple[Any, Any] | None]] = []
        super().__init__(address, Connection)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._idle_lock:
            inbox = self._idle.pop() if self._idle else None
        if inbox is None:
            inbox = queue.SimpleQueue()
            threading.Thread(
                target=self._serve_connections, args=(inbox,), name="course-serve", daemon=True
            ).start()
        inbox.put((request, client_address))

    def _serve_connections(self, inbox: queue.SimpleQueue[tuple[Any, Any] | None]) -> None:
        """A pooled thread: serve each connection it is given, until shutdown."""
        while (given := inbox.get()) is not None:
            self.process_request_thread(*given)  # serves, reports errors, closes
            with self._idle_lock:
                if len(self._idle) >= _MAX_IDLE_THREADS:
                    return
                self._idle.append(inbox)

    def run(self) -> None:
        """Accept connections until `shutdown()`."""
        self.serve_forever(poll_interval=_POLL_S)

    def server_close(self) -> None:
        super().server_close()
        with self._idle_lock:
            idle, self._idle = self._idle, []
        for inbox in idle:
            inbox.put(None)

    def server_bind(self) -> None:
        # `HTTPServer.server_bind` also looks the host's name up (`getfqdn`), which can take
        # seconds where DNS is slow; nothing here uses that name.
        socketserver.TCPServer.server_bind(self)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that resets its connection is not news; anything else is our bug.
        import sys

        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


def stop_reading(connection: socket.socket) -> None:
    """Wake the thread waiting for the connection's next request; answers can still be sent."""
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_RD)


def listen(host: str, port: int, gateway: Gateway) -> HttpServer:
    """A bound, listening server on `host` (an IP address, or `localhost`); our one-line
    errors otherwise. Whether to listen beyond loopback is the caller's decision: the CLI
    says what it means before it asks (`--host`)."""
    if host == "localhost":
        host = "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ServerAddressError(
            f"--host {host!r} is not an IP address",
            "use 127.0.0.1 (this machine only, the default) or 0.0.0.0 (every interface)",
        ) from None
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    try:
        return HttpServer((host, port), family, gateway)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PortInUseError(
                f"port {port} is in use; try --port {port + 1}",
                "another program (or another `course serve`) is listening there",
            ) from None
        if exc.errno == errno.EACCES:
            raise ServerAddressError(
                f"not allowed to listen on port {port}; try --port 3000",
                "ports below 1024 need administrator rights",
            ) from None
        raise ServerAddressError(
            f"cannot listen on {host}:{port}: {exc.strerror}",
            "give an address of this machine, or 0.0.0.0 for all of them",
        ) from None
