"""Start-up stays light: `course --help` must not import the heavy stack."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import course_subprocess_env

HEAVY = ("boto3", "botocore", "moto", "airspeed", "nbclient", "jupyter_client", "IPython")

PROBE = """
import runpy, sys
sys.argv = ["course"] + sys.argv[1:]
try:
    runpy.run_module("course_cli", run_name="__main__")
except SystemExit as exc:
    code = exc.code
heavy = [m for m in {heavy!r} if m in sys.modules]
print("HEAVY=" + ",".join(heavy), file=sys.stderr)
print("EXIT=" + str(code), file=sys.stderr)
"""


def _probe(home: Path, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
        capture_output=True,
        text=True,
        env=course_subprocess_env(home),
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    return result.stderr


def test_help_imports_no_heavy_module(course_home: Path) -> None:
    stderr = _probe(course_home, "--help")
    assert "EXIT=0" in stderr
    assert "HEAVY=\n" in stderr, stderr


def test_lesson_commands_import_no_heavy_module(course_home: Path) -> None:
    for args in (("start", "--no-input"), ("status",), ("lessons",)):
        stderr = _probe(course_home, *args)
        assert "EXIT=0" in stderr, stderr
        assert "HEAVY=\n" in stderr, (args, stderr)
