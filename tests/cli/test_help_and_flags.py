"""Every command's help and flags: no short flag means two things, no square bracket is lost
to Rich markup, and `course --version` and shell completion are there."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import pytest
import typer

from course_cli import __version__
from course_cli.cli import app
from tests.conftest import PYTHON, CliResult, course_subprocess_env


def _commands() -> Iterator[tuple[str, click.Command]]:
    """(`course …` path, command) for every command and group, the root included."""
    root = typer.main.get_command(app)
    todo: list[tuple[str, click.Command]] = [("", root)]
    while todo:
        path, command = todo.pop()
        yield path, command
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                todo.append((f"{path} {name}".strip(), sub))


COMMANDS = sorted(path for path, _ in _commands())


def test_no_short_flag_means_two_things() -> None:
    meanings: dict[str, set[str]] = {}
    for path, command in _commands():
        for param in command.params:
            if not isinstance(param, click.Option):
                continue
            long = max(param.opts + param.secondary_opts, key=len)
            for opt in param.opts + param.secondary_opts:
                if re.fullmatch(r"-[A-Za-z0-9]", opt):
                    meanings.setdefault(opt, set()).add(f"{long} ({path or 'course'})")
    clashes = {
        flag: uses
        for flag, uses in meanings.items()
        if len({use.split(" ")[0] for use in uses}) > 1
    }
    assert not clashes, clashes
    # SAM CLI's habits: -p is the port, -e the event file.
    assert {use.split(" ")[0] for use in meanings["-p"]} == {"--port"}
    assert {use.split(" ")[0] for use in meanings["-e"]} == {"--event"}


def _bracketed_phrases(command: click.Command) -> list[str]:
    """The `[...]` phrases a command's help text and options' help hold, as written."""
    texts = [command.help or ""] + [getattr(p, "help", None) or "" for p in command.params]
    return [phrase for text in texts for phrase in re.findall(r"\[[^\]\n]*\]", text)]


def _flat(text: str) -> str:
    """Help output without box drawing and line breaks, for a search across wrapped lines."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


@pytest.mark.parametrize("path", COMMANDS)
def test_square_brackets_in_help_survive(
    path: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from course_cli.cli import main

    command = dict(_commands())[path]
    monkeypatch.setenv("COLUMNS", "250")  # few line breaks; `_flat` joins the rest
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main([*path.split(), "--help"])
    assert exit_info.value.code == 0
    shown = _flat(capsys.readouterr().out)
    assert shown.startswith("Usage: course"), shown[:200]
    for phrase in _bracketed_phrases(command):
        assert " ".join(phrase.split()) in shown, (phrase, shown)
    # What Rich leaves when it takes "[default: cores]" for markup: a space before a stop.
    assert not re.search(r"[a-z] \.(\s|$)", shown), shown


def test_grade_help_shows_its_defaults(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from course_cli.cli import main

    monkeypatch.setenv("COLUMNS", "250")
    with pytest.raises(SystemExit):
        main(["grade", "--help"])
    shown = _flat(capsys.readouterr().out)
    assert "Submissions graded at once. [default: (cores)]" in shown
    assert "[default: (table)]" in shown


def test_version(run_cli: Callable[..., CliResult]) -> None:
    result = run_cli("--version")
    assert result.exit_code == 0
    assert result.stdout == f"course {__version__}\n"


def test_shell_completion_is_offered(run_cli: Callable[..., CliResult]) -> None:
    shown = run_cli("--help").stdout
    assert "--install-completion" in shown and "--show-completion" in shown


@pytest.mark.slow
def test_completion_script_completes_commands(tmp_path: Path) -> None:
    # What the installed script asks the program: the words after `course `, in variables.
    env = {
        **course_subprocess_env(tmp_path),
        "_COURSE_COMPLETE": "complete_bash",
        "COMP_WORDS": "course inv",
        "COMP_CWORD": "1",
    }
    result = subprocess.run(
        [PYTHON, "-c", "from course_cli.cli import main; main()"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert "invoke" in result.stdout.split(), (result.stdout, result.stderr)
