"""The one place consoles are made.

Width and colour come from the environment the way Rich reads it (`COLUMNS`, `NO_COLOR`,
`FORCE_COLOR`, `TERM`), so tests fix them by setting those variables.
"""

from __future__ import annotations

import functools

from rich.console import Console
from rich.markup import escape
from rich.theme import Theme

THEME = Theme(
    {
        "heading": "bold cyan",
        "topic": "bold magenta",
        "muted": "dim",
        "key": "bold yellow",
        "ok": "bold green",
        "fail": "bold red",
        "error": "bold red",
        "warning": "yellow",
        "hint": "cyan",
        "command": "bold",
    }
)


@functools.cache
def get_console(stderr: bool = False) -> Console:
    """The shared console for stdout (results) or stderr (errors, warnings, progress)."""
    return Console(theme=THEME, stderr=stderr, highlight=False)


def recording_console(width: int = 100) -> Console:
    """A themed console that records instead of printing (for tests, HTML and text export)."""
    import io

    return Console(theme=THEME, width=width, record=True, file=io.StringIO(), color_system=None)


def print_error(message: str, hint: str | None = None) -> None:
    """One styled error line on stderr, and the hint under it."""
    console = get_console(stderr=True)
    console.print(f"[error]error:[/] {escape(message)}", soft_wrap=True)
    if hint:
        console.print(f"[hint]hint:[/] {escape(hint)}", soft_wrap=True)


def print_warning(message: str) -> None:
    """One styled warning line on stderr."""
    get_console(stderr=True).print(f"[warning]warning:[/] {escape(message)}", soft_wrap=True)
