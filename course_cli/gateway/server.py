"""A real HTTP/1.1 server on 127.0.0.1 in front of the gateway: what `course serve` runs.

The standard library's `ThreadingHTTPServer` carries the connections: a thread for each,
keep-alive, pipelining, `TCP_NODELAY`. We read each request ourselves, strictly (anything
beyond what curl, browsers, `requests`, `http.client` and httpie send is a 400), keeping the
raw path and query string and the headers in the order and casing the client sent them: the
proxy event shows the learner what their client really sent. API Gateway's limits apply.

Handlers run where Lambda runs them, on the main thread of their process: while
`serve_forever()` runs on the main thread, the connection threads hand it each Lambda
invocation, and it runs them one at a time, like one execution environment (see
`MainThreadInvoker`). Loopback only: the emulator runs learners' code and is never meant to
be reachable from the network.
"""

from __future__ import annotations

import errno
import ipaddress
import queue
import resource
import socket
import socketserver
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final

from course_cli.errors import UsageError
from course_cli.gateway.context import Invocation
from course_cli.gateway.definition import ApiDefinition
from course_cli.gateway.http import Headers, HttpRequest, HttpResponse
from course_cli.gateway.http_wire import (
    INTERNAL_ERROR_BODY,
    MAX_BODY_BYTES,
    HttpError,
    encode_response,
    error_response,
    parse_head,
    read_body,
    read_head,
)
from course_cli.gateway.invoker import LambdaInvoker
from course_cli.gateway.main_thread import MainThreadInvoker

DEFAULT_HOST: Final = "127.0.0.1"
DEFAULT_PORT: Final = 3000
# How long `shutdown()` waits for requests in flight before leaving them to finish alone.
SHUTDOWN_GRACE_S: Final = 1.0
# How often the accepting thread looks whether `shutdown()` was called.
_POLL_S: Final = 0.05
# Threads kept waiting for the next connection.
_MAX_IDLE_THREADS: Final = 8
# Our own guards (AWS documents none for clients): a connection silent this long, waiting for
# a request or in the middle of one, is closed; at most `connection_limit()` connections are
# open at once, and past it the one that has waited longest for a request is closed, so a
# crowd of idle or half-sent connections cannot lock other clients out.
IDLE_TIMEOUT_S: Final = 60.0
# After refusing a request it was still sending (413, 431), what the client sends is read and
# dropped for up to this long: closing on unread data resets the connection, and the client
# would see the reset instead of our answer.
DRAIN_S: Final = 2.0

Handle = Callable[[ApiDefinition, HttpRequest, LambdaInvoker], Invocation]
ReloadCheck = Callable[[], ApiDefinition | None]


class PortInUseError(UsageError):
    """The port is taken by another program (or another `course serve`)."""


