"""The README's "Coming from SAM" section: its commands exist as written, its examples exist."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable

import pytest

from tests.conftest import REPO, CliResult

SECTION = (REPO / "README.md").read_text().split("### Coming from SAM", 1)[1].split("\n## ", 1)[0]
COMMANDS = re.findall(r"`(course [^`]+)`", SECTION)


def test_the_section_names_commands_and_examples() -> None:
    assert len(COMMANDS) >= 4
    for name in re.findall(r"`(examples/sam/[\w-]+)`", SECTION):
        assert (REPO / name / "template.yaml").is_file(), name


@pytest.mark.parametrize("command", COMMANDS)
def test_every_course_command_parses(command: str, run_cli: Callable[..., CliResult]) -> None:
    # Leave out what is not an argument: optional parts, ellipses, a shell redirection.
    words = shlex.split(re.sub(r"\[[^]]*\]|…|>.*", "", command))
    result = run_cli(*words[1:], "--help")
    assert result.exit_code == 0, result.stderr
