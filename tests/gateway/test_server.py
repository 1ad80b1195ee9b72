"""`course serve`'s HTTP/1.1 server: real sockets on 127.0.0.1, a real client (`http.client`)."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from course_cli.errors import UsageError
from course_cli.gateway.connections import Connection, PortInUseError, ServerAddressError
from course_cli.gateway.context import Invocation
from course_cli.gateway.definition import ApiDefinition, single_route
from course_cli.gateway.http import HttpRequest
from course_cli.gateway.invoker import LambdaInvoker, LambdaResult, Outcome
from course_cli.gateway.pipeline import handle_request
from course_cli.gateway.server import GatewayServer, RequestRecord, serve

DEFINITION = single_route("echo", "/{proxy+}")


def echo(
    function_name: str, event: Any, *, timeout_s: float = 3.0, wait_s: float = 29.0
) -> LambdaResult:
    """A Lambda function that answers with what it was sent (and sleeps when asked to)."""
    query = event["queryStringParameters"] or {}
    if "sleep" in query:
        time.sleep(float(query["sleep"]))
    body = json.dumps({"path": event["path"], "query": query, "body": event["body"]})
    return LambdaResult(Outcome.OK, json.dumps({"statusCode": 200, "body": body}))


class Recorder:
    """A `handle` that remembers each `HttpRequest` and then runs the real pipeline."""

    def __init__(self) -> None:
        self.requests: list[HttpRequest] = []

    def __call__(
        self, definition: ApiDefinition, request: HttpRequest, invoker: LambdaInvoker
    ) -> Invocation:
        self.requests.append(request)
        return handle_request(definition, request, invoker)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def records() -> list[RequestRecord]:
    return []


@pytest.fixture
def server(recorder: Recorder, records: list[RequestRecord]) -> Iterator[GatewayServer]:
    with GatewayServer(
        DEFINITION, echo, port=0, handle=recorder, on_request=records.append
    ) as running:
        yield running


@pytest.fixture
def client(server: GatewayServer) -> Iterator[http.client.HTTPConnection]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    yield connection
    connection.close()


def wait_until(condition: Callable[[], bool], timeout_s: float = 2.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.005)


def raw_exchange(port: int, data: bytes) -> bytes:
    """Send raw bytes and read until the server closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_keep_alive_serves_two_requests_on_one_connection(
    client: http.client.HTTPConnection, records: list[RequestRecord]
) -> None:
    client.request("GET", "/one")
    first = client.getresponse()
    assert first.status == 200 and json.loads(first.read())["path"] == "/one"
    assert first.getheader("Connection") == "keep-alive"
    sock = client.sock
    client.request("GET", "/two")
    second = client.getresponse()
    assert json.loads(second.read())["path"] == "/two"
    assert client.sock is sock  # no reconnect: the same TCP connection
    wait_until(lambda: len(records) == 2)  # logged just after the response is sent
    assert [(r.method, r.target, r.status) for r in records] == [
        ("GET", "/one", 200),
        ("GET", "/two", 200),
    ]
    assert all(r.latency_ms > 0 and r.client == "127.0.0.1" for r in records)
    assert all(r.invocation is not None and r.error is None for r in records)


def test_path_query_and_headers_arrive_raw(
    client: http.client.HTTPConnection, recorder: Recorder
) -> None:
    client.putrequest("GET", "/a%20b/c%2Fd?x=1&x=2&y=a+b&z=%2B", skip_accept_encoding=True)
    client.putheader("X-Trace", "one")
    client.putheader("x-TRACE", "two")
    client.putheader("Accept", "*/*")
    client.endheaders()
    response = client.getresponse()
    assert json.loads(response.read())["query"] == {"x": "2", "y": "a b", "z": "+"}
    request = recorder.requests[0]
    assert request.method == "GET"
    assert request.path == "/a%20b/c%2Fd"
    assert request.query_string == "x=1&x=2&y=a+b&z=%2B"
    assert list(request.headers)[1:] == [("X-Trace", "one"), ("x-TRACE", "two"), ("Accept", "*/*")]
    assert request.headers.get_all("x-trace") == ["one", "two"]
    assert request.body is None
    assert request.source_ip == "127.0.0.1"
    assert request.protocol == "HTTP/1.1"


def test_content_length_body(client: http.client.HTTPConnection, recorder: Recorder) -> None:
    client.request("POST", "/items", body=b'{"name": "pen"}')
    assert json.loads(client.getresponse().read())["body"] == '{"name": "pen"}'
    assert recorder.requests[0].body == b'{"name": "pen"}'


def test_chunked_body(client: http.client.HTTPConnection, recorder: Recorder) -> None:
    client.request(
        "POST", "/upload", body=iter([b"hello ", b"chunked ", b"world"]), encode_chunked=True
    )
    response = client.getresponse()
    assert json.loads(response.read())["body"] == "hello chunked world"
    assert recorder.requests[0].body == b"hello chunked world"
    # The connection is still good for another request.
    client.request("GET", "/after")
    assert client.getresponse().status == 200


def test_chunked_body_with_extensions_and_trailers(
    server: GatewayServer, recorder: Recorder
) -> None:
    reply = raw_exchange(
        server.port,
        b"POST /t HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        b"5;name=value\r\nhello\r\n0\r\nX-Checksum: 1\r\n\r\n",
    )
    assert reply.startswith(b"HTTP/1.1 200 OK\r\n")
    assert recorder.requests[0].body == b"hello"


def test_expect_100_continue(server: GatewayServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(
            b"PUT /x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n"
            b"Connection: close\r\n\r\n"
        )
        assert sock.recv(1024) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(b"abc")
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b'"body": "abc"' in reply


def test_head_has_headers_but_no_body(client: http.client.HTTPConnection) -> None:
    client.request("GET", "/same")
    get = client.getresponse()
    length = len(get.read())
    assert int(get.getheader("Content-Length") or 0) == length
    client.request("HEAD", "/same")
    response = client.getresponse()
    assert response.status == 200
    assert int(response.getheader("Content-Length") or -1) == length > 0
    assert response.read() == b""
    client.request("GET", "/after-head")  # nothing left over in the stream
    assert json.loads(client.getresponse().read())["path"] == "/after-head"


def test_response_carries_gateway_headers_and_a_date(client: http.client.HTTPConnection) -> None:
    client.request("GET", "/h")
    response = client.getresponse()
    response.read()
    assert response.getheader("Content-Type") == "application/json"
    assert response.getheader("x-amzn-RequestId")
    assert response.getheader("Date", "").endswith(" GMT")


@pytest.mark.parametrize(
    "request_line",
    [b"GARBAGE", b"GET /x", b"GET /x HTTP/1.1 extra", b"G@T /x HTTP/1.1", b"GET x y HTTP/1.1"],
)
def test_malformed_request_line_is_400(
    server: GatewayServer, records: list[RequestRecord], request_line: bytes
) -> None:
    reply = raw_exchange(server.port, request_line + b"\r\nHost: x\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert b"Connection: close\r\n" in reply
    assert reply.endswith(b'{"message": "Bad Request"}')
    assert records[-1].status == 400 and records[-1].invocation is None


@pytest.mark.parametrize(
    "head",
    [
        b"GET /x HTTP/1.1\r\nBad Header\r\n\r\n",  # no colon
        b"GET /x HTTP/1.1\r\nX-A : 1\r\n\r\n",  # space before the colon
        b"GET /x HTTP/1.1\r\nX-A: 1\r\n folded\r\n\r\n",  # obsolete line folding
        b"POST /x HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabc",
        b"POST /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        b"POST /x HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
        b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ],
)
def test_malformed_headers_and_framing_are_400(server: GatewayServer, head: bytes) -> None:
    assert raw_exchange(server.port, head).startswith(b"HTTP/1.1 400 Bad Request\r\n")


def test_unsupported_version_is_505(server: GatewayServer) -> None:
    reply = raw_exchange(server.port, b"GET /x HTTP/2.0\r\nHost: x\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 505 HTTP Version Not Supported\r\n")


def test_body_over_the_limit_is_413(recorder: Recorder) -> None:
    with GatewayServer(DEFINITION, echo, port=0, handle=recorder, max_body_bytes=10) as small:
        reply = raw_exchange(
            small.port, b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n12345678901"
        )
    assert reply.startswith(b"HTTP/1.1 413 Request Entity Too Large\r\n")
    assert recorder.requests == []


def test_http_10_closes_unless_asked_to_keep_alive(server: GatewayServer) -> None:
    reply = raw_exchange(server.port, b"GET /old HTTP/1.0\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 200 OK\r\n") and b"Connection: close\r\n" in reply


def test_connection_close_is_honoured(server: GatewayServer) -> None:
    reply = raw_exchange(server.port, b"GET /bye HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert b"Connection: close\r\n" in reply and reply.endswith(b'"body": null}')


def test_pipelined_requests_are_answered_in_order(server: GatewayServer) -> None:
    reply = raw_exchange(
        server.port,
        b"GET /first HTTP/1.1\r\nHost: x\r\n\r\n"
        b"GET /second HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    assert reply.count(b"HTTP/1.1 200 OK") == 2
    assert reply.index(b'"/first"') < reply.index(b'"/second"')


@pytest.mark.slow
def test_a_slow_request_does_not_hold_up_other_clients(server: GatewayServer) -> None:
    slow = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    fast = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        slow.request("GET", "/slow?sleep=0.5")
        time.sleep(0.05)
        started = time.monotonic()
        fast.request("GET", "/fast")
        assert fast.getresponse().status == 200
        assert time.monotonic() - started < 0.3
        assert slow.getresponse().status == 200
    finally:
        slow.close()
        fast.close()


def test_an_idle_keep_alive_connection_does_not_hold_up_other_clients(
    server: GatewayServer,
) -> None:
    held = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        held.request("GET", "/first")
        held.getresponse().read()  # the connection stays open, its thread waiting on it
        for _ in range(3):
            started = time.monotonic()
            assert raw_exchange(server.port, CLOSE_REQUEST).startswith(b"HTTP/1.1 200 OK")
            assert time.monotonic() - started < 0.3
        held.request("GET", "/again")
        assert held.getresponse().status == 200
    finally:
        held.close()


CLOSE_REQUEST = b"GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"


@pytest.mark.slow
def test_an_idle_server_sleeps_and_wakes_for_the_next_client(server: GatewayServer) -> None:
    # Once the clients stop, the process goes quiet, open connections or not, and wakes for
    # the next client.
    held = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    slow = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        for _ in range(20):
            held.request("GET", "/x")
            held.getresponse().read()
            assert raw_exchange(server.port, CLOSE_REQUEST).startswith(b"HTTP/1.1 200 OK")
        started = time.process_time()
        time.sleep(0.3)
        assert time.process_time() - started < 0.02
        # Awake again: a slow request still does not hold up the next client.
        slow.request("GET", "/slow?sleep=0.5")
        time.sleep(0.05)
        began = time.monotonic()
        assert raw_exchange(server.port, CLOSE_REQUEST).startswith(b"HTTP/1.1 200 OK")
        assert time.monotonic() - began < 0.3
        assert slow.getresponse().status == 200
    finally:
        held.close()
        slow.close()


def test_reload_check_swaps_the_definition(recorder: Recorder) -> None:
    narrow = single_route("echo", "/only")
    pending: list[ApiDefinition] = [DEFINITION]

    def reload_check() -> ApiDefinition | None:
        return pending.pop() if pending else None

    with GatewayServer(narrow, echo, port=0, handle=recorder, reload_check=reload_check) as srv:
        connection = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
        connection.request("GET", "/anything")  # only the reloaded definition has /{proxy+}
        assert connection.getresponse().status == 200
        connection.close()
    assert srv.definition is DEFINITION


def test_a_failing_gateway_answers_500_and_reports_it(records: list[RequestRecord]) -> None:
    def broken(
        definition: ApiDefinition, request: HttpRequest, invoker: LambdaInvoker
    ) -> Invocation:
        raise RuntimeError("bug")

    with GatewayServer(DEFINITION, echo, port=0, handle=broken, on_request=records.append) as srv:
        connection = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
        connection.request("GET", "/x")
        response = connection.getresponse()
        assert response.status == 500
        assert json.loads(response.read()) == {"message": "Internal server error"}
        connection.close()
    assert isinstance(records[0].error, RuntimeError)


def test_port_in_use_is_a_one_line_usage_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(PortInUseError) as caught:
            GatewayServer(DEFINITION, echo, port=port)
    assert isinstance(caught.value, UsageError)
    assert caught.value.message == f"port {port} is in use; try --port {port + 1}"


@pytest.mark.parametrize(
    ("host", "message"),
    [("192.0.2.1", "cannot listen on 192.0.2.1:0"), ("example.com", "is not an IP address")],
)
def test_a_host_it_cannot_listen_on_is_one_line(host: str, message: str) -> None:
    # 192.0.2.1 is TEST-NET-1 (RFC 5737): no interface of this machine has it.
    with pytest.raises(ServerAddressError) as caught:
        GatewayServer(DEFINITION, echo, host=host, port=0)
    assert message in caught.value.message and "\n" not in caught.value.message


def test_listens_beyond_loopback_when_asked() -> None:
    with GatewayServer(DEFINITION, echo, host="0.0.0.0", port=0) as srv:
        assert srv.url == f"http://0.0.0.0:{srv.port}"
        connection = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
        connection.request("GET", "/prod/x")
        assert connection.getresponse().status == 200
        connection.close()


def test_localhost_means_127_0_0_1() -> None:
    with GatewayServer(DEFINITION, echo, host="localhost", port=0) as srv:
        assert srv.host == "127.0.0.1" and srv.url == f"http://127.0.0.1:{srv.port}"


def test_shutdown_is_prompt_with_idle_keep_alive_connections(
    server: GatewayServer, client: http.client.HTTPConnection
) -> None:
    client.request("GET", "/x")
    client.getresponse().read()
    started = time.monotonic()
    server.shutdown()
    assert time.monotonic() - started < 0.5
    server.shutdown()  # twice is fine
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=1).close()


def test_serve_stops_on_ctrl_c_and_lets_it_propagate(tmp_path: Path) -> None:
    ready: list[GatewayServer] = []
    main_thread = threading.main_thread().ident
    assert main_thread is not None

    def press_ctrl_c(server: GatewayServer) -> None:
        ready.append(server)
        timer = threading.Timer(0.1, signal.pthread_kill, (main_thread, signal.SIGINT))
        timer.start()

    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        serve(DEFINITION, echo, port=0, on_ready=press_ctrl_c)
    assert time.monotonic() - started < 1.0
    port = ready[0].port
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_through_the_in_process_runtime(tmp_path: Path) -> None:
    from course_cli.runtime import InProcessRuntime

    handler = tmp_path / "app.py"
    handler.write_text(
        "import json\n"
        "def handler(event, context):\n"
        "    tags = event['multiValueQueryStringParameters']\n"
        "    return {'statusCode': 201, 'body': json.dumps(tags)}\n"
    )
    runtime = InProcessRuntime({"echo": str(handler)})
    with GatewayServer(DEFINITION, runtime, port=0) as srv:
        connection = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
        connection.request("GET", "/items?tag=a&tag=b")
        response = connection.getresponse()
        assert response.status == 201
        assert json.loads(response.read()) == {"tag": ["a", "b"]}
        connection.close()


MAIN_THREAD_ONLY = """
import json
import os
import signal
import threading


def handler(event, context):
    if event["path"] == "/spin":
        while True:
            pass
    # Raises ValueError off the main thread, as Lambda's handlers never see.
    previous = signal.signal(signal.SIGUSR1, signal.SIG_IGN)
    signal.signal(signal.SIGUSR1, previous)
    main = threading.current_thread() is threading.main_thread()
    return {"statusCode": 200, "body": json.dumps({"main": main})}
"""


def test_serve_runs_functions_on_the_main_thread_with_their_timeout(tmp_path: Path) -> None:
    # Where Lambda runs a handler: signals work, and the timeout stops a loop there too.
    from course_cli.runtime import InProcessRuntime

    handler = tmp_path / "app.py"
    handler.write_text(MAIN_THREAD_ONLY)
    runtime = InProcessRuntime({"echo": str(handler)})
    definition = single_route("echo", "/{proxy+}", timeout_s=0.2)
    answers: list[tuple[int, bytes, float]] = []

    def client(server: GatewayServer) -> None:
        def send() -> None:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
            try:
                for path in ("/first", "/spin", "/after"):
                    started = time.monotonic()
                    connection.request("GET", path)
                    response = connection.getresponse()
                    answers.append((response.status, response.read(), time.monotonic() - started))
            finally:
                connection.close()
                server.shutdown()

        threading.Thread(target=send, daemon=True).start()

    serve(definition, runtime, port=0, on_ready=client)
    assert [(status, body) for status, body, _ in answers] == [
        (200, b'{"main": true}'),
        (502, b'{"message": "Internal server error"}'),
        (200, b'{"main": true}'),
    ]
    assert answers[1][2] < 1.0  # stopped at its 0.2 s timeout


# --- crowds, slow clients and refused bodies (issue 19) ---------------------------------------


def half_open(port: int) -> socket.socket:
    """A connection that starts a request and never finishes it."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=5)
    connection.sendall(b"GET / HTTP/1.1\r\nX: ")
    return connection


def test_a_crowd_of_half_open_connections_does_not_lock_clients_out() -> None:
    with GatewayServer(DEFINITION, echo, port=0) as srv:
        srv.connections.limit = 40
        crowd = [half_open(srv.port) for _ in range(120)]
        try:
            for _ in range(5):
                started = time.monotonic()
                assert raw_exchange(srv.port, CLOSE_REQUEST).startswith(b"HTTP/1.1 200 OK")
                assert time.monotonic() - started < 1.0
            # The oldest of the crowd were closed to make room: threads stay bounded (the
            # limit's, a few pooled idle ones, and the test's own).
            wait_until(lambda: threading.active_count() < 40 + 15)
        finally:
            for connection in crowd:
                connection.close()


def test_a_silent_connection_is_closed_after_the_idle_timeout(
    server: GatewayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Connection, "timeout", 0.2)
    with half_open(server.port) as connection:
        started = time.monotonic()
        assert connection.recv(100) == b""  # closed by the server, with nothing to say
        assert 0.1 < time.monotonic() - started < 2.0


def test_a_refused_body_is_read_so_the_client_sees_the_413(recorder: Recorder) -> None:
    # Without the server reading on, a client still sending 4 MB would get a reset, not 413.
    with GatewayServer(DEFINITION, echo, port=0, handle=recorder, max_body_bytes=1024) as small:
        connection = http.client.HTTPConnection("127.0.0.1", small.port, timeout=10)
        try:
            connection.request("POST", "/upload", body=b"x" * (4 * 1024 * 1024))
            response = connection.getresponse()
            assert response.status == 413
            assert json.loads(response.read()) == {"message": "Request Entity Too Large"}
        finally:
            connection.close()
    assert recorder.requests == []


def test_a_head_over_api_gateways_10240_bytes_is_431(server: GatewayServer) -> None:
    big = b"GET /x HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 11_000 + b"\r\n\r\n"
    assert raw_exchange(server.port, big).startswith(b"HTTP/1.1 431 ")


@pytest.mark.slow
def test_course_serve_under_256_file_descriptors_outlasts_300_half_open_connections(
    tmp_path: Path,
) -> None:
    import os
    import resource
    import subprocess
    import sys

    handler = tmp_path / "app.py"
    handler.write_text(
        "def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n"
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    def few_descriptors() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))

    server = subprocess.Popen(
        [sys.executable, "-m", "course_cli", "serve", str(handler), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=few_descriptors,
        env={**os.environ, "COURSE_HOME": str(tmp_path / "home")},
    )
    crowd: list[socket.socket] = []
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline
                time.sleep(0.05)
        for _ in range(300):
            crowd.append(half_open(port))
        for _ in range(5):
            started = time.monotonic()
            assert raw_exchange(port, CLOSE_REQUEST).startswith(b"HTTP/1.1 200 OK")
            assert time.monotonic() - started < 2.0
        assert server.poll() is None
    finally:
        for connection in crowd:
            connection.close()
        server.terminate()
        _, errors = server.communicate(timeout=10)
    assert b"Traceback" not in errors


def _cores_of(native_id: int) -> str:
    with open(f"/proc/self/task/{native_id}/status") as status:
        for line in status:
            if line.startswith("Cpus_allowed_list:"):
                return line.split(":", 1)[1].strip()
    raise AssertionError("no Cpus_allowed_list")


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="core affinity is Linux's")
def test_serve_keeps_its_threads_on_one_core_and_gives_the_cores_back(tmp_path: Path) -> None:
    # The server's threads take turns: on one core their hand-offs stay warm. Afterwards the
    # caller's thread has all its cores again.
    from course_cli.runtime import InProcessRuntime

    before = os.sched_getaffinity(0)
    other_servers = {t.native_id for t in threading.enumerate()}  # earlier tests' idle threads
    handler = tmp_path / "app.py"
    handler.write_text(
        "import json, os, threading\n"
        "def handler(event, context):\n"
        "    serving = [t.native_id for t in threading.enumerate() if t.name == 'course-serve']\n"
        "    return {'statusCode': 200, 'body': json.dumps({\n"
        "        'main': sorted(os.sched_getaffinity(0)), 'serving': serving})}\n"
    )
    answers: list[dict[str, Any]] = []

    def client(server: GatewayServer) -> None:
        def send() -> None:
            try:
                answers.append(
                    json.loads(raw_exchange(server.port, CLOSE_REQUEST).split(b"\r\n\r\n", 1)[1])
                )
            finally:
                server.shutdown()

        threading.Thread(target=send, daemon=True).start()

    serve(DEFINITION, InProcessRuntime({"echo": str(handler)}), port=0, on_ready=client)
    [answer] = answers
    if len(before) > 1:
        assert len(answer["main"]) == 1
    serving = set(answer["serving"]) - other_servers
    assert serving, "the server's threads were not found"
    assert {_cores_of(native_id) for native_id in serving} == {str(answer["main"][0])}
    assert os.sched_getaffinity(0) == before
