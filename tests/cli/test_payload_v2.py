"""`course event|invoke|serve --payload 2.0`: an HTTP API's event and answers, as a learner
sees them."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult, course_subprocess_env

Run = Callable[..., CliResult]

APP = """
def handler(event, context):
    if event["rawPath"] == "/boom":
        raise ValueError("boom")
    if event["rawPath"] == "/dict-body":
        return {"statusCode": 200, "body": {"id": 1}}
    return {"route": event["routeKey"], "id": (event.get("pathParameters") or {}).get("id"),
            "cookies": event.get("cookies", [])}
"""


def test_event_payload_2_prints_the_http_api_event(run_cli: Run) -> None:
    result = run_cli(
        "event", "--payload", "2.0", "--path", "/items/7", "-r", "/items/{id}",
        "-q", "tag=a", "-q", "tag=b", "-H", "Cookie: a=1; b=2", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    event = json.loads(result.stdout)
    assert event["version"] == "2.0" and event["routeKey"] == "GET /items/{id}"
    assert event["queryStringParameters"] == {"tag": "a,b"}
    assert event["cookies"] == ["a=1", "b=2"] and "cookie" not in event["headers"]
    assert event["pathParameters"] == {"id": "7"}
    assert event["requestContext"]["stage"] == "$default"
    assert "body" not in event and "multiValueHeaders" not in event


def test_event_payload_2_without_resource_is_the_default_route(run_cli: Run) -> None:
    event = json.loads(run_cli("event", "--payload", "2.0", "--path", "/x", "--json").stdout)
    assert event["routeKey"] == "$default" and "pathParameters" not in event


def test_event_payload_1_stays_the_default(run_cli: Run) -> None:
    event = json.loads(run_cli("event", "--path", "/x", "--json").stdout)
    assert event["httpMethod"] == "GET" and "version" not in event


def test_event_explain_payload_2(run_cli: Run) -> None:
    doc = json.loads(run_cli("event", "--payload", "2.0", "--explain", "--json").stdout)
    notes = {note["field"]: note for note in doc["explain"]}
    assert set(doc["event"]) <= set(notes)
    assert "absent" in notes["queryStringParameters"]["explanation"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--payload", "3.0"), "not a payload format version"),
        (("--payload", "2.0", "--stage", "dev"), "$default stage"),
    ],
)
def test_bad_payload_options_are_usage_errors(
    run_cli: Run, args: tuple[str, ...], message: str
) -> None:
    result = run_cli("event", *args)
    assert result.exit_code == 2 and message in result.stderr


def test_invoke_payload_2_infers_the_response(run_cli: Run, tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    app.write_text(APP)
    result = run_cli("invoke", str(app), "--payload", "2.0", "--path", "/items/3", "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["response"]["statusCode"] == 200
    assert json.loads(doc["response"]["body"])["route"] == "$default"
    assert "no statusCode" in doc["explanations"][0]


def test_invoke_payload_2_dict_body_is_500_and_explained(run_cli: Run, tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    app.write_text(APP)
    result = run_cli("invoke", str(app), "--payload", "2.0", "--path", "/dict-body", "--json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["response"]["statusCode"] == 500
    assert doc["response"]["body"] == '{"message":"Internal Server Error"}'
    assert [problem["field"] for problem in doc["problems"]] == ["body"]
    assert "502" in doc["explanations"][-1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _request(
    port: int, method: str, target: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, target, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.mark.slow
def test_serve_payload_2_over_http(tmp_path: Path, course_home: Path) -> None:
    app = tmp_path / "app.py"
    app.write_text(APP)
    port = _free_port()
    command = [sys.executable, "-m", "course_cli", "serve", str(app), "--payload", "2.0"]
    process = subprocess.Popen(
        [*command, "-r", "/items/{id}", "--port", str(port)],
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
        status, headers, body = _request(port, "GET", "/items/42", {"Cookie": "s=1; t=2"})
        assert status == 200 and "apigw-requestid" in headers
        assert headers["Content-Type"] == "application/json"
        assert json.loads(body) == {
            "route": "ANY /items/{id}",
            "id": "42",
            "cookies": ["s=1", "t=2"],
        }
        # No stage prefix on the $default stage: /prod/items/1 is just another path.
        status, _, body = _request(port, "GET", "/prod/items/1")
        assert status == 404 and body == b'{"message":"Not Found"}'
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0]
    assert "Serving" in output and "ANY /items/{id}" in output
    assert "GET /prod/items/1 404" in output
