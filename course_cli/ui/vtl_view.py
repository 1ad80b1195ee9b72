"""The `course vtl` view: the rendered output, and whether (and why not) it is JSON."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.text import Text


def render_preview(document: dict[str, Any], *, title: str = "template") -> RenderableType:
    """The `course vtl --json` document as panels: output, verdict, warnings."""
    valid = bool(document["json_valid"])
    output = Panel(
        Text(document["output"] or "(empty)"),
        title=f"{title} rendered",
        title_align="left",
        border_style="ok" if valid else "fail",
    )
    parts: list[RenderableType] = [output]
    if valid:
        parts.append(Text("✓ valid JSON", "ok"))
    parts += [Text.assemble(("✗ ", "fail"), problem) for problem in document["problems"]]
    for warning in document.get("warnings") or []:
        parts.append(Text.assemble(("! ", "warning"), warning))
    return Group(*parts)
