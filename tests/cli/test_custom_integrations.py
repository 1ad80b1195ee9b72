"""All five integration types end to end: `course invoke --api --json` and `course serve`.

HTTP backends are a real server on 127.0.0.1 (a thread in the test process) that echoes what
it received; Lambda functions are real handler files run by the in-process runtime.
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_gateway_commands import _free_port
from tests.conftest import CliResult, course_subprocess_env

Run = Callable[..., CliResult]

PROXY_HANDLER = """import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"user": event["pathParameters"]["userId"],
            "query": event["queryStringParameters"]})}
"""
LEGACY_HANDLER = """class NotFound(Exception):
    pass
def lambda_handler(event, context):
    if event["userId"] != "123":
        raise NotFound(f"Not found: user {event['userId']}")
    return {"id": event["userId"], "name": "Ada", "include": event["include"]}
"""
REQUEST_TEMPLATE = (
    '{"userId": "$input.params(\'userId\')", "include": "$input.params(\'include\')"}'
)


BACKEND_HEADER = "integration.response.header.X-Backend"
ALLOW_METHODS = "method.response.header.Access-Control-Allow-Methods"


class Echo(BaseHTTPRequestHandler):
    """Answers every request with what it received; /missing answers 404."""

    def do_GET(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        status = 404 if self.path.startswith("/missing") else 200
        document = {
            "method": self.command,
            "path": self.path,
            "body": body,
            "header": self.headers.get("X-From-Gateway"),
        }
        data = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Backend", "echo")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_POST = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def backend() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    # A short poll: shutdown() waits up to one poll, 0.5 s by default, in every teardown.
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


def api_table(port: int, *, with_404: bool = True) -> dict[str, Any]:
    legacy_responses: list[dict[str, Any]] = [{"statusCode": "200"}]
    if with_404:
        legacy_responses.append(
            {
                "statusCode": "404",
                "selectionPattern": "Not found.*",
                "responseTemplates": {
                    "application/json": '{"message": "$util.escapeJavaScript('
                    "$input.path('$.errorMessage'))\"}"
                },
            }
        )
    return {
        "name": "five",
        "functions": {
            "users": {"handler": "proxy.py"},
            "legacy": {"handler": "legacy.py:lambda_handler"},
        },
        "routes": [
            {
                "resource": "/proxy/{userId}",
                "method": "GET",
                "integration": {"type": "AWS_PROXY", "function": "users"},
            },
            {
                "resource": "/custom/{userId}",
                "method": "GET",
                "integration": {
                    "type": "AWS",
                    "function": "legacy",
                    "requestTemplates": {"application/json": REQUEST_TEMPLATE},
                    "integrationResponses": legacy_responses,
                },
            },
            {
                "resource": "/httpproxy/{proxy+}",
                "method": "ANY",
                "integration": {
                    "type": "HTTP_PROXY",
                    "uri": f"http://127.0.0.1:{port}/{{proxy}}",
                    "requestParameters": {
                        "integration.request.path.proxy": "method.request.path.proxy"
                    },
                },
            },
            {
                "resource": "/http/{userId}",
                "method": "GET",
                "integration": {
                    "type": "HTTP",
                    "httpMethod": "POST",
                    "uri": f"http://127.0.0.1:{port}/users/{{id}}",
                    "requestParameters": {
                        "integration.request.path.id": "method.request.path.userId",
                        "integration.request.header.X-From-Gateway": "'yes'",
                    },
                    "requestTemplates": {"application/json": REQUEST_TEMPLATE},
                    "integrationResponses": [
                        {
                            "statusCode": "200",
                            "responseTemplates": {
                                "application/json": "{\"backendSaw\": $input.json('$.body')}"
                            },
                            "responseParameters": {
                                "method.response.header.X-Backend": BACKEND_HEADER
                            },
                        },
                        {"statusCode": "404", "selectionPattern": "404"},
                    ],
                },
            },
            {
                "resource": "/health",
                "method": "GET",
                "integration": {
                    "type": "MOCK",
                    "requestTemplates": {"application/json": '{"statusCode": 200}'},
                    "integrationResponses": [
                        {
                            "statusCode": "200",
                            "responseTemplates": {
                                "application/json": '{"status": "ok", "stage": "$context.stage"}'
                            },
                        }
                    ],
                },
            },
            {
                "resource": "/health",
                "method": "OPTIONS",
                "integration": {
                    "type": "MOCK",
                    "requestTemplates": {"application/json": '{"statusCode": 200}'},
                    "integrationResponses": [
                        {
                            "statusCode": "200",
                            "responseParameters": {
                                "method.response.header.Access-Control-Allow-Origin": "'*'",
                                ALLOW_METHODS: "'GET,OPTIONS'",
                            },
                        }
                    ],
                },
            },
            {
                "resource": "/strict",
                "method": "POST",
                "integration": {
                    "type": "MOCK",
                    "passthroughBehavior": "NEVER",
                    "requestTemplates": {"application/json": '{"statusCode": 200}'},
                    "integrationResponses": [{"statusCode": "200"}],
                },
            },
        ],
    }


@pytest.fixture
def api(tmp_path: Path, backend: int) -> Path:
    (tmp_path / "proxy.py").write_text(PROXY_HANDLER)
    (tmp_path / "legacy.py").write_text(LEGACY_HANDLER)
    table = tmp_path / "api.json"
    table.write_text(json.dumps(api_table(backend)))
    return table


def invoke(run_cli: Run, table: Path, path: str, *extra: str) -> dict[str, Any]:
    result = run_cli("invoke", "--api", str(table), "--path", path, "--json", *extra)
    assert "Traceback" not in result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_aws_proxy_passes_the_query_on(run_cli: Run, api: Path) -> None:
    doc = invoke(run_cli, api, "/proxy/123", "--query", "include=orders")
    assert json.loads(doc["response"]["body"]) == {"user": "123", "query": {"include": "orders"}}


def test_aws_custom_sends_the_template_output_and_returns_the_value(
    run_cli: Run, api: Path
) -> None:
    doc = invoke(run_cli, api, "/custom/123", "--query", "include=orders")
    assert doc["event"] == {"userId": "123", "include": "orders"}
    assert doc["response"]["statusCode"] == 200
    assert json.loads(doc["response"]["body"]) == {"id": "123", "name": "Ada", "include": "orders"}
    assert any("Endpoint request body after transformations: {" in line for line in doc["log"])


def test_selection_pattern_maps_the_lambda_error_to_404(run_cli: Run, api: Path) -> None:
    doc = invoke(run_cli, api, "/custom/p2")
    assert doc["response"]["statusCode"] == 404
    assert json.loads(doc["response"]["body"]) == {"message": "Not found: user p2"}


def test_unmatched_lambda_error_answers_200_with_the_error_as_body(
    run_cli: Run, api: Path, backend: int
) -> None:
    api.write_text(json.dumps(api_table(backend, with_404=False)))
    doc = invoke(run_cli, api, "/custom/p2")
    assert doc["response"]["statusCode"] == 200  # the trap, as on AWS
    body = json.loads(doc["response"]["body"])
    assert body["errorMessage"] == "Not found: user p2"
    assert body["errorType"] == "NotFound"
    assert any("200" in text and "selectionPattern" in text for text in doc["explanations"])


def test_http_proxy_forwards_path_and_query_unchanged(run_cli: Run, api: Path) -> None:
    doc = invoke(run_cli, api, "/httpproxy/a/b", "--query", "x=1")
    assert doc["response"]["statusCode"] == 200
    assert json.loads(doc["response"]["body"])["path"] == "/a/b?x=1"
    assert doc["response"]["headers"]["X-Backend"] == "echo"
    missing = invoke(run_cli, api, "/httpproxy/missing")
    assert missing["response"]["statusCode"] == 404  # the backend's status, unchanged


def test_http_custom_template_parameters_and_status_selection(run_cli: Run, api: Path) -> None:
    doc = invoke(run_cli, api, "/http/123", "--query", "include=orders")
    seen = json.loads(json.loads(doc["response"]["body"])["backendSaw"])
    assert seen == {"userId": "123", "include": "orders"}
    assert doc["event"]["url"].endswith("/users/123")
    assert doc["event"]["method"] == "POST"
    assert doc["response"]["headers"]["X-Backend"] == "echo"
    assert json.loads(doc["result"]["body"])["header"] == "yes"


def test_mock_health_check_and_cors_preflight(run_cli: Run, api: Path) -> None:
    doc = invoke(run_cli, api, "/health")
    assert doc["response"]["statusCode"] == 200
    assert json.loads(doc["response"]["body"]) == {"status": "ok", "stage": "prod"}
    preflight = invoke(run_cli, api, "/health", "-X", "OPTIONS")
    headers = preflight["response"]["headers"]
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert headers["Access-Control-Allow-Methods"] == "GET,OPTIONS"


def test_passthrough_never_is_415(run_cli: Run, api: Path) -> None:
    doc = invoke(
        run_cli,
        api,
        "/strict",
        "-X",
        "POST",
        "--header",
        "Content-Type: text/xml",
        "--body",
        "<a/>",
    )
    assert doc["response"]["statusCode"] == 415
    assert json.loads(doc["response"]["body"]) == {"message": "Unsupported Media Type"}


def test_non_loopback_backend_is_refused_with_a_reason(
    run_cli: Run, api: Path, backend: int
) -> None:
    table = api_table(backend)
    table["routes"][2]["integration"]["uri"] = "http://example.com/{proxy}"
    api.write_text(json.dumps(table))
    result = run_cli("invoke", "--api", str(api), "--path", "/httpproxy/x", "--json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["response"]["statusCode"] == 500
    assert "only calls HTTP backends on this machine" in doc["explanations"][0]


@pytest.mark.slow
def test_serve_answers_all_five_types(api: Path, course_home: Path) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "course_cli", "serve", "--api", str(api), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=course_subprocess_env(course_home),
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        answers = {}
        for method, target in [
            ("GET", "/proxy/123?include=orders"),
            ("GET", "/custom/123?include=orders"),
            ("GET", "/custom/p2"),
            ("GET", "/httpproxy/a?x=1"),
            ("GET", "/http/123"),
            ("GET", "/health"),
            ("OPTIONS", "/health"),
        ]:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request(method, target)
            response = connection.getresponse()
            answers[(method, target)] = (response.status, response.read(), response.headers)
            connection.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
        assert process.stdout is not None
        process.stdout.close()
    assert json.loads(answers[("GET", "/proxy/123?include=orders")][1])["user"] == "123"
    assert json.loads(answers[("GET", "/custom/123?include=orders")][1])["include"] == "orders"
    assert answers[("GET", "/custom/p2")][0] == 404
    assert json.loads(answers[("GET", "/httpproxy/a?x=1")][1])["path"] == "/a?x=1"
    assert answers[("GET", "/http/123")][0] == 200
    assert json.loads(answers[("GET", "/health")][1]) == {"status": "ok", "stage": "prod"}
    options = answers[("OPTIONS", "/health")]
    assert options[2]["Access-Control-Allow-Origin"] == "*"
