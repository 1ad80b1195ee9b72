"""`course invoke handler.mjs --debug`: node waits for a debugger, and a real one (node's own
`node inspect` client, driven as a learner would type into it) stops at the handler's
`debugger;` statement, reads a variable, and lets the invocation finish."""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import PYTHON, course_subprocess_env

HANDLER = """\
export const handler = async (event) => {
  const answer = 41;
  debugger;
  return { statusCode: 200, body: JSON.stringify({ answer: answer + 1 }) };
};
"""
WAITING = re.compile(r"waits for a debugger on (127\.0\.0\.1:\d+)")


def read_until(
    process: subprocess.Popen[bytes], marker: str, timeout_s: float = 30, *, stderr: bool = False
) -> str:
    """What `process` wrote on stdout (or stderr) up to and including `marker`; fails after
    `timeout_s` rather than hang."""
    stream = process.stderr if stderr else process.stdout
    assert stream is not None
    fd = stream.fileno()
    seen = b""
    deadline = time.monotonic() + timeout_s
    while marker.encode() not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"no {marker!r} in {seen.decode(errors='replace')!r}"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            chunk = os.read(fd, 65536)
            assert chunk, f"ended before {marker!r}: {seen.decode(errors='replace')!r}"
            seen += chunk
    return seen.decode(errors="replace")


class Debugging:
    """A `course` command started with `--debug` and node's `node inspect` client attached to
    the node it started, past node's first stop (before it runs anything)."""

    def __init__(self, course: subprocess.Popen[bytes], client: subprocess.Popen[bytes]) -> None:
        self.course = course
        self.client = client

    def type(self, line: str) -> None:
        """Type `line` into the debugger, as a learner would."""
        assert self.client.stdin is not None
        self.client.stdin.write(line.encode() + b"\n")
        self.client.stdin.flush()


@pytest.fixture
def debugging(tmp_path: Path, course_home: Path) -> Iterator[Callable[..., Debugging]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(*args: str) -> Debugging:
        node = shutil.which("node")
        assert node is not None, "node is on PATH wherever these tests run"
        course = subprocess.Popen(
            [PYTHON, "-m", "course_cli", *args, "--debug"],
            cwd=tmp_path,
            env=course_subprocess_env(course_home),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        started.append(course)
        address = WAITING.search(read_until(course, "stops there", stderr=True))
        assert address
        client = subprocess.Popen(
            [node, "inspect", address[1]],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        started.append(client)
        read_until(client, "Break on start")  # node waited: nothing ran before we attached
        session = Debugging(course, client)
        session.type("cont")
        return session

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.communicate()


@pytest.mark.slow
def test_a_debugger_stops_at_the_handler_s_debugger_statement(
    tmp_path: Path, debugging: Callable[..., Debugging]
) -> None:
    (tmp_path / "handler.mjs").write_text(HANDLER)
    session = debugging("invoke", "handler.mjs", "--json")
    read_until(session.client, "debugger;")  # stopped in the handler, at its statement
    session.type("exec answer")
    assert "41" in read_until(session.client, "41")
    session.type("cont")
    out, err = session.course.communicate(timeout=60)
    assert session.course.returncode == 0, err
    document = json.loads(out)
    assert json.loads(document["response"]["body"]) == {"answer": 42}


@pytest.mark.slow
def test_course_serve_debug_loads_a_node_handler_waiting_for_a_debugger(
    tmp_path: Path, debugging: Callable[..., Debugging]
) -> None:
    (tmp_path / "handler.mjs").write_text(HANDLER.replace("  debugger;\n", ""))
    # The handler is loaded before the server starts: node waits there, before serving.
    session = debugging("serve", "handler.mjs", "--port", "0")
    url = re.search(r"http://127\.0\.0\.1:\d+/", read_until(session.course, "Ctrl-C stops"))
    assert url
    with urllib.request.urlopen(url[0] + "anything", timeout=30) as answer:
        assert json.loads(answer.read()) == {"answer": 42}
