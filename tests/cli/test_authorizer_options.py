"""`--authorizer` on `course invoke` and `course serve`: a Lambda authorizer in front of a
handler, the same answers as the gateway's case table (`tests/gateway/cases/authorizers.json`),
and over real HTTP with `course serve`."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import PYTHON, CliResult, course_subprocess_env

Run = Callable[..., CliResult]

AUTHORIZER = """
def handler(event, context):
    token = event.get("authorizationToken") or (event.get("headers") or {}).get("Authorization")
    if token == "nobody":
        raise Exception("Unauthorized")
    if token == "broken":
        return None
    effect = "Allow" if token.startswith("allow") else "Deny"
    return {
        "principalId": "user-1",
        "policyDocument": {"Version": "2012-10-17", "Statement": [
            {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}]},
        "context": {"role": "reader", "level": 3},
    }
"""
APP = """
import json

def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event["requestContext"].get("authorizer"))}
"""


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "auth.py").write_text(AUTHORIZER)
    (tmp_path / "app.py").write_text(APP)
    return tmp_path


def _invoke(run_cli: Run, files: Path, *args: str) -> tuple[CliResult, dict]:
    result = run_cli(
        "invoke",
        str(files / "app.py"),
        "--path",
        "/items/1",
        "--authorizer",
        str(files / "auth.py"),
        "--json",
        *args,
    )
    return result, json.loads(result.stdout) if result.stdout.startswith("{") else {}


def test_an_allowed_request_reaches_the_handler_with_the_authorizer_context(
    run_cli: Run, files: Path
) -> None:
    result, document = _invoke(run_cli, files, "-H", "Authorization: allow")
    assert result.exit_code == 0, result.stderr
    assert document["response"]["statusCode"] == 200
    assert json.loads(document["response"]["body"]) == {
        "role": "reader",
        "level": "3",
        "principalId": "user-1",
        "integrationLatency": document["event"]["requestContext"]["authorizer"][
            "integrationLatency"
        ],
    }
    log = "\n".join(document["log"])
    assert "Starting authorizer: " in log and "Successfully completed authorizer execution" in log


@pytest.mark.parametrize(
    ("args", "status", "body"),
    [
        ((), 401, {"message": "Unauthorized"}),
        (("-H", "Authorization: nobody"), 401, {"message": "Unauthorized"}),
        (
            ("-H", "Authorization: deny"),
            403,
            {"Message": "User is not authorized to access this resource with an explicit deny"},
        ),
        (("-H", "Authorization: broken"), 500, {"message": None}),
    ],
)
def test_refusals(
    run_cli: Run, files: Path, args: tuple[str, ...], status: int, body: dict
) -> None:
    result, document = _invoke(run_cli, files, *args)
    assert result.exit_code == (1 if status >= 500 else 0), result.stderr
    assert document["response"]["statusCode"] == status
    assert json.loads(document["response"]["body"]) == body
    assert document["event"] is None  # the integration was never called


def test_a_request_authorizer_reads_the_query(run_cli: Run, files: Path) -> None:
    (files / "auth.py").write_text(
        AUTHORIZER.replace(
            'token = event.get("authorizationToken")',
            'token = event["queryStringParameters"]["key"]',
        )
    )
    args = ("--authorizer-type", "request", "--identity-source", "method.request.querystring.key")
    result, document = _invoke(run_cli, files, *args, "--query", "key=allow")
    assert result.exit_code == 0, result.stderr
    assert document["response"]["statusCode"] == 200
    result, document = _invoke(run_cli, files, *args)
    assert document["response"]["statusCode"] == 401


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("--authorizer-type", "jwt"), "--authorizer-type 'jwt' is not a Lambda authorizer type"),
        (("--authorizer-ttl", "4000"), "0 to 3600"),
        (("--identity-source", "method.request.path.id"), "not an identity source"),
    ],
)
def test_bad_authorizer_options(
    run_cli: Run, files: Path, args: tuple[str, ...], error: str
) -> None:
    result, _ = _invoke(run_cli, files, *args)
    assert result.exit_code == 2
    assert error in result.stderr


SIMPLE_AUTHORIZER = """
def handler(event, context):
    token = event["identitySource"][0]
    if token == "broken":
        return {"principalId": "u", "policyDocument": {}}
    return {"isAuthorized": token == "allow", "context": {"role": "reader", "level": 3}}
