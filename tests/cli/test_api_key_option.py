"""`--api-key` on `course invoke` and `course serve`: with a HANDLER every route requires a
key; with a route table, the routes marked `apiKeyRequired` take these keys too."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult

Run = Callable[..., CliResult]
APP = """
def handler(event, context):
    identity = event["requestContext"]["identity"]
    return {"statusCode": 200, "body": str(identity.get("apiKey"))}
"""


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(APP)
    return tmp_path / "app.py"


def _status_and_body(result: CliResult) -> tuple[int, str]:
    response = json.loads(result.stdout)["response"]
    return response["statusCode"], response["body"]


def test_a_handler_with_api_key_requires_it(run_cli: Run, app: Path) -> None:
    without = run_cli("invoke", "app.py", "--api-key", "k-123", "--json")
    assert _status_and_body(without) == (403, '{"message":"Forbidden"}')
    wrong = run_cli("invoke", "app.py", "--api-key", "k-123", "-H", "x-api-key: nope", "--json")
    assert _status_and_body(wrong)[0] == 403
    right = run_cli(
        "invoke",
        "app.py",
        "--api-key",
        "k-000",
        "--api-key",
        "k-123",
        "-H",
        "x-api-key: k-123",
        "--json",
    )
    assert _status_and_body(right) == (200, "k-123")


def test_without_api_key_nothing_is_required(run_cli: Run, app: Path) -> None:
    assert _status_and_body(run_cli("invoke", "app.py", "--json")) == (200, "None")


def test_route_table_keys_and_option_keys_both_count(run_cli: Run, app: Path) -> None:
    table = {
        "functions": {"app": {"handler": "app.py"}},
        "apiKeys": ["from-the-table"],
        "routes": [
            {
                "resource": "/keyed",
                "method": "GET",
                "apiKeyRequired": True,
                "integration": {"function": "app"},
            },
            {"resource": "/open", "method": "GET", "integration": {"function": "app"}},
        ],
    }
    (app.parent / "api.json").write_text(json.dumps(table))

    def call(path: str, key: str | None) -> tuple[int, str]:
        header = ("-H", f"x-api-key: {key}") if key else ()
        args = ("--api", "api.json", "--api-key", "from-the-option", "--path", path)
        return _status_and_body(run_cli("invoke", *args, *header, "--json"))

    assert call("/keyed", "from-the-table") == (200, "from-the-table")
    assert call("/keyed", "from-the-option") == (200, "from-the-option")
    assert call("/keyed", None)[0] == 403
    assert call("/open", None) == (200, "None")  # only marked routes ask for a key


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--api-key", ""), "--api-key[0]: an API key is a non-empty string"),
        (("--api-key", "k", "--payload", "2.0"), "an HTTP API (--payload 2.0) has no API keys"),
    ],
)
def test_bad_api_key_options(run_cli: Run, app: Path, args: tuple[str, ...], message: str) -> None:
    result = run_cli("invoke", "app.py", *args)
    assert result.exit_code == 2
    assert message in result.stderr