class ServerAddressError(UsageError):
    """The server cannot listen where it was asked to."""


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One answered request, for the log line `course serve` prints."""

    method: str
    # The request target as sent: raw path and `?query`.
    target: str
    status: int
    latency_ms: float
    client: str
    # The gateway's record of the request; None when the server refused it before the gateway
    # (a malformed request) or the gateway failed.
    invocation: Invocation | None = None
    # What went wrong in course itself (a broken definition on reload, a gateway bug).
    error: BaseException | None = None


RequestLog = Callable[[RequestRecord], None]


def serve(
    definition: ApiDefinition,
    invoker: LambdaInvoker,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    on_request: RequestLog | None = None,
    reload_check: ReloadCheck | None = None,
    on_ready: Callable[[GatewayServer], None] | None = None,
    handle: Handle | None = None,
) -> None:
    """Serve `definition` on `host:port` until interrupted; `KeyboardInterrupt` propagates.

    Raises `PortInUseError` (a `UsageError`) when the port is taken, `ServerAddressError` for a
    host that is not a loopback address. `on_ready(server)` runs once the port is bound;
    `on_request(record)` after each request (never two at once). `reload_check()` runs
    before each request and may return a new definition to serve from then on. Called on
    the main thread, the functions run on it (see `GatewayServer.serve_forever`).
    """
    server = GatewayServer(
        definition,
        invoker,
        host=host,
        port=port,
        on_request=on_request,
        reload_check=reload_check,
        handle=handle,
    )
    try:
        if on_ready is not None:
            on_ready(server)
        server.serve_forever()
    finally:
        server.shutdown()


class GatewayServer:
    """The HTTP server; binds in the constructor, so a taken port fails right away.

    `start()` serves from background threads and returns: functions then run on the
    connections' threads. `serve_forever()` starts too, then runs the functions on the calling
    thread until `shutdown()` (Ctrl-C interrupts it and propagates). `shutdown()` stops
    promptly. Also a context manager (start, then shutdown).
    """

    def __init__(
        self,
        definition: ApiDefinition,
        invoker: LambdaInvoker,
        *,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        on_request: RequestLog | None = None,
        reload_check: ReloadCheck | None = None,
        handle: Handle | None = None,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        if handle is None:
            from course_cli.gateway.pipeline import handle_request

            handle = handle_request
        self.definition = definition
        self._invoker = MainThreadInvoker(invoker)
        self._handle = handle
        self._on_request = on_request
        self._reload_check = reload_check
        self.max_body_bytes = max_body_bytes
        self._http = _listen(host, port, self)
        self.host: str = str(self._http.server_address[0])
        self.port: int = self._http.server_address[1]
        self._log_lock = threading.Lock()
        self._lock = threading.Lock()
        self._started = False
        self.closing = False
        self._stopped = threading.Event()
        # Open connections, each with since when it waits for a request (None while one is
        # read or answered): to wake their threads at shutdown, and to choose whom to close.
        self._connections: dict[socket.socket, float | None] = {}
        self.connection_limit = connection_limit()
        self._all_closed = threading.Condition(self._lock)

    @property
    def url(self) -> str:
        """The base URL clients use, e.g. `http://127.0.0.1:3000`."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> GatewayServer:
        """Start serving from background threads; returns at once."""
        with self._lock:
            if not self._started and not self.closing:
                self._started = True
                threading.Thread(
                    target=self._http.serve_forever,
                    args=(_POLL_S,),
                    name="course-serve",
                    daemon=True,
                ).start()
        return self

    def serve_forever(self) -> None:
        """Serve until `shutdown()`; Ctrl-C interrupts with `KeyboardInterrupt`.

        On the main thread, the functions run on it, one at a time: where Lambda runs them
        (their `asyncio` event loop, their signals, and the timeout's alarm are there).
        """
        self.start()
        if threading.current_thread() is threading.main_thread():
            self._invoker.run_until(self._stopped)
        else:
            # Timed waits: a signal is acted on when a wait returns, and a process-wide one
            # is not guaranteed to interrupt an untimed wait on every platform.
            while not self._stopped.wait(0.25):
                pass

    def shutdown(self) -> None:
        """Stop accepting, end idle connections, and return within about a second.

        Requests still running after `SHUTDOWN_GRACE_S` are left to finish on their own
        (daemon threads); their connections close when they do. Safe to call twice.
        """
        with self._lock:
            if self.closing:
                return
            self.closing = True
            started = self._started
        self._stopped.set()
        self._invoker.stop()
        if started:
            self._http.shutdown()  # returns once the accepting thread has stopped
        self._http.server_close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            _stop_reading(connection)
        deadline = time.monotonic() + SHUTDOWN_GRACE_S
        with self._lock:
            while self._connections and time.monotonic() < deadline:
                self._all_closed.wait(deadline - time.monotonic())

    def __enter__(self) -> GatewayServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()

    # --- called from the connections' threads ---

    def opened(self, connection: socket.socket) -> None:
        """Note a connection whose thread is starting; past the limit, close the one that
        has waited longest for a request."""
        with self._lock:
            if len(self._connections) >= self.connection_limit:
                waiting = [(since, c) for c, since in self._connections.items() if since]
                if waiting:
                    oldest = min(waiting, key=lambda pair: pair[0])[1]
                    self._connections[oldest] = None  # closing: not to be chosen again
                    _stop_reading(oldest)
            self._connections[connection] = time.monotonic()
            if self.closing:
                _stop_reading(connection)

    def waiting(self, connection: socket.socket, since: float | None) -> None:
        """Note that `connection` waits for a request from `since` (None: it is busy)."""
        with self._lock:
            if connection in self._connections:
                self._connections[connection] = since

    def closed(self, connection: socket.socket) -> None:
        """Note a connection whose thread is ending."""
        with self._lock:
            self._connections.pop(connection, None)
            self._all_closed.notify_all()

    def answer(
        self, request: HttpRequest, target: str, started: float
    ) -> tuple[HttpResponse, RequestRecord]:
        """Answer `request` through the gateway (a 500 if the gateway fails), with the record
        to log once the answer is sent."""
        invocation: Invocation | None = None
        error: BaseException | None = None
        try:
            if self._reload_check is not None:
                fresh = self._reload_check()
                if fresh is not None:
                    self.definition = fresh
            invocation = self._handle(self.definition, request, self._invoker)
            response = invocation.response or HttpResponse(500, body=INTERNAL_ERROR_BODY)
        except Exception as exc:  # our bug or a broken definition: answer like a gateway
            error = exc
            response = HttpResponse(
                500, Headers([("Content-Type", "application/json")]), INTERNAL_ERROR_BODY
            )
        latency_ms = (time.perf_counter() - started) * 1000
        record = RequestRecord(
            request.method,
            target,
            response.status,
            latency_ms,
            request.source_ip,
            invocation,
            error,
        )
        return response, record

    def log(self, record: RequestRecord) -> None:
        """Hand `record` to `on_request`, never two at once."""
        if self._on_request is not None:
            with self._log_lock:
                self._on_request(record)


