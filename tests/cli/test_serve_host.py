"""`course serve --host` listens beyond loopback when asked, saying so in one warning line;
loopback stays the default. `-p` is `--port`, as in `sam local start-api`; `--api-key`
guards every route of a served handler."""

from __future__ import annotations

import signal
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import PYTHON, CliResult, course_subprocess_env

Run = Callable[..., CliResult]
APP = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'hi'}\n"


def _serve(
    tmp_path: Path, home: Path, *args: str, headers: dict[str, str] | None = None
) -> tuple[str, str, int]:
    """Start `course serve app.py ARGS`, read up to its ready line, ask it once (with
    `headers`), stop it: (stdout so far, stderr, the status of GET /prod/)."""
    (tmp_path / "app.py").write_text(APP)
    process = subprocess.Popen(
        [PYTHON, "-m", "course_cli", "serve", "app.py", *args],
        cwd=tmp_path,
        env=course_subprocess_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    shown = ""
    try:
        for line in process.stdout:
            shown += line
            if "Ctrl-C stops" in line:
                break
        port = int(shown.split(" at http://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
        request = urllib.request.Request(f"http://127.0.0.1:{port}/prod/", headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                status = answer.status
        except urllib.error.HTTPError as refused:
            status = refused.code
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    return shown, stderr, status


@pytest.mark.slow
def test_loopback_by_default_without_a_warning(tmp_path: Path, course_home: Path) -> None:
    shown, stderr, status = _serve(tmp_path, course_home, "-p", "0")
    assert "at http://127.0.0.1:" in shown and status == 200
    assert "warning" not in stderr


@pytest.mark.slow
def test_all_interfaces_with_one_warning(tmp_path: Path, course_home: Path) -> None:
    shown, stderr, status = _serve(tmp_path, course_home, "--port", "0", "--host", "0.0.0.0")
    assert "at http://0.0.0.0:" in shown and status == 200
    warnings = [line for line in stderr.splitlines() if "0.0.0.0" in line]
    assert len(warnings) == 1 and "network you trust" in warnings[0], stderr


@pytest.mark.slow
def test_api_key_is_required_over_http(tmp_path: Path, course_home: Path) -> None:
    *_, refused = _serve(tmp_path, course_home, "-p", "0", "--api-key", "k-1")
    *_, allowed = _serve(
        tmp_path, course_home, "-p", "0", "--api-key", "k-1", headers={"x-api-key": "k-1"}
    )
    assert (refused, allowed) == (403, 200)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--host", "example.com"), "--host 'example.com' is not an IP address"),
        (("--host", ""), "--host is empty"),
        (("-p", "70000"), "--port must be between 0 and 65535"),
    ],
)
def test_bad_host_or_port_is_one_line(
    run_cli: Run, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    (tmp_path / "app.py").write_text(APP)
    result = run_cli("serve", str(tmp_path / "app.py"), *args)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr
