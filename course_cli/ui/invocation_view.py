"""Renderers for one request through the gateway: event, Lambda result, response, log, and
the plain-words explanation of any failure (the part no other emulator prints)."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text


def _json_view(value: Any) -> Syntax:
    return Syntax(json.dumps(value, indent=2, ensure_ascii=False), "json", word_wrap=True)


def render_event(event: dict[str, Any] | None, title: str = "Event sent to the function") -> Panel:
    """The v1 proxy event as highlighted JSON."""
    body: RenderableType = _json_view(event) if event is not None else Text("no event", "muted")
    return Panel(body, title=title, title_align="left", border_style="cyan")


def render_event_notes(notes: list[tuple[str, Any, str]]) -> Table:
    """`course event --explain`: each field, its value and where it came from."""
    table = Table(title="The proxy event, field by field", title_justify="left", show_lines=True)
    table.add_column("field", style="heading", no_wrap=True)
    table.add_column("value", max_width=38, overflow="fold")
    table.add_column("where it comes from")
    for field, value, explanation in notes:
        shown = json.dumps(value, ensure_ascii=False)
        if len(shown) > 200:
            shown = shown[:200] + " …"
        table.add_row(escape(field), escape(shown), escape(explanation))
    return table


def render_response(response: dict[str, Any] | None) -> Panel:
    """The HTTP response the client got: status, headers, body."""
    if response is None:
        return Panel(Text("no response", "muted"), title="Response", title_align="left")
    status = response["statusCode"]
    style = "ok" if status < 400 else "fail"
    lines = Text(f"HTTP/1.1 {status}\n", style)
    for name, values in response["multiValueHeaders"].items():
        for value in values:
            lines.append(f"{name}: ", "heading")
            lines.append(f"{value}\n")
    lines.append("\n")
    body = response["body"]
    lines.append(body if len(body) <= 4000 else body[:4000] + " …")
    return Panel(lines, title="Response to the client", title_align="left", border_style=style)


def render_result(result: Any) -> Panel:
    """What the function returned (or its error document)."""
    return Panel(
        _json_view(result),
        title="What the function returned",
        title_align="left",
        border_style="blue",
    )


def render_function_log(lines: list[str]) -> Panel:
    """The function's own log as CloudWatch shows it: Lambda's START, END and REPORT lines
    (dimmed) around what the function printed and logged."""
    text = Text()
    for line in lines:
        if line.startswith(("START RequestId: ", "END RequestId: ", "REPORT RequestId: ")):
            style = "muted"
        elif line.startswith("[ERROR]") or "Task timed out after" in line:
            style = "fail"
        else:
            style = ""
        text.append(line + "\n", style)
    text.rstrip()
    return Panel(
        text, title="Function log (as CloudWatch shows it)", title_align="left", border_style="blue"
    )


# The lines worth reading first when a request failed; `brief` logs show only these.
KEY_LOG_LINES = (
    "Endpoint response body before transformations",
    "Execution failed",
    "Lambda execution failed",
    "Method completed with status",
)


def render_log(lines: list[str], *, brief: bool = False) -> Panel:
    """API Gateway's execution log, one line per stage (`brief`: only the key lines)."""
    if brief:
        lines = [line for line in lines if any(key in line for key in KEY_LOG_LINES)]
    title = "Execution log (key lines)" if brief else "Execution log"
    text = Text()
    if not lines:
        text.append("(API Gateway writes no execution log for a request that matched no route)")
    for line in lines:
        style = "fail" if "failed" in line or "status: 5" in line else ""
        text.append(line + "\n", style)
    text.rstrip()
    return Panel(text, title=title, title_align="left", border_style="muted")


def render_explanation(document: dict[str, Any]) -> RenderableType | None:
    """Why it failed, in plain words: problems (field, expected, got, fix) and explanations."""
    problems: list[dict[str, Any]] = document.get("problems") or []
    explanations: list[str] = document.get("explanations") or []
    if not problems and not explanations:
        return None
    parts: list[RenderableType] = []
    for problem in problems:
        parts.append(
            Text.assemble(
                ("✗ ", "fail"),
                (problem["field"], "heading"),
                f": expected {problem['expected']}, got {problem['got']}",
            )
        )
        fix = problem.get("fix")
        if fix and not any(fix in explanation for explanation in explanations):
            parts.append(Text.assemble(("  fix: ", "hint"), problem["fix"]))
    parts += [Text(explanation) for explanation in explanations]
    status = (document.get("response") or {}).get("statusCode")
    title = f"Why {status}" if status else "What happened"
    return Panel(Group(*parts), title=title, title_align="left", border_style="red")


def render_invocation(document: dict[str, Any]) -> RenderableType:
    """The whole `course invoke` view, from its `--json` document."""
    parts: list[RenderableType] = []
    if document.get("event") is not None:
        parts.append(render_event(document["event"]))
    if document.get("result") is not None or document.get("event") is not None:
        parts.append(render_result(document.get("result")))
    if document.get("functionLog"):
        parts.append(render_function_log(document["functionLog"]))
    parts.append(render_response(document.get("response")))
    explanation = render_explanation(document)
    if explanation is not None:
        parts.append(explanation)
    parts.append(render_log(document.get("log") or []))
    return Group(*parts)
