"""A `course serve -t` subprocess for the SAM tests that need its start-up lines too (the
sandbox's endpoint and credentials are printed there), ended when the test is over."""

from __future__ import annotations

import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PYTHON, course_subprocess_env


class SamServers:
    """`servers(template, *args)` starts `course serve -t TEMPLATE --port 0 ARGS...` and
    returns its base URL; `banner` holds what the last one printed before serving."""

    def __init__(self, home: Path) -> None:
        self._home = home
        self._processes: list[subprocess.Popen[str]] = []
        self.banner = ""

    def __call__(self, template: Path, *args: str) -> str:
        process = subprocess.Popen(
            [PYTHON, "-m", "course_cli", "serve", "-t", str(template), "--port", "0", *args],
            env=course_subprocess_env(self._home),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._processes.append(process)
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if "Ctrl-C stops" in line:
                break
        else:
            pytest.fail(f"course serve -t ended: {''.join(lines)}")
        self.banner = "".join(lines)
        url = re.search(r"http://127\.0\.0\.1:\d+", self.banner)
        assert url, self.banner
        return url[0]

    def close(self) -> None:
        for process in self._processes:
            process.send_signal(signal.SIGTERM)
            try:
                process.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()


@pytest.fixture
def sam_servers(course_home: Path) -> Iterator[SamServers]:
    servers = SamServers(course_home)
    yield servers
    servers.close()
