"""A real HTTP/1.1 server on 127.0.0.1 in front of the gateway: what `course serve` runs.

Requests are parsed here into the gateway's `HttpRequest` with the raw path and query string
exactly as sent and the headers in their order and casing (the proxy event shows the learner
what their client really sent), then answered by `handle_request`.

Why a small hand-written HTTP/1.1 reader instead of `http.server`: the standard library
server parses headers with the `email` package (slow, and it normalises what we must show
raw) and cannot read chunked request bodies. What we accept is deliberately narrow — what
curl, browsers, `requests`, `http.client` and httpie send — and anything else is a 400.

Pooled threads, one per open connection, each running the functions its requests call on
itself (no handoff to another thread: see `runtime/timeouts.py` for how their timeouts are
kept); one of them waits for new connections, and the same thread serves one connection
after another while they come one at a time; HTTP/1.1 keep-alive; `TCP_NODELAY` (no Nagle
stalls: `chalice local`, on `http.server`, answers a keep-alive client about 23 times a second
because of them). Loopback only: the emulator runs learners' code and is never meant to be
reachable from the network.
"""

from __future__ import annotations

import errno
import ipaddress
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus
from typing import Final

from course_cli.errors import UsageError
from course_cli.gateway.context import Invocation
from course_cli.gateway.definition import ApiDefinition
from course_cli.gateway.http import Headers, HttpRequest, HttpResponse
from course_cli.gateway.invoker import LambdaInvoker

