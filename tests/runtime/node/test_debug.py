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


@pytest.mark.slow
def test_a_debugger_stops_at_the_handler_s_debugger_statement(
    tmp_path: Path, course_home: Path
) -> None:
    node = shutil.which("node")
    assert node is not None, "node is on PATH wherever these tests run"
    (tmp_path / "handler.mjs").write_text(HANDLER)
    invoke = subprocess.Popen(
        [PYTHON, "-m", "course_cli", "invoke", "handler.mjs", "--debug", "--json"],
        cwd=tmp_path,
        env=course_subprocess_env(course_home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    client: subprocess.Popen[bytes] | None = None
    try:
        address = WAITING.search(read_until(invoke, "stops there", stderr=True))
        assert address
        client = subprocess.Popen(
            [node, "inspect", address[1]],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        assert client.stdin is not None
        read_until(client, "Break on start")  # node waited: nothing ran before we attached
        client.stdin.write(b"cont\n")
        client.stdin.flush()
        read_until(client, "debugger;")  # stopped in the handler, at its statement
        client.stdin.write(b"exec answer\n")
        client.stdin.flush()
        assert "41" in read_until(client, "41")
        client.stdin.write(b"cont\n")
        client.stdin.flush()
        out, err = invoke.communicate(timeout=60)
        assert invoke.returncode == 0, err
        document = json.loads(out)
        assert json.loads(document["response"]["body"]) == {"answer": 42}
    finally:
        for process in (client, invoke):
            if process is not None and process.poll() is None:
                process.kill()
                process.communicate()


@pytest.mark.slow
def test_course_serve_debug_loads_a_node_handler_waiting_for_a_debugger(
    tmp_path: Path, course_home: Path
) -> None:
    import urllib.request

    node = shutil.which("node")
    assert node is not None
    (tmp_path / "handler.mjs").write_text(HANDLER.replace("  debugger;\n", ""))
    serve = subprocess.Popen(
        [PYTHON, "-m", "course_cli", "serve", "handler.mjs", "--debug", "--port", "0"],
        cwd=tmp_path,
        env=course_subprocess_env(course_home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    client: subprocess.Popen[bytes] | None = None
    try:
        # The handler is loaded before the server starts: node waits there, before serving.
        address = WAITING.search(read_until(serve, "stops there", stderr=True))
        assert address
        client = subprocess.Popen(
            [node, "inspect", address[1]],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        assert client.stdin is not None
        read_until(client, "Break on start")
        client.stdin.write(b"cont\n")
        client.stdin.flush()
        url = re.search(r"http://127\.0\.0\.1:\d+/", read_until(serve, "Ctrl-C stops"))
        assert url
        with urllib.request.urlopen(url[0] + "anything", timeout=30) as answer:
            assert json.loads(answer.read()) == {"answer": 42}
    finally:
        for process in (client, serve):
            if process is not None and process.poll() is None:
                process.kill()
                process.communicate()
