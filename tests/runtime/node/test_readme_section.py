"""The README's "Node.js handlers" commands run as printed, from the repository's root."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable

import pytest

from tests.conftest import REPO, CliResult


def _commands() -> list[list[str]]:
    readme = (REPO / "README.md").read_text()
    section = readme.split("### Node.js handlers", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```bash\n(.+?)\n```", section, re.S)
    return [shlex.split(line) for line in block.splitlines()]


def test_the_readme_s_node_commands_run(
    run_cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    first, second = _commands()
    assert first[0] == second[0] == "course"
    shown = run_cli(*first[1:])
    assert shown.exit_code == 0, shown
    assert "Ada Lovelace" in shown.stdout
    answer = run_cli(*second[1:])
    assert json.loads(answer.stdout)["response"]["statusCode"] == 404
