"""The one line `course serve` prints per request: `GET /users/1?x=2 200 1.3 ms`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from course_cli.ui.console import get_console

if TYPE_CHECKING:
    from course_cli.gateway.server import RequestRecord


def print_request(record: RequestRecord) -> None:
    """Print the request's line on stdout, flushed at once (even when piped).

    In a terminal the status is coloured; piped, the line is written as plain text, which costs
    a few microseconds instead of a Rich render on every request of a busy server.
    """
    console = get_console()
    line = f"{record.method} {record.target} {record.status} {record.latency_ms:.1f} ms"
    if console.is_terminal:
        # A Text object, not markup: a target like `/a?x[1]=2` must print as sent.
        text = Text(f"{record.method} {record.target} ")
        text.append(str(record.status), "ok" if record.status < 400 else "fail")
        text.append(f" {record.latency_ms:.1f} ms")
        console.print(text, highlight=False)
        if record.error is not None:
            console.print(Text(f"  {record.error}", style="warning"))
    else:
        console.file.write(line + "\n")
        if record.error is not None:
            console.file.write(f"  {record.error}\n")
    console.file.flush()
