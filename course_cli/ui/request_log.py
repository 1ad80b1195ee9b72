"""What `course serve` prints per request: the line `GET /users/1?x=2 200 1.3 ms`, then what
the handler printed, and for a failure why it failed, in plain words."""

from __future__ import annotations

from typing import IO, TYPE_CHECKING

from rich.console import Console
from rich.text import Text

from course_cli.ui.console import get_console

if TYPE_CHECKING:
    from course_cli.gateway.server import RequestRecord

# (console, its file, whether a terminal) for the last call: Rich's `is_terminal` asks the
# environment and isatty() every time, so it is asked again only when either changes.
_last_terminal_check: tuple[Console, IO[str], bool] | None = None


def print_request(record: RequestRecord) -> None:
    """Print the request's line on stdout, flushed at once (even when piped): coloured in a
    terminal, plain text otherwise (no Rich render per request of a busy server)."""
    global _last_terminal_check
    console = get_console()
    file = console.file
    checked = _last_terminal_check
    if checked is not None and checked[0] is console and checked[1] is file:
        is_terminal = checked[2]
    else:
        is_terminal = console.is_terminal
        _last_terminal_check = (console, file, is_terminal)
    invocation = record.invocation
    result = invocation.lambda_result if invocation is not None else None
    # What the function printed or logged (and the runtime's error lines), indented under
    # the request's line: where a learner's `print(event)` shows up.
    output = result.function_output if result is not None else ""
    # Why a request failed, in plain words (a 502's field and fix, a 403's missing route).
    why = invocation.log.explanations if invocation is not None else ()
    if is_terminal:
        # A Text object, not markup: a target like `/a?x[1]=2` must print as sent.
        text = Text(f"{record.method} {record.target} ")
        text.append(str(record.status), "ok" if record.status < 400 else "fail")
        text.append(f" {record.latency_ms:.1f} ms")
        console.print(text, highlight=False)
        # (soft_wrap: long lines are left to the terminal to wrap, not cut into several.)
        if output:
            console.print(Text(_indented(output), style="muted"), highlight=False, soft_wrap=True)
        for explanation in why:
            console.print(Text(f"  why: {_one_line(explanation)}", style="warning"), soft_wrap=True)
        if record.error is not None:
            console.print(Text(f"  {_one_line(str(record.error))}", style="warning"))
    else:
        line = f"{record.method} {record.target} {record.status} {record.latency_ms:.1f} ms\n"
        if output:
            line += _indented(output) + "\n"
        for explanation in why:
            line += f"  why: {_one_line(explanation)}\n"
        if record.error is not None:
            line += f"  {_one_line(str(record.error))}\n"
        file.write(line)
    file.flush()


# Control characters (a handler's header name with a raw CR/LF, say) shown as escapes: one
# explanation stays one line, and nothing the handler sent moves the terminal's cursor.
_CONTROLS = {code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F)} | {
    0x0D: "\\r",
    0x0A: "\\n",
    0x09: "\\t",
}


def _one_line(text: str) -> str:
    return text.translate(_CONTROLS)


def _indented(output: str) -> str:
    return "\n".join(f"  | {line}" for line in output.rstrip("\n").split("\n"))
