"""What `course serve` prints per request: the line `GET /users/1?x=2 200 1.3 ms`, then what
the handler printed, and for a failure why it failed, in plain words."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from course_cli.ui.console import get_console

if TYPE_CHECKING:
    from course_cli.gateway.server import RequestRecord


def print_request(record: RequestRecord) -> None:
    """Print the request's line on stdout, flushed at once (even when piped): coloured in a
    terminal, plain text otherwise."""
    console = get_console()
    invocation = record.invocation
    result = invocation.lambda_result if invocation is not None else None
    # What the function printed or logged (and the runtime's error lines), indented under
    # the request's line: where a learner's `print(event)` shows up.
    output = result.function_output if result is not None else ""
    # Why a request failed, in plain words (a 502's field and fix, a 403's missing route).
    why = invocation.log.explanations if invocation is not None else ()
    # Text objects, not markup: a target like `/a?x[1]=2` must print as sent.
    line = Text(f"{record.method} {record.target} ")
    line.append(str(record.status), "ok" if record.status < 400 else "fail")
    line.append(f" {record.latency_ms:.1f} ms")
    below = [Text(_indented(output), style="muted")] if output else []
    below += [Text(f"  why: {_one_line(explanation)}", style="warning") for explanation in why]
    if record.error is not None:
        below.append(Text(f"  {_one_line(str(record.error))}", style="warning"))
    if console.is_terminal:
        console.print(line, highlight=False)
        for text in below:
            # soft_wrap: long lines are left to the terminal to wrap, not cut into several.
            console.print(text, highlight=False, soft_wrap=True)
    else:
        console.file.write("".join(text.plain + "\n" for text in [line, *below]))
    console.file.flush()


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
