"""`--debug` (`--no-timeout`): a handler stops at `breakpoint()` in pdb, on the terminal, for
as long as the learner likes; `c` continues and the answer comes back. Pseudo-terminals."""

from __future__ import annotations

import re
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pexpect
import pytest

from tests.conftest import course_subprocess_env

PAUSES = """
def handler(event, context):
    answer = 41
    breakpoint()
    print("after the pause")
    return {"statusCode": 200, "body": str(answer + 1)}
"""
PROMPT = r"\(Pdb\) "


def _spawn(tmp_path: Path, course_home: Path, *args: str) -> pexpect.spawn:
    (tmp_path / "pauses.py").write_text(PAUSES)
    env = course_subprocess_env(course_home)
    env.pop("PYTHONBREAKPOINT", None)
    return pexpect.spawn(
        sys.executable,
        ["-m", "course_cli", *args],
        cwd=str(tmp_path),
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(50, 160),
    )


def _debug_and_continue(child: pexpect.spawn, timeout_s: float) -> None:
    """At the pdb prompt: look at a variable, wait past the function's timeout, continue."""
    child.expect(PROMPT)
    assert "pauses.py" in child.before
    child.sendline("p answer")
    child.expect(PROMPT)
    assert "41" in child.before
    time.sleep(timeout_s + 0.5)  # longer than the function may run: nothing stops it
    child.sendline("c")


@pytest.mark.slow
def test_invoke_debug_stops_at_pdb_and_continues_to_200(tmp_path: Path, course_home: Path) -> None:
    child = _spawn(tmp_path, course_home, "invoke", "pauses.py", "--timeout", "1", "--debug")
    try:
        _debug_and_continue(child, 1.0)
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    shown = re.sub(r"\x1b\[[0-9;]*m", "", child.before)
    assert "Method completed with status: 200" in shown
    assert "after the pause" in shown  # the function's own output stays in its log
    assert "Task timed out" not in shown


@pytest.mark.slow
def test_invoke_event_no_timeout_stops_at_pdb(tmp_path: Path, course_home: Path) -> None:
    (tmp_path / "e.json").write_text("{}")
    child = _spawn(
        tmp_path,
        course_home,
        "invoke",
        "pauses.py",
        "-e",
        "e.json",
        "--timeout",
        "1",
        "--no-timeout",
        "--json",
    )
    try:
        _debug_and_continue(child, 1.0)
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    assert '"outcome": "ok"' in child.before and '"body": "42"' in child.before


@pytest.mark.slow
def test_serve_debug_stops_at_pdb_and_answers(tmp_path: Path, course_home: Path) -> None:
    child = _spawn(
        tmp_path, course_home, "serve", "pauses.py", "-p", "0", "--timeout", "1", "--debug"
    )
    answers: list[tuple[int, str]] = []
    try:
        child.expect(r"http://127\.0\.0\.1:(\d+)/")
        port = int(child.match.group(1))
        child.expect("Ctrl-C stops")
        assert "no timeouts, one request at a time" in child.before

        def request() -> None:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/prod/x", timeout=60) as r:
                answers.append((r.status, r.read().decode()))

        client = threading.Thread(target=request)
        client.start()
        _debug_and_continue(child, 1.0)
        client.join(30)
        child.expect("200")
    finally:
        child.sendintr()
        child.close()
    assert answers == [(200, "42")]
