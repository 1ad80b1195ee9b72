"""The command-line contract, checked on input a careless or hostile user would give.

Every case ends in a documented answer within a bounded time: exit 2 with one `error:` line
(and at most a `hint:` line), or the answer AWS gives (exit 0, or 1 with API Gateway's status),
and never a traceback. In-process through `course_cli.cli.main` for speed; in a subprocess
where the case could end or hang the process running it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO

# The longest any one case may take; the gateway's own limits are seconds, not minutes.
CASE_SECONDS = 10.0


@dataclass
class Answer:
    """What one `course ...` run did."""

    code: int
    stdout: str
    stderr: str
    seconds: float

    def assert_contract(self, *codes: int) -> None:
        """Exit with one of `codes`, in time, no traceback; exit 2 is one error line + hint."""
        shown = f"exit {self.code}\nstdout: {self.stdout[-2000:]}\nstderr: {self.stderr[-2000:]}"
        # (stdout may show one: a learner's function log holds Lambda's own traceback lines)
        assert "Traceback (most recent call last)" not in self.stderr, shown
        assert self.code in codes, shown
        assert self.seconds < CASE_SECONDS, f"took {self.seconds:.1f} s\n{shown}"
        if self.code == 2:
            lines = [line for line in self.stderr.splitlines() if line.strip()]
            assert lines and lines[0].startswith("error: "), shown
            assert len(lines) <= 2 and all(
                line.startswith(("error: ", "hint: ")) for line in lines
            ), shown


Run = Callable[..., Answer]


@pytest.fixture
def course(capsys: pytest.CaptureFixture[str]) -> Iterator[Run]:
    """Run `course ARGS...` in this process (an exception escaping `main` fails the test)."""
    from course_cli.cli import main

    def run(*args: str) -> Answer:
        capsys.readouterr()
        started = time.monotonic()
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        else:  # pragma: no cover - main always exits
            code = 0
        seconds = time.monotonic() - started
        out, err = capsys.readouterr()
        return Answer(code, out, err, seconds)

    yield run


@pytest.fixture
def course_process(course_home: Path) -> Run:
    """Run `course ARGS...` as a process of its own, killed if it outlives `CASE_SECONDS`."""

    def run(*args: str, cwd: Path | None = None) -> Answer:
        env = {**os.environ, "COURSE_HOME": str(course_home), "PYTHONPATH": str(REPO)}
        started = time.monotonic()
        try:
            done = subprocess.run(
                [sys.executable, "-m", "course_cli", *args],
                capture_output=True,
                text=True,
                errors="replace",
                env=env,
                cwd=cwd,
                timeout=CASE_SECONDS,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired as exc:
            pytest.fail(f"course {' '.join(args)} hung: {exc.stdout!r} {exc.stderr!r}")
        return Answer(done.returncode, done.stdout, done.stderr, time.monotonic() - started)

    return run
