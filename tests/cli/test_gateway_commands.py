"""`course event`, `course invoke` and `course serve` as a learner uses them."""

from __future__ import annotations

import http.client
import json
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import CliResult, course_subprocess_env

Run = Callable[..., CliResult]

GOOD = """
import json

def handler(event, context):
    params = event.get("queryStringParameters") or {}
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"user": (event.get("pathParameters") or {}).get("userId"),
                            "include": params.get("include"), "method": event["httpMethod"]}),
    }
"""

DICT_BODY = """
def handler(event, context):
    return {"statusCode": 200, "body": {"id": 1}}
"""

PRINTS_AND_DICT_BODY = """
print("reloaded")

def handler(event, context):
    print("path was", event["path"])
    return {"statusCode": 200, "body": {"id": 1}}
"""


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "good.py"
    path.write_text(GOOD)
    return path


def test_event_prints_the_v1_event(run_cli: Run) -> None:
    result = run_cli(
        "event",
        "--method",
        "GET",
        "--path",
        "/users/123",
        "--resource",
        "/users/{userId}",
        "--query",
        "include=orders",
        "--header",
        "Accept: application/json",
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    event = json.loads(result.stdout)
    assert list(event) == [
        "resource",
        "path",
        "httpMethod",
        "headers",
        "multiValueHeaders",
        "queryStringParameters",
        "multiValueQueryStringParameters",
        "pathParameters",
        "stageVariables",
        "requestContext",
        "body",
        "isBase64Encoded",
    ]
    assert event["resource"] == "/users/{userId}" and event["path"] == "/users/123"
    assert event["pathParameters"] == {"userId": "123"}
    assert event["queryStringParameters"] == {"include": "orders"}
    assert event["headers"]["Accept"] == "application/json"
    assert event["requestContext"]["path"] == "/prod/users/123"
    assert event["body"] is None and event["stageVariables"] is None


def test_event_without_query_has_null_maps_and_stage_option(run_cli: Run) -> None:
    event = json.loads(run_cli("event", "--path", "/x", "--stage", "dev", "--json").stdout)
    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None
    assert event["pathParameters"] is None
    assert event["requestContext"]["stage"] == "dev"
    assert event["requestContext"]["path"] == "/dev/x"


def test_event_repeated_query_keys(run_cli: Run) -> None:
    event = json.loads(
        run_cli("event", "--path", "/p", "-q", "tag=red", "-q", "tag=blue", "--json").stdout
    )
    assert event["queryStringParameters"] == {"tag": "blue"}
    assert event["multiValueQueryStringParameters"] == {"tag": ["red", "blue"]}


def test_event_explain_annotates_every_field(run_cli: Run) -> None:
    result = run_cli("event", "--path", "/x", "--explain", "--json")
    doc = json.loads(result.stdout)
    fields = {note["field"] for note in doc["explain"]}
    assert set(doc["event"]) <= fields | {"requestContext"}
    why_null = next(n for n in doc["explain"] if n["field"] == "queryStringParameters")
    assert why_null["value"] is None and "query" in why_null["explanation"].lower()
    text = run_cli("event", "--path", "/x", "--explain")
    assert text.exit_code == 0 and "where it comes from" in text.stdout


def test_event_path_not_matching_resource_is_a_403(run_cli: Run) -> None:
    result = run_cli("event", "--path", "/users", "--resource", "/orders/{id}", "--json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["response"]["statusCode"] == 403
    assert json.loads(doc["response"]["body"]) == {"message": "Missing Authentication Token"}


def test_invoke_success_exit_0_with_the_json_shape(run_cli: Run, good: Path) -> None:
    result = run_cli(
        "invoke",
        str(good),
        "--path",
        "/users/7",
        "--resource",
        "/users/{userId}",
        "-q",
        "include=orders",
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert set(doc) >= {"event", "result", "response", "log", "problems"}
    assert doc["response"]["statusCode"] == 200
    assert json.loads(doc["response"]["body"]) == {
        "user": "7",
        "include": "orders",
        "method": "GET",
    }
    assert doc["problems"] == []
    assert any("Successfully completed execution" in line for line in doc["log"])
    assert doc["log"][-1].endswith("Method completed with status: 200")
    # The function's own log: its cold start (the command loads it first), as CloudWatch.
    function_log = doc["functionLog"]
    assert function_log[0].startswith("START RequestId: ")
    assert function_log[-2].startswith("END RequestId: ")
    assert function_log[-1].startswith("REPORT RequestId: ") and "Init Duration" in function_log[-1]


def test_invoke_shows_what_the_function_printed(run_cli: Run, tmp_path: Path) -> None:
    handler = tmp_path / "prints.py"
    handler.write_text(PRINTS_AND_DICT_BODY)
    doc = json.loads(run_cli("invoke", str(handler), "--path", "/p", "--json").stdout)
    lines = doc["functionLog"]
    assert lines[0] == "reloaded"  # the module's top level, before START
    assert lines[1].startswith("START RequestId: ") and lines[2] == "path was /p"
    shown = run_cli("invoke", str(handler), "--path", "/p").stdout
    assert "Function log (as CloudWatch shows it)" in shown and "path was /p" in shown


def test_invoke_dict_body_is_502_with_a_named_problem(run_cli: Run, tmp_path: Path) -> None:
    handler = tmp_path / "broken.py"
    handler.write_text(DICT_BODY)
    result = run_cli("invoke", str(handler), "--path", "/items", "--json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["response"]["statusCode"] == 502
    assert json.loads(doc["response"]["body"]) == {"message": "Internal server error"}
    assert doc["problems"][0]["field"] == "body"
    assert doc["problems"][0]["got"] == "dict"
    assert any("Malformed Lambda proxy response" in line for line in doc["log"])
    pretty = run_cli("invoke", str(handler), "--path", "/items")
    assert pretty.exit_code == 1
    assert "Why 502" in pretty.stdout and "body" in pretty.stdout


def test_invoke_named_function_and_method(run_cli: Run, tmp_path: Path) -> None:
    handler = tmp_path / "app.py"
    handler.write_text(
        "def other(event, context):\n"
        "    text = event['httpMethod'] + ' ' + (event['body'] or '')\n"
        "    return {'statusCode': 201, 'body': text}\n"
    )
    result = run_cli(
        "invoke", f"{handler}:other", "-X", "post", "--path", "/a", "-d", "hi", "--json"
    )
    assert result.exit_code == 0, result.stderr
    response = json.loads(result.stdout)["response"]
    assert (response["statusCode"], response["body"]) == (201, "POST hi")


@pytest.mark.slow
def test_invoke_timeout_option(run_cli: Run, tmp_path: Path) -> None:
    handler = tmp_path / "slow.py"
    handler.write_text("import time\ndef handler(event, context):\n    time.sleep(5)\n")
    started = time.monotonic()
    result = run_cli("invoke", str(handler), "--timeout", "0.3", "--json")
    assert time.monotonic() - started < 3
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["response"]["statusCode"] == 502
    assert "Task timed out" in json.dumps(doc["result"])


def test_invoke_with_a_route_table(run_cli: Run, tmp_path: Path, good: Path) -> None:
    table = tmp_path / "api.json"
    table.write_text(
        json.dumps(
            {
                "name": "users",
                "functions": {"users": {"handler": "good.py"}},
                "routes": [
                    {
                        "resource": "/users/{userId}",
                        "method": "GET",
                        "integration": {"type": "AWS_PROXY", "function": "users"},
                    }
                ],
            }
        )
    )
    ok = json.loads(run_cli("invoke", "--api", str(table), "--path", "/users/9", "--json").stdout)
    assert json.loads(ok["response"]["body"])["user"] == "9"
    missing = run_cli("invoke", "--api", str(table), "-X", "DELETE", "--path", "/users/9", "--json")
    assert missing.exit_code == 0  # 403 is below 500: the request "worked", AWS said no
    assert json.loads(missing.stdout)["response"]["statusCode"] == 403


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("invoke", "{dir}/nope.py"), "nope.py"),
        (("invoke", "{dir}/syntax.py"), "line 2"),
        (("invoke", "{dir}/good.py:missing"), "missing"),
        (("invoke", "{dir}/good.py", "--header", "NoColon"), "malformed --header 'NoColon'"),
        (("invoke", "{dir}/good.py", "--query", "novalue"), "malformed --query 'novalue'"),
        (("invoke", "{dir}/good.py", "--method", "FETCH"), "unknown HTTP method 'FETCH'"),
        (("invoke", "{dir}/good.py", "--path", "users"), "--path must start with '/'"),
        (("invoke",), "give either a HANDLER file or --api"),
        (("event", "--header", ": empty"), "malformed --header"),
        (("invoke", "--api", "{dir}/bad.json"), "bad.json"),
        (("invoke", "--api", "{dir}/bad.json", "--timeout", "5"), "--timeout goes with a HANDLER"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    run_cli: Run, tmp_path: Path, good: Path, args: tuple[str, ...], message: str
) -> None:
    (tmp_path / "syntax.py").write_text("def handler(event, context):\n    return {\n")
    (tmp_path / "bad.json").write_text('{"routes": [{"resource": "/x", "method": "FETCH"}]}')
    result = run_cli(*(a.format(dir=tmp_path) for a in args))
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert "Traceback" not in result.stderr


# --- course serve: a real server in a subprocess, a real HTTP client --------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path, course_home: Path) -> Iterator[tuple[int, Path, subprocess.Popen[str]]]:
    handler = tmp_path / "app.py"
    handler.write_text(GOOD)
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "course_cli",
            "serve",
            str(handler),
            "--resource",
            "/users/{userId}",
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=course_subprocess_env(course_home),
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    else:  # pragma: no cover - diagnostic
        process.kill()
        pytest.fail(f"server did not start: {process.communicate()[0]}")
    yield port, handler, process
    process.terminate()
    process.wait(timeout=10)
    assert process.stdout is not None
    process.stdout.close()


def _get(port: int, target: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, target)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.mark.slow
def test_serve_routes_reloads_and_answers_like_aws(
    served: tuple[int, Path, subprocess.Popen[str]],
) -> None:
    port, handler, process = served
    status, headers, body = _get(port, "/users/42?include=orders")
    assert status == 200 and json.loads(body) == {
        "user": "42",
        "include": "orders",
        "method": "GET",
    }
    assert "x-amzn-RequestId" in headers
    # The stage prefix is accepted as on AWS.
    assert json.loads(_get(port, "/prod/users/5")[2])["user"] == "5"
    # Unknown path: AWS's 403.
    status, _, body = _get(port, "/nothing/here")
    assert status == 403 and json.loads(body) == {"message": "Missing Authentication Token"}
    # Edit the handler: the next request runs the new code and answers 502 (dict body).
    time.sleep(0.01)
    handler.write_text(PRINTS_AND_DICT_BODY)
    status, headers, body = _get(port, "/users/1")
    assert status == 502 and json.loads(body) == {"message": "Internal server error"}
    assert headers.get("x-amzn-ErrorType") == "InternalServerErrorException"
    process.terminate()
    output = process.communicate(timeout=10)[0]
    assert "Serving" in output
    assert re.search(r"GET /users/42\?include=orders 200 [\d.]+ ms", output)
    # What the function printed (and its module, on the reload's cold start) follows its line.
    assert re.search(r"GET /users/1 502 [\d.]+ ms\n  \| reloaded\n  \| path was /users/1\n", output)
    # Then why the client got a 502, in plain words; and why the unknown path got a 403.
    assert "path was /users/1\n  why: API Gateway answered 502 because" in output
    assert re.search(r"GET /nothing/here 403 [\d.]+ ms\n  why: No resource", output)


@pytest.mark.slow
def test_serve_port_in_use_is_a_clear_error(tmp_path: Path, course_home: Path, good: Path) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "course_cli", "serve", str(good), "--port", str(port)],
            capture_output=True,
            text=True,
            env=course_subprocess_env(course_home),
            timeout=30,
        )
    assert result.returncode == 2
    assert f"port {port} is in use" in result.stderr
    assert "Traceback" not in result.stderr
