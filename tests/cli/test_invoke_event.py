"""`course invoke FILE -e event.json`: the event straight to the function, as `sam local
invoke -e` sends it; `course event > event.json` writes one that round-trips."""

from __future__ import annotations

import io
import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import PYTHON, CliResult, course_subprocess_env

Run = Callable[..., CliResult]

ECHO = """
def lambda_handler(event, context):
    print("got", event.get("path"))
    return {"statusCode": 200, "body": event.get("path") or "no path", "seen": event}
"""
FAILS = "def handler(event, context):\n    raise ValueError('bad event')\n"


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(ECHO)
    return tmp_path / "app.py"


def test_course_event_output_round_trips(run_cli: Run, app: Path) -> None:
    written = run_cli("event", "--method", "GET", "--path", "/users/1")  # stdout: not a tty
    assert written.exit_code == 0, written.stderr
    (app.parent / "e.json").write_text(written.stdout)
    result = run_cli("invoke", "app.py:lambda_handler", "-e", "e.json", "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["outcome"] == "ok"
    assert document["result"]["body"] == "/users/1"
    assert document["result"]["seen"] == json.loads(written.stdout)  # the event as written
    assert "got /users/1" in document["functionLog"]
    assert document["functionLog"][0].startswith("START RequestId: ")


def test_module_function_form_and_any_json_event(run_cli: Run, app: Path) -> None:
    (app.parent / "e.json").write_text('{"path": "/raw", "custom": [1, 2]}')
    result = run_cli("invoke", "app.lambda_handler", "--event", "e.json", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["result"]["seen"] == {"path": "/raw", "custom": [1, 2]}


def test_the_view_shows_the_result_and_the_log(run_cli: Run, app: Path) -> None:
    (app.parent / "e.json").write_text('{"path": "/shown"}')
    result = run_cli("invoke", "app.lambda_handler", "-e", "e.json")
    assert result.exit_code == 0, result.stderr
    assert "What the function returned" in result.stdout and '"/shown"' in result.stdout
    assert "Function log" in result.stdout and "got /shown" in result.stdout


def test_event_from_standard_input(
    run_cli: Run, app: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO('{"path": "/from-stdin"}'))
    result = run_cli("invoke", "app.py:lambda_handler", "-e", "-", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["result"]["body"] == "/from-stdin"


def test_a_failing_function_exits_1_with_its_error(run_cli: Run, tmp_path: Path) -> None:
    (tmp_path / "fails.py").write_text(FAILS)
    (tmp_path / "e.json").write_text("{}")
    result = run_cli("invoke", str(tmp_path / "fails.py"), "-e", str(tmp_path / "e.json"), "--json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["outcome"] == "error"
    assert document["result"]["errorType"] == "ValueError"


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("not json", (), "is not JSON (line 1"),
        (None, (), "no such file"),
        ("{}", ("--path", "/x"), "--path would be ignored"),
        ("{}", ("--header", "A: b", "--api-key", "k"), "--header, --api-key would be ignored"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    run_cli: Run, app: Path, content: str | None, args: tuple[str, ...], message: str
) -> None:
    if content is not None:
        (app.parent / "e.json").write_text(content)
    result = run_cli("invoke", "app.py", "-e", "e.json", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr


@pytest.mark.slow
def test_shell_redirect_round_trip(tmp_path: Path, course_home: Path) -> None:
    # The issue's own command line, in a real shell.
    (tmp_path / "h.py").write_text(ECHO.replace("lambda_handler", "handler"))
    course = f"{PYTHON} -m course_cli"
    result = subprocess.run(
        f"{course} event --method GET --path /users/1 > e.json && {course} invoke h.py -e e.json",
        shell=True,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=course_subprocess_env(course_home),
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "e.json").read_text())["path"] == "/users/1"
    assert "got /users/1" in result.stdout