DEFAULT_HOST: Final = "127.0.0.1"
DEFAULT_PORT: Final = 3000
# API Gateway refuses payloads over 10 MB with 413.
MAX_BODY_BYTES: Final = 10 * 1024 * 1024
# Request line plus headers; API Gateway's own limit is about 10 KB of headers.
MAX_HEAD_BYTES: Final = 64 * 1024
# How long `shutdown()` waits for requests in flight before leaving them to finish alone.
SHUTDOWN_GRACE_S: Final = 1.0
# Threads kept waiting for the next connection. Threads are reused rather than started per
# connection: a warm thread answers a request about three times faster than a fresh one
# (measured), which matters for clients that open a connection per request.
MAX_IDLE_THREADS: Final = 8
# How long the thread that took a connection may keep it before another thread is woken to
# wait for the next one (a slow function, or a keep-alive connection left open). Until then
# the same thread goes back to accept(): a client opening a connection per request is then
# served by one warm thread, not by threads taking turns (10 to 30% more requests/s in A/B
# runs of the benchmark's new-connection client).
PROMOTE_AFTER_S: Final = 0.01
# With no new connection for this long, the thread that watches for a busy acceptor sleeps
# until the next one comes.
PARK_AFTER_S: Final = 1.0

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
    before each request and may return a new definition to serve from then on.
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

    `start()` serves from background threads and returns; `serve_forever()` does the same and
    then waits on the calling thread until `shutdown()` (Ctrl-C interrupts the wait and
    propagates). `shutdown()` stops promptly. Also a context manager (start, then shutdown).

    Threads: one pooled thread at a time waits in `accept()` and serves the connection it
    accepted itself, so no request waits for a handoff between threads. When it is done it
    goes back to `accept()`, unless another thread took over meanwhile: a small watcher thread
    wakes an idle thread (or starts one) to accept when the one that took a connection is
    still busy with it after `PROMOTE_AFTER_S`. Idle threads wait on their own lock.
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
        self._invoker = invoker
        self._handle = handle
        self._on_request = on_request
        self._reload_check = reload_check
        self._max_body = max_body_bytes
        self._listener = _listen(host, port)
        self.host, self.port = self._listener.getsockname()[:2]
        self._lock = threading.Lock()
        self._log_lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._threads: set[threading.Thread] = set()
        self._accepting = 0  # threads waiting in accept(), or woken to do so
        self._idle: list[_Gate] = []  # threads waiting to be woken, the latest last
        # When the last thread to leave accept() took its connection (read only while no
        # thread waits there), and when any thread last took one.
        self._taken_at = 0.0
        self._last_taken_at = 0.0
        self._watcher_parked = False
        self._activity = threading.Event()
        self._started = False
        self._closing = False
        self._shutdown_requested = threading.Event()

    @property
    def url(self) -> str:
        """The base URL clients use, e.g. `http://127.0.0.1:3000`."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    # --- running ---

    def start(self) -> GatewayServer:
        """Start serving from background threads; returns at once."""
        with self._lock:
            if not self._started and not self._closing:
                self._started = True
                self._accepting += 1
                self._spawn_acceptor()
                watcher = threading.Thread(
                    target=self._watch_acceptor, name="course-serve-watch", daemon=True
                )
                self._threads.add(watcher)
                watcher.start()
        return self

    def serve_forever(self) -> None:
        """Serve until `shutdown()`; Ctrl-C interrupts the wait with `KeyboardInterrupt`."""
        self.start()
        # Timed waits: a signal (Ctrl-C) is acted on when a wait returns, and a process-wide
        # signal is not guaranteed to interrupt an untimed wait on every platform.
        while not self._shutdown_requested.wait(0.25):
            pass

    def shutdown(self) -> None:
        """Stop accepting, close idle connections, and return within about a second.

        Requests still running after `SHUTDOWN_GRACE_S` are left to finish on their own
        (daemon threads); their connections close when they do. Safe to call twice.
        """
        with self._lock:
            if self._closing:
                return
            self._closing = True
            connections = list(self._connections)
            idle, self._idle = self._idle, []
        for gate in idle:
            gate.lock.release()  # the thread sees `_closing` and ends
        self._activity.set()
        self._shutdown_requested.set()
        deadline = time.monotonic() + SHUTDOWN_GRACE_S
        self._wake_acceptors(deadline)
        for connection in connections:
            try:  # wakes a thread blocked in recv(); the thread itself closes the socket
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._listener.close()

    def __enter__(self) -> GatewayServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()

    def _wake_acceptors(self, deadline: float) -> None:
        """Get every thread out of `accept()`: shut the listening socket (Linux wakes them all
        at once) and, where that does not wake them, connect to it once per waiting thread."""
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        while time.monotonic() < deadline:
            with self._lock:
                waiting = self._accepting
            if not waiting:
                return
            for _ in range(waiting):
                try:
                    socket.create_connection((self.host, self.port), timeout=0.1).close()
                except OSError:
                    break
            time.sleep(0.001)

    def _spawn_acceptor(self) -> None:
        # Called with the lock held, the new thread already counted in `_accepting`.
        thread = threading.Thread(target=self._accept_and_serve, name="course-serve", daemon=True)
        self._threads.add(thread)
        thread.start()

    def _accept_and_serve(self) -> None:
        """A pooled thread: accept a connection and serve it; then accept again, or wait to be
        woken if another thread accepts meanwhile; until shutdown. Starts counted in
        `_accepting`."""
        try:
            while True:
                taken = self._accept()
                if taken is None:
                    return
                connection, client = taken
                self._serve_connection(connection, client)
                with self._lock:
                    if self._closing:
                        return
                    if self._accepting == 0:
                        self._accepting += 1  # back to accept(), still warm
                        continue
                    if len(self._idle) >= MAX_IDLE_THREADS:
                        return  # enough threads wait already
                    gate = _Gate()
                    self._idle.append(gate)
                gate.lock.acquire()  # released by `_promote`, or by shutdown
                if not gate.promoted:
                    return
        finally:
            with self._lock:
                self._threads.discard(threading.current_thread())

    def _accept(self) -> tuple[socket.socket, str] | None:
        """Wait for a connection (this thread is counted in `_accepting`); None at shutdown."""
        while True:
            if self._closing:
                with self._lock:
                    self._accepting -= 1
                return None
            try:
                connection, address = self._listener.accept()
            except OSError:
                if self._closing:
                    continue
                time.sleep(0.01)  # out of file descriptors, or an aborted connection
                continue
            now = time.monotonic()
            with self._lock:
                self._accepting -= 1
                if self._closing:
                    connection.close()
                    return None
                self._connections.add(connection)
                if self._accepting == 0:
                    self._taken_at = now
                self._last_taken_at = now
            if self._watcher_parked:
                self._activity.set()
            return connection, str(address[0])

    def _promote(self) -> None:
        """Have a thread wait in accept(): the latest idle one, or a new one. Lock held."""
        self._accepting += 1
        if self._idle:
            gate = self._idle.pop()
            gate.promoted = True
            gate.lock.release()
        else:
            self._spawn_acceptor()

    def _watch_acceptor(self) -> None:
        """Every `PROMOTE_AFTER_S`, make sure a thread waits in accept() unless the last one
        took its connection only just now; asleep while no connection comes."""
        try:
            while not self._closing:
                time.sleep(PROMOTE_AFTER_S)
                now = time.monotonic()
                with self._lock:
                    if self._closing:
                        return
                    if self._accepting == 0:
                        if now - self._taken_at >= PROMOTE_AFTER_S:
                            self._promote()
                        continue
                    if now - self._last_taken_at < PARK_AFTER_S:
                        continue
                    # Someone accepts and nothing came for a while: sleep until a connection
                    # is taken (`_accept` sees the flag and wakes us).
                    self._watcher_parked = True
                self._activity.wait()
                self._activity.clear()
                self._watcher_parked = False
        finally:
            with self._lock:
                self._threads.discard(threading.current_thread())

    # --- one connection ---

    def _serve_connection(self, connection: socket.socket, client: str) -> None:
        try:
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            reader = _Reader(connection)
            while not self._closing and self._serve_one(connection, reader, client):
                pass
        except OSError:
            pass  # the client went away (reset, broken pipe) or we shut the socket down
        finally:
            with self._lock:
                self._connections.discard(connection)
            connection.close()

    def _serve_one(self, connection: socket.socket, reader: _Reader, client: str) -> bool:
        """Read, answer and log one request; True when the connection stays open for another.

        A connection's last answer is logged before it is sent: a client that opens a
        connection per request sends the next one as soon as it has this answer, to another
        thread, and work left to do on this thread would only compete with that one. Other
        answers are logged while the client reads them.
        """
        try:
            head = reader.read_head()
            if head is None:
                return False  # the client closed the connection between requests
            started = time.perf_counter()
            parsed = _parse_head(head)
            if parsed.expects_continue and parsed.has_body:
                connection.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            body = _read_body(reader, parsed, self._max_body)
        except _HttpError as refused:
            target = refused.target or "-"
            self._log(RequestRecord(refused.method or "-", target, refused.status, 0.0, client))
            connection.sendall(_error_response(refused.status))
            return False
        request = HttpRequest(
            method=parsed.method,
            path=parsed.path,
            query_string=parsed.query,
            headers=Headers(parsed.headers),
            body=body,
            source_ip=client,
            protocol=parsed.version,
        )
        invocation: Invocation | None = None
        error: BaseException | None = None
        try:
            if self._reload_check is not None:
                fresh = self._reload_check()
                if fresh is not None:
                    self.definition = fresh
            invocation = self._handle(self.definition, request, self._invoker)
            response = invocation.response or HttpResponse(500, body=_INTERNAL_ERROR_BODY)
        except Exception as exc:  # our bug or a broken definition: answer like a gateway
            error = exc
            response = HttpResponse(
                500, Headers([("Content-Type", "application/json")]), _INTERNAL_ERROR_BODY
            )
        keep_alive = parsed.keep_alive and not self._closing
        answer = _encode_response(
            response, head_only=parsed.method == "HEAD", keep_alive=keep_alive
        )
        record = RequestRecord(
            parsed.method,
            parsed.target,
            response.status,
            (time.perf_counter() - started) * 1000,
            client,
            invocation,
            error,
        )
        if keep_alive:
            connection.sendall(answer)
            self._log(record)
        else:
            self._log(record)
            connection.sendall(answer)
        return keep_alive

    def _log(self, record: RequestRecord) -> None:
        if self._on_request is not None:
            with self._log_lock:  # the callback never runs twice at once
                self._on_request(record)


class _Gate:
    """Where an idle server thread waits: its own lock, released to wake it."""

    __slots__ = ("lock", "promoted")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.lock.acquire()
        self.promoted = False  # woken to accept (else: woken to end, at shutdown)


# --- listening --------------------------------------------------------------------------------


def _listen(host: str, port: int) -> socket.socket:
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
        return socket.create_server((host, port), family=family, backlog=128)
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


# --- reading requests -------------------------------------------------------------------------

_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_VERSION = re.compile(rb"HTTP/1\.[01]")
_HEX = re.compile(rb"[0-9A-Fa-f]+")
# A whole head of the common kind, for `_parse_head`'s fast path: ASCII, a valid request line,
# and `name:value` fields with no CR, LF or NUL in a value. Linear time, like `_COMMON_FIELD`.
_TCHAR = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]"
_COMMON_HEAD = re.compile(rf"({_TCHAR}+) ([!-~]+) (HTTP/1\.[01])((?:\r\n{_TCHAR}+:[^\r\n\x00]*)*)")
# Each field of such a head: (name, value without surrounding spaces and tabs).
_COMMON_FIELD = re.compile(rf"\r\n({_TCHAR}+):[ \t]*((?:[^\r\n]*[^\r\n \t])?)")


class _HttpError(Exception):
    """A request we refuse before the gateway sees it."""

    def __init__(self, status: int, method: str = "", target: str = "") -> None:
        super().__init__(status)
        self.status = status
        self.method = method
        self.target = target


class _Reader:
    """Buffered reads from a socket: the head, lines, exact byte counts."""

    __slots__ = ("buffer", "connection")

    def __init__(self, connection: socket.socket) -> None:
        self.connection = connection
        self.buffer = bytearray()

    def _fill(self) -> bool:
        data = self.connection.recv(65536)
        if not data:
            return False
        self.buffer += data
        return True

    def read_head(self) -> bytes | None:
        """The request line and headers (without the blank line), or None at a clean EOF."""
        buffer = self.buffer
        while True:
            # Clients may send stray CRLFs between requests (RFC 9112 §2.2): skip them.
            while buffer[:2] == b"\r\n":
                del buffer[:2]
            end = buffer.find(b"\r\n\r\n")
            if end >= 0:
                head = bytes(buffer[:end])
                del buffer[: end + 4]
                return head
            if len(buffer) > MAX_HEAD_BYTES:
                raise _HttpError(431)
            if not self._fill():
                if buffer:
                    raise _HttpError(400)  # the client stopped in the middle of a request
                return None

    def read_line(self) -> bytes:
        """One CRLF-terminated line (for chunk sizes and trailers), without the CRLF."""
        while True:
            end = self.buffer.find(b"\r\n")
            if end >= 0:
                line = bytes(self.buffer[:end])
                del self.buffer[: end + 2]
                return line
            if len(self.buffer) > MAX_HEAD_BYTES:
                raise _HttpError(400)
            if not self._fill():
                raise _HttpError(400)

    def read_exact(self, count: int) -> bytes:
        while len(self.buffer) < count:
            if not self._fill():
                raise _HttpError(400)
        data = bytes(self.buffer[:count])
        del self.buffer[:count]
        return data


@dataclass(slots=True)
class _Head:
    method: str
    target: str
    path: str
    query: str
    version: str
    headers: list[tuple[str, str]]
    keep_alive: bool
    chunked: bool
    content_length: int | None
    expects_continue: bool

    @property
    def has_body(self) -> bool:
        return self.chunked or bool(self.content_length)


def _parse_head(head: bytes) -> _Head:
    # The common request, ASCII and well formed, is checked and split by two regexes; anything
    # else takes the strict line-by-line path, which decides what to refuse.
    match = _COMMON_HEAD.fullmatch(head.decode("ascii")) if head.isascii() else None
    if match is not None:
        method, target, version, fields = match.groups()
        headers: list[tuple[str, str]] = _COMMON_FIELD.findall(fields) if fields else []
    else:
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ")
        if len(parts) != 3 or not _TOKEN.fullmatch(parts[0]) or not parts[1]:
            raise _HttpError(400)
        raw_method, raw_target, raw_version = parts
        method = raw_method.decode("ascii")
        target = raw_target.decode("latin-1")
        if not _VERSION.fullmatch(raw_version):
            status = 505 if raw_version.startswith(b"HTTP/") and len(raw_version) == 8 else 400
            raise _HttpError(status, method, target)
        if any(byte <= 0x20 or byte == 0x7F for byte in raw_target):
            raise _HttpError(400, method, target)
        version = raw_version.decode("ascii")
        headers = []
        for line in lines[1:]:
            raw_name, colon, raw_value = line.partition(b":")
            # No obsolete line folding, no space before the colon (RFC 9112 §5.1, §5.2).
            if not colon or not _TOKEN.fullmatch(raw_name):
                raise _HttpError(400, method, target)
            raw_value = raw_value.strip(b" \t")
            if b"\r" in raw_value or b"\n" in raw_value or b"\x00" in raw_value:
                raise _HttpError(400, method, target)
            headers.append((raw_name.decode("ascii"), _decode_header_value(raw_value)))

    connection_tokens: set[str] = set()
    transfer_encoding: list[str] = []
    lengths: set[str] = set()
    expects_continue = False
    for name, value in headers:
        lowered = name.lower()
        if lowered not in {"content-length", "transfer-encoding", "connection", "expect"}:
            continue
        if lowered == "content-length":
            lengths.add(value)
        elif lowered == "transfer-encoding":
            transfer_encoding += [t.strip().lower() for t in value.split(",") if t.strip()]
        elif lowered == "connection":
            if "," in value:
                connection_tokens.update([t.strip().lower() for t in value.split(",")])
            else:  # the usual single token
                connection_tokens.add(value.strip().lower())
        else:
            expects_continue = value.lower() == "100-continue"

    chunked = False
    content_length: int | None = None
    if transfer_encoding:
        if transfer_encoding[-1] != "chunked":
            raise _HttpError(400, method, target)  # a body whose end we cannot find
        chunked = True
        # Both framings at once is how request smuggling starts: answer, then close.
        connection_tokens.add("close")
    elif lengths:
        # ASCII digits only (`str.isdigit` alone also passes other scripts' digits).
        if len(lengths) > 1 or not all(n.isascii() and n.isdigit() for n in lengths):
            raise _HttpError(400, method, target)
        content_length = int(next(iter(lengths)))

    if version == "HTTP/1.1":
        keep_alive = "close" not in connection_tokens
    else:
        keep_alive = "keep-alive" in connection_tokens and "close" not in connection_tokens

    # Clients never send a #fragment; if one does, it is not part of the path or query.
    path, _, query = target.partition("#")[0].partition("?")
    if not path.startswith("/"):
        path = _origin_path(path)
    return _Head(
        method=method,
        target=target,
        path=path,
        query=query,
        version=version,
        headers=headers,
        keep_alive=keep_alive,
        chunked=chunked,
        content_length=content_length,
        expects_continue=expects_continue,
    )


def _origin_path(path: str) -> str:
    """The path of an absolute-form target (`http://host/path`); `*` stays as it is."""
    if path == "*":
        return path
    scheme, sep, rest = path.partition("://")
    if not sep or scheme.lower() not in ("http", "https"):
        raise _HttpError(400)
    slash = rest.find("/")
    return rest[slash:] if slash >= 0 else "/"


def _decode_header_value(value: bytes) -> str:
    # Clients send UTF-8 today; a value that is not UTF-8 is shown byte for byte (latin-1).
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def _read_body(reader: _Reader, head: _Head, limit: int) -> bytes | None:
    if head.chunked:
        return _read_chunked(reader, head, limit)
    if head.content_length is None:
        return None  # no framing: a request without a body
    if head.content_length > limit:
        raise _HttpError(413, head.method, head.target)
    return reader.read_exact(head.content_length)


def _read_chunked(reader: _Reader, head: _Head, limit: int) -> bytes:
    body = bytearray()
    while True:
        size_text = reader.read_line().split(b";", 1)[0].strip(b" \t")
        if not _HEX.fullmatch(size_text) or len(size_text) > 16:
            raise _HttpError(400, head.method, head.target)
        size = int(size_text, 16)
        if size == 0:
            break
        if len(body) + size > limit:
            raise _HttpError(413, head.method, head.target)
        body += reader.read_exact(size)
        if reader.read_exact(2) != b"\r\n":
            raise _HttpError(400, head.method, head.target)
    while reader.read_line():  # trailer fields, ignored, up to the blank line
        pass
    return bytes(body)


# --- writing responses ------------------------------------------------------------------------

_INTERNAL_ERROR_BODY: Final = b'{"message": "Internal server error"}'
# Framing is ours to decide: whatever the gateway put in these is replaced.
_FRAMING_HEADERS: Final = frozenset({"content-length", "transfer-encoding", "connection"})
_REASONS: Final = {status.value: status.phrase for status in HTTPStatus}


class _DateHeader:
    """The Date header's value, formatted once a second rather than once a request."""

    second = -1
    value = b""

    @classmethod
    def now(cls) -> bytes:
        second = int(time.time())
        if second != cls.second:
            # Value before second: a thread reading in between gets an older, valid date.
            cls.value = formatdate(second, usegmt=True).encode("ascii")
            cls.second = second
        return cls.value


