"""`course serve` with Node.js handlers over real HTTP on 127.0.0.1: the lesson's handler,
what the request log shows (console lines, `why:`), a timeout, and an edit picked up."""

from __future__ import annotations

import json
import queue
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import PYTHON, course_subprocess_env
from tests.runtime.node.conftest import LESSON_HANDLER


class Served:
    """A running `course serve` and the lines it printed."""

    def __init__(self, process: subprocess.Popen[str], url: str, lines: queue.Queue[str]):
        self.process, self.url, self._lines = process, url, lines

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=30) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def printed_until(self, needle: str, timeout_s: float = 10) -> list[str]:
        """Lines printed from now until one containing `needle`."""
        seen: list[str] = []
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                line = self._lines.get(timeout=0.2)
            except queue.Empty:
                continue
            seen.append(line)
            if needle in line:
                return seen
        raise AssertionError(f"{needle!r} never printed: {seen}")


@pytest.fixture
def serve(tmp_path: Path, course_home: Path) -> Iterator[Callable[..., Served]]:
    started: list[tuple[subprocess.Popen[str], threading.Thread]] = []

    def start(handler: Path, *options: str) -> Served:
        process = subprocess.Popen(
            [PYTHON, "-m", "course_cli", "serve", str(handler), "--port", "0", *options],
            cwd=tmp_path,
            env=course_subprocess_env(course_home),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        lines: queue.Queue[str] = queue.Queue()
        assert process.stdout is not None
        stdout = process.stdout
        reader = threading.Thread(
            target=lambda: [lines.put(line.rstrip("\n")) for line in stdout], daemon=True
        )
        reader.start()
        started.append((process, reader))
        served = Served(process, "", lines)
        banner = served.printed_until("Ctrl-C stops", timeout_s=30)
        url = re.search(r"http://127\.0\.0\.1:\d+/", "\n".join(banner))
        assert url, banner
        served.url = url[0]
        return served

    yield start
    for process, reader in started:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join(5)
        assert process.stdout is not None
        process.stdout.close()


@pytest.mark.slow
def test_the_lessons_handler_over_http(serve: Callable[..., Served]) -> None:
    served = serve(LESSON_HANDLER)
    status, body = served.get("/users/1")
    assert (status, json.loads(body)) == (200, {"id": "1", "name": "Ada Lovelace"})
    status, body = served.get("/users/7")
    assert (status, json.loads(body)) == (404, {"message": "User 7 not found"})


@pytest.mark.slow
def test_console_lines_and_why_lines_in_the_request_log(
    serve: Callable[..., Served], handlers: Path
) -> None:
    served = serve(handlers / "logs.mjs")
    assert served.get("/hello")[0] == 200
    printed = served.printed_until("INFO\t{")
    assert any(
        re.search(r"\| \S+Z\t[0-9a-f-]{36}\tINFO\thello from /hello$", line) for line in printed
    ), printed
    broken = serve(handlers / "body_object.mjs")
    assert broken.get("/users/1")[0] == 502
    why = broken.printed_until("why:")
    assert "body" in why[-1]


@pytest.mark.slow
def test_a_timeout_then_the_next_request_works(
    serve: Callable[..., Served], handlers: Path
) -> None:
    served = serve(handlers / "infinite_loop.mjs", "--timeout", "1")
    assert served.get("/a") == (200, '{"calls":1}')
    status, body = served.get("/loop")
    assert (status, json.loads(body)) == (502, {"message": "Internal server error"})
    assert "Task timed out after 1.00 seconds" in "\n".join(served.printed_until("why:"))
    # A fresh process: the module's state starts over.
    assert served.get("/a") == (200, '{"calls":1}')


@pytest.mark.slow
def test_an_edit_is_picked_up(serve: Callable[..., Served], tmp_path: Path) -> None:
    handler = tmp_path / "users.mjs"
    handler.write_text(LESSON_HANDLER.read_text())
    served = serve(handler)
    assert json.loads(served.get("/users/1")[1])["name"] == "Ada Lovelace"
    handler.write_text(LESSON_HANDLER.read_text().replace("Ada Lovelace", "Ada King"))
    assert json.loads(served.get("/users/1")[1])["name"] == "Ada King"
