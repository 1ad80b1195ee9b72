"""`course serve`'s server: the gateway answering HTTP/1.1 on 127.0.0.1 (or a chosen host).

`GatewayServer` binds, starts and stops; its connections (`connections`) read each request,
which it answers through the pipeline, logging a `RequestRecord`. While `serve_forever()` runs
on the main thread, handlers run there one at a time, as on Lambda (`MainThreadInvoker`).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, Final

from course_cli.gateway.connections import OpenConnections, listen
from course_cli.gateway.context import Invocation
from course_cli.gateway.definition import ApiDefinition
from course_cli.gateway.http import Headers, HttpRequest, HttpResponse
from course_cli.gateway.http_wire import INTERNAL_ERROR_BODY, MAX_BODY_BYTES
from course_cli.gateway.invoker import LambdaInvoker
from course_cli.gateway.main_thread import MainThreadInvoker

DEFAULT_HOST: Final = "127.0.0.1"
DEFAULT_PORT: Final = 3000
# How long `shutdown()` waits for requests in flight before leaving them to finish alone.
SHUTDOWN_GRACE_S: Final = 1.0

Handle = Callable[[ApiDefinition, HttpRequest, LambdaInvoker], Invocation]
ReloadCheck = Callable[[], ApiDefinition | None]


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One answered request, for the log line `course serve` prints."""

    method: str
    target: str  # as sent: raw path and `?query`
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
    one_at_a_time: bool = False,
) -> None:
    """Serve `definition` on `host:port` until interrupted (`KeyboardInterrupt` propagates);
    `PortInUseError` or `ServerAddressError` when it cannot listen. `on_ready(server)` runs
    once bound, `on_request(record)` after each request (never two at once), `reload_check()`
    before each, and may return a new definition to serve. `one_at_a_time`: requests go
    through the gateway one after the other (for a debugger paused in a handler)."""
    server = GatewayServer(
        definition,
        invoker,
        host=host,
        port=port,
        on_request=on_request,
        reload_check=reload_check,
        one_at_a_time=one_at_a_time,
    )
    try:
        if on_ready is not None:
            on_ready(server)
        server.serve_forever()
    finally:
        server.shutdown()


class GatewayServer:
    """The HTTP server; binds in the constructor, so a taken port fails right away.

    `start()` serves from background threads (functions run on the connections' threads);
    `serve_forever()` also runs the functions on the calling thread until `shutdown()`. Also a
    context manager (start, then shutdown).
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
        one_at_a_time: bool = False,
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
        self.connections = OpenConnections()
        self._http = listen(host, port, self)
        self.host: str = str(self._http.server_address[0])
        self.port: int = self._http.server_address[1]
        self._log_lock = threading.Lock()
        self._lock = threading.Lock()
        self._started = False
        self.closing = False
        self._stopped = threading.Event()
        # Held while a request goes through the gateway, when requests take turns.
        self._turn: AbstractContextManager[Any] = (
            threading.Lock() if one_at_a_time else nullcontext()
        )

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
                threading.Thread(target=self._http.run, name="course-serve", daemon=True).start()
        return self

    def serve_forever(self) -> None:
        """Serve until `shutdown()`; Ctrl-C interrupts with `KeyboardInterrupt`.

        On the main thread, the functions run on it, one at a time: where Lambda runs them
        (their `asyncio` event loop, their signals, and the timeout's alarm are there).
        """
        if threading.current_thread() is threading.main_thread():
            with on_one_core():  # the server's threads, started here, share the main's core
                self.start()
                self._invoker.run_until(self._stopped)
        else:
            self.start()
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
        self.connections.close_all(SHUTDOWN_GRACE_S)

    def __enter__(self) -> GatewayServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()

    # --- called from the connections' threads ---

    def answer(
        self, request: HttpRequest, target: str, started: float
    ) -> tuple[HttpResponse, Callable[[], None]]:
        """Answer `request` through the gateway (a 500 if the gateway fails), with what logs
        it once the answer is sent."""
        invocation: Invocation | None = None
        error: BaseException | None = None
        try:
            if self._reload_check is not None:
                fresh = self._reload_check()
                if fresh is not None:
                    self.definition = fresh
            with self._turn:
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
        return response, lambda: self.log(record)

    def refused(self, status: int, method: str, target: str, client: str) -> None:
        """Log a request refused before the gateway saw it."""
        self.log(RequestRecord(method, target, status, 0.0, client))

    def log(self, record: RequestRecord) -> None:
        """Hand `record` to `on_request`, never two at once."""
        if self._on_request is not None:
            with self._log_lock:
                self._on_request(record)


@contextlib.contextmanager
def on_one_core() -> Iterator[None]:
    """Keep the calling thread, and the threads and programs it starts meanwhile, on the core
    it runs on now; its own cores again afterwards. Linux only; elsewhere, or where the
    cores cannot be read or set, nothing changes.

    Why: `course serve`'s threads take turns and never run at once (one request goes from
    the thread that accepts it, to the one that reads it, to the main thread that runs the
    handler, and back), so a second core gives them nothing. Spread over cores, each of those
    hand-offs wakes another core (an interrupt between processors, dear on a virtual machine)
    and finds its caches cold; on one core it is a plain switch.
    """
    allowed: set[int] | None = None
    try:
        allowed = os.sched_getaffinity(0)
        if (core := _current_core()) in allowed:
            os.sched_setaffinity(0, {core})
    except (AttributeError, OSError):  # not Linux, or a sandbox that forbids it
        pass
    try:
        yield
    finally:
        if allowed is not None:
            with contextlib.suppress(OSError):
                os.sched_setaffinity(0, allowed)


def _current_core() -> int | None:
    """The core this thread runs on (Linux's `/proc`), or None."""
    try:
        with open("/proc/thread-self/stat", "rb") as stat:
            # The fields after the command's name, which may hold spaces, start at field 3;
            # field 39 is the core the thread last ran on.
            return int(stat.read().rsplit(b")", 1)[1].split()[36])
    except (OSError, ValueError, IndexError):
        return None