class _Connection(BaseHTTPRequestHandler):
    """One client connection: requests read and answered in turn until either side closes."""

    server: _HttpServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no Nagle stalls between our answer and the next request
    timeout = IDLE_TIMEOUT_S  # per read and write on the connection

    def setup(self) -> None:
        super().setup()
        self.server.gateway.opened(self.connection)

    def finish(self) -> None:
        self.server.gateway.closed(self.connection)
        try:
            super().finish()
        except OSError:
            pass

    def handle_one_request(self) -> None:
        gateway = self.server.gateway
        client = str(self.client_address[0])
        self.close_connection = True
        try:
            gateway.waiting(self.connection, time.monotonic())
            head = read_head(self.rfile)
            gateway.waiting(self.connection, None)
            if head is None:
                return  # the client closed the connection between requests
            started = time.perf_counter()
            parsed = parse_head(head)
            if parsed.expects_continue and parsed.has_body:
                self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            body = read_body(self.rfile, parsed, gateway.max_body_bytes)
        except HttpError as refused:
            gateway.log(
                RequestRecord(
                    refused.method or "-", refused.target or "-", refused.status, 0.0, client
                )
            )
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
        response, record = gateway.answer(request, parsed.target, started)
        keep_alive = parsed.keep_alive and not gateway.closing
        try:
            self.wfile.write(
                encode_response(response, head_only=parsed.method == "HEAD", keep_alive=keep_alive)
            )
        finally:
            # Logged once the client has its answer: the log line is not the client's wait.
            gateway.log(record)
        self.close_connection = not keep_alive

    def _drain(self) -> None:
        """Read and drop what the client still sends, for up to `DRAIN_S`, before closing."""
        deadline = time.monotonic() + DRAIN_S
        try:
            self.connection.shutdown(socket.SHUT_WR)  # the answer is complete
            while (left := deadline - time.monotonic()) > 0:
                self.connection.settimeout(left)
                if not self.connection.recv(65536):
                    break
        except OSError:
            pass


def connection_limit() -> int:
    """Connections open at once: half the file descriptors this process may open (the rest
    are for the learner's code and ours), between 8 and 1,000."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 1000
    return max(8, min(1000, soft // 2))


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], family: int, gateway: GatewayServer) -> None:
        self.address_family = family
        self.gateway = gateway
        self._idle_lock = threading.Lock()
        self._idle: list[queue.SimpleQueue[tuple[Any, Any] | None]] = []
        super().__init__(address, _Connection)

    def process_request(self, request: Any, client_address: Any) -> None:
        # Threads are kept for the next connection: starting one costs a short request's time.
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


def _stop_reading(connection: socket.socket) -> None:
    """Wake the thread waiting for the connection's next request; answers can still be sent."""
    try:
        connection.shutdown(socket.SHUT_RD)
    except OSError:
        pass


def _listen(host: str, port: int, gateway: GatewayServer) -> _HttpServer:
    """A bound, listening server on a loopback `host`; our one-line errors otherwise."""
    if host == "localhost":
        host = "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ServerAddressError(
            f"{host!r} is not an IP address; course serve listens on 127.0.0.1",
            "leave out --host, or use --host 127.0.0.1",
        ) from None
    if not address.is_loopback:
        raise ServerAddressError(
            f"course serve listens on loopback only, not on {host}",
            "it runs your code; use --host 127.0.0.1 (the default)",
        )
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    try:
        return _HttpServer((host, port), family, gateway)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PortInUseError(
                f"port {port} is in use; try --port {port + 1}",
                "another program (or another `course serve`) is listening there",
            ) from None
        if exc.errno == errno.EACCES:
            raise ServerAddressError(
                f"not allowed to listen on port {port}; try --port {DEFAULT_PORT}",
                "ports below 1024 need administrator rights",
            ) from None
        raise ServerAddressError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
