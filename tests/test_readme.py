"""The README's two set-up commands are exactly what CI runs, and its grading example runs."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest

from course_cli.workspace import bundled_dir
from tests.conftest import REPO


def _readme_commands() -> list[str]:
    readme = (REPO / "README.md").read_text()
    setup = readme.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", setup)


def test_readme_has_two_setup_commands() -> None:
    commands = _readme_commands()
    assert len(commands) == 2
    assert commands[0].endswith("course start lesson-3")
    assert "[test]" in commands[1] and "pytest" in commands[1]


def test_ci_runs_the_readme_commands_verbatim() -> None:
    ci = (REPO / ".ci" / "run").read_text()
    for command in _readme_commands():
        assert command in ci, command


@pytest.mark.slow
def test_the_readme_s_grading_example_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Any
) -> None:
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Grading a class", 1)[1].split("\n## ", 1)[0]
    (command,) = re.findall(r"```bash\n(.+?)\n```", section)
    args = shlex.split(command)
    assert args[:2] == ["course", "grade"]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "submissions" / "ann").mkdir(parents=True)
    shutil.copy(
        bundled_dir("solutions") / "06-crud-handler" / "handler.py",
        tmp_path / "submissions" / "ann" / "handler.py",
    )
    result = run_cli(*args[1:])
    assert result.exit_code == 0, result.stderr
    assert "course grade 06-crud-handler" in result.stdout
    assert (tmp_path / "grades" / "junit.xml").is_file()
    assert (tmp_path / "grades" / "grades.csv").read_text().startswith("learner,")