"""


@pytest.mark.parametrize(
    ("header", "status", "body"),
    [
        ("allow", 200, {"lambda": {"role": "reader", "level": 3}}),
        ("deny", 403, {"message": "Forbidden"}),
        ("broken", 500, {"message": "Internal Server Error"}),
        (None, 401, {"message": "Unauthorized"}),
    ],
)
def test_an_http_api_authorizer_answers_with_simple_responses(
    run_cli: Run, files: Path, header: str | None, status: int, body: dict
) -> None:
    (files / "auth.py").write_text(SIMPLE_AUTHORIZER)
    headers = ("-H", f"Authorization: {header}") if header else ()
    result, document = _invoke(run_cli, files, "--payload", "2.0", *headers)
    assert result.exit_code == (1 if status >= 500 else 0), result.stderr
    assert document["response"]["statusCode"] == status
    assert json.loads(document["response"]["body"]) == body


def test_an_http_api_has_no_token_authorizers(run_cli: Run, files: Path) -> None:
    result, _ = _invoke(run_cli, files, "--payload", "2.0", "--authorizer-type", "token")
    assert result.exit_code == 2
    assert "an HTTP API (--payload 2.0) has no TOKEN authorizers" in result.stderr


def test_authorizer_options_need_an_authorizer(run_cli: Run, files: Path) -> None:
    result = run_cli("invoke", str(files / "app.py"), "--authorizer-ttl", "0")
    assert result.exit_code == 2
    assert "give --authorizer AUTH.py too" in result.stderr


def test_a_route_table_names_its_own_authorizers(run_cli: Run, files: Path) -> None:
    table = {
        "functions": {"app": {"handler": "app.py"}, "auth": {"handler": "auth.py"}},
        "routes": [
            {
                "resource": "/items/{id}",
                "method": "GET",
                "integration": {"function": "app"},
                "authorizer": {"function": "auth", "authorizerResultTtlInSeconds": 0},
            }
        ],
    }
    (files / "api.json").write_text(json.dumps(table))
    api = str(files / "api.json")
    ok = run_cli(
        "invoke", "--api", api, "--path", "/items/1", "-H", "Authorization: allow", "--json"
    )
    assert json.loads(ok.stdout)["response"]["statusCode"] == 200, ok.stderr
    denied = run_cli("invoke", "--api", api, "--path", "/items/1", "--json")
    assert json.loads(denied.stdout)["response"]["statusCode"] == 401
    both = run_cli("invoke", "--api", api, "--authorizer", str(files / "auth.py"))
    assert both.exit_code == 2 and "names its authorizers itself" in both.stderr


@pytest.fixture
def served(files: Path, course_home: Path) -> Iterator[str]:
    process = subprocess.Popen(
        [PYTHON, "-m", "course_cli", "serve", "app.py", "--authorizer", "auth.py", "--port", "0"],
        cwd=files,
        env=course_subprocess_env(course_home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    try:
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if "Ctrl-C stops" in line:
                break
        else:
            pytest.fail(f"course serve ended: {lines} {process.stderr.read()}")  # type: ignore[union-attr]
        url = re.search(r"http://127\.0\.0\.1:\d+", "\n".join(lines))
        assert url, lines
        yield url[0]
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def _get(url: str, method: str = "GET", token: str | None = None) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, method=method)
    if token is not None:
        request.add_header("Authorization", token)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.mark.slow
def test_course_serve_with_an_authorizer_over_http(served: str) -> None:
    status, _, body = _get(f"{served}/prod/items/1", token="allow-1")
    assert status == 200 and json.loads(body)["principalId"] == "user-1"
    status, headers, body = _get(f"{served}/prod/items/1")
    assert (status, body) == (401, '{"message":"Unauthorized"}')
    assert headers["x-amzn-ErrorType"] == "UnauthorizedException"
    status, headers, body = _get(f"{served}/prod/items/1", token="deny")
    assert status == 403 and headers["x-amzn-ErrorType"] == "AccessDeniedException"
    # The classic trap: the policy cached for GET /items/1 does not cover POST /items.
    status, _, body = _get(f"{served}/prod/items", method="POST", token="allow-1")
    assert (status, body) == (403, '{"Message":"User is not authorized to access this resource"}')
    status, _, _ = _get(f"{served}/prod/items", method="POST", token="allow-2")
    assert status == 200  # another token: another cache entry, a fresh policy
