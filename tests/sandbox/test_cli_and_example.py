"""`course sandbox ...`, `course serve --sandbox` usage errors, and the topic-5 live example."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from course_cli.sandbox.table_diff import diff_items


def course(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "course_cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


@pytest.mark.slow
def test_serve_sandbox_port_in_use_is_one_line_exit_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = course("serve", "--sandbox", "--crud", "--port", port, tmp_path=tmp_path)
    assert result.returncode == 2
    assert f"port {port} is in use" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("serve", "--crud"), 2, "--crud goes with --sandbox"),
        (("serve", "--sandbox"), 1, "no sandbox is running here"),
        (("sandbox", "deploy"), 2, "say what to deploy"),
        (("sandbox", "deploy", "--crud"), 1, "course sandbox up"),
        (("sandbox", "up", "--port", "70000"), 2, "--port must be between"),
    ],
)
def test_usage_errors(args: tuple[str, ...], code: int, words: str, tmp_path: Path) -> None:
    result = course(*args, tmp_path=tmp_path)
    assert result.returncode == code, result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stderr


def test_diff_items() -> None:
    before = [{"id": "a", "name": "lamp", "price": 1}, {"id": "b", "name": "desk"}]
    after = [{"id": "a", "name": "lamp", "price": 2}, {"id": "c", "name": "pen"}]
    changes = {change.key: change for change in diff_items(before, after)}
    assert changes["a"].kind == "changed" and changes["a"].attributes == {"price": (1, 2)}
    assert changes["b"].kind == "removed" and changes["c"].kind == "added"
    assert diff_items(after, after) == []


@pytest.mark.slow
def test_crud_walkthrough_example_shows_each_change() -> None:
    from course_cli.ui.console import recording_console
    from course_cli.ui.examples import available_examples, run_example

    assert "crud-walkthrough" in available_examples()
    console = recording_console(width=200)
    console.print(run_example("crud-walkthrough"))
    text = console.export_text()
    assert "POST /products → 201" in text and "added item" in text
    assert "~ name: 'lamp' → 'desk lamp'" in text
    assert "→ 204" in text and "removed item" in text
    assert "→ 404" in text and "POST /products → 400" in text
    assert "→ 502" not in text
