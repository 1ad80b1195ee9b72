"""HTTP and HTTP_PROXY integrations log the time the backend took, as AWS's log does."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from course_cli.gateway.http import HttpRequest
from course_cli.gateway.pipeline import handle_request
from course_cli.gateway.route_table import load_route_table

DELAY_S = 0.08


class SlowBackend(BaseHTTPRequestHandler):
    """Answers `{}` after DELAY_S seconds."""

    def do_GET(self) -> None:
        time.sleep(DELAY_S)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def slow_port() -> Iterator[int]:
    server = HTTPServer(("127.0.0.1", 0), SlowBackend)
    # A short poll: shutdown() waits up to one poll, 0.5 s by default, in every teardown.
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()
    thread.join()


def no_lambda(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("HTTP integrations never invoke a function")


@pytest.mark.parametrize("kind", ["HTTP", "HTTP_PROXY"])
def test_integration_latency_is_measured(kind: str, slow_port: int) -> None:
    integration: dict[str, Any] = {"type": kind, "uri": f"http://127.0.0.1:{slow_port}/x"}
    if kind == "HTTP":
        integration["integrationResponses"] = [{"statusCode": "200"}]
    api = load_route_table(
        {"routes": [{"resource": "/x", "method": "GET", "integration": integration}]}
    )
    invocation = handle_request(api, HttpRequest.build("GET", "/x"), no_lambda)
    assert invocation.response.status == 200
    line = next(m for m in invocation.log.messages if m.startswith("Received response."))
    found = re.fullmatch(r"Received response\. Status: 200, Integration latency: (\d+) ms", line)
    assert found is not None, line
    latency = int(found.group(1))
    assert DELAY_S * 1000 <= latency < 5000
    assert invocation.timings["integration_ms"] == latency
