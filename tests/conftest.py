"""Shared fixtures: an isolated progress home, a fixed console, and a CLI runner."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# Fixed console for every test: Rich reads these when a console is created.
os.environ["COLUMNS"] = "100"
os.environ["NO_COLOR"] = "1"
os.environ["TERM"] = "dumb"
os.environ.pop("FORCE_COLOR", None)

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def course_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own progress folder, so no test sees another's (or the user's)."""
    home = tmp_path_factory.mktemp("course-home")
    monkeypatch.setenv("COURSE_HOME", str(home))
    return home


@dataclass
class CliResult:
    """What one in-process `course ...` run did."""

    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[..., CliResult]]:
    """Run `course ARGS...` in this process; returns exit code, stdout and stderr."""
    from course_cli.cli import main

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        else:  # pragma: no cover - main always exits
            code = 0
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    yield run


def course_subprocess_env(home: Path) -> dict[str, str]:
    """Environment for running `course` as a real subprocess."""
    env = dict(os.environ)
    env["COURSE_HOME"] = str(home)
    env["PYTHONPATH"] = str(REPO)
    return env


PYTHON = sys.executable