def _encode_response(response: HttpResponse, *, head_only: bool, keep_alive: bool) -> bytes:
    status = response.status
    reason = _REASONS.get(status, "Unknown")
    lines = [f"HTTP/1.1 {status} {reason}\r\n".encode("ascii")]
    has_date = False
    for name, value in response.headers:
        lowered = name.lower()
        if lowered in _FRAMING_HEADERS:
            continue
        if lowered == "date":
            has_date = True
        # A CR or LF in a value would end the header early (response splitting).
        clean = value.replace("\r", " ").replace("\n", " ")
        lines.append(f"{name}: {clean}\r\n".encode())
    if not has_date:
        lines.append(b"Date: " + _DateHeader.now() + b"\r\n")
    body = response.body
    no_body = status < 200 or status in (204, 304)
    if not no_body:
        lines.append(b"Content-Length: %d\r\n" % len(body))
    lines.append(b"Connection: keep-alive\r\n\r\n" if keep_alive else b"Connection: close\r\n\r\n")
    if not head_only and not no_body:
        lines.append(body)
    return b"".join(lines)


def _error_response(status: int) -> bytes:
    reason = _REASONS.get(status, "Bad Request")
    body = f'{{"message": "{reason}"}}'.encode()
    response = HttpResponse(status, Headers([("Content-Type", "application/json")]), body)
    return _encode_response(response, head_only=False, keep_alive=False)
