"""How the notebook shows things: each view has `_repr_html_` (Jupyter) and `__rich__` (a terminal),
built from the same documents as the commands' `--json` and drawn by the same renderers."""

from __future__ import annotations

import html
import io
from dataclasses import dataclass
from typing import Any

from rich.console import Console, RenderableType

from course_cli.grader.result import CheckResult
from course_cli.ui.console import THEME

# Rich's recording console exports a whole HTML page by default; a notebook wants one block.
_HTML_BLOCK = (
    '<pre style="white-space: pre-wrap; line-height: 1.25; '
    "font-family: Menlo, 'DejaVu Sans Mono', Consolas, monospace\">{code}</pre>"
)


def to_html(renderable: RenderableType, width: int = 100) -> str:
    """A Rich renderable as one HTML block with inline colours, for a notebook output."""
    # Not `recording_console()`: in a kernel Rich would display each view twice.
    console = Console(
        theme=THEME, width=width, record=True, file=io.StringIO(), force_jupyter=False
    )
    console.print(renderable)
    return console.export_html(inline_styles=True, code_format=_HTML_BLOCK)


class _View:
    """A view whose notebook HTML is its `__rich__` drawing."""

    def _repr_html_(self) -> str:
        return to_html(self)  # type: ignore[arg-type]


@dataclass(frozen=True)
class RichView(_View):
    """Any Rich renderable (a lesson example, a table), shown as HTML in a notebook."""

    renderable: Any

    def __rich__(self) -> RenderableType:
        return self.renderable  # type: ignore[no-any-return]


def show(renderable: Any) -> RichView:
    """Wrap a Rich renderable so the notebook shows it (`show(integration_side_by_side())`)."""
    return RichView(renderable)


@dataclass(frozen=True)
class InvocationView(_View):
    """One `%%invoke`: the `course invoke --json` document, shown as panels."""

    document: dict[str, Any]

    @property
    def status(self) -> int:
        """The HTTP status the client got (502 when the gateway answered nothing)."""
        response = self.document.get("response") or {}
        return int(response.get("statusCode", 502))

    @property
    def body(self) -> str:
        return str((self.document.get("response") or {}).get("body", ""))

    def __rich__(self) -> RenderableType:
        from course_cli.ui.invocation_view import render_invocation

        return render_invocation(self.document)

    def __repr__(self) -> str:
        return f"<invocation: HTTP {self.status}>"


@dataclass(frozen=True)
class TemplateView(_View):
    """One `%%vtl`: the `course vtl --json` document, shown as the rendered output and verdict."""

    document: dict[str, Any]

    @property
    def output(self) -> str:
        return str(self.document["output"])

    @property
    def json_valid(self) -> bool:
        return bool(self.document["json_valid"])

    def __rich__(self) -> RenderableType:
        from course_cli.ui.vtl_view import render_preview

        return render_preview(self.document, title="template")

    def __repr__(self) -> str:
        return f"<template: {'valid' if self.json_valid else 'not'} JSON>"


@dataclass(frozen=True)
class ErrorView:
    """A `CourseError` in a notebook: one red line and the hint, never a traceback."""

    message: str
    hint: str | None = None

    def __rich__(self) -> RenderableType:
        from rich.text import Text

        text = Text.assemble(("error: ", "error"), self.message)
        if self.hint:
            text.append("\nhint: ", "hint")
            text.append(self.hint)
        return text

    def _repr_html_(self) -> str:
        hint = ""
        if self.hint:
            hint = f"<br><span style='color:#0aa'>hint:</span> {html.escape(self.hint)}"
        return f"<div><b style='color:#c00'>error:</b> {html.escape(self.message)}{hint}</div>"

    def __repr__(self) -> str:
        return f"error: {self.message}" + (f"\nhint: {self.hint}" if self.hint else "")


class CheckView(CheckResult):
    """A `CheckResult` that shows itself as `course check` prints it."""

    @classmethod
    def of(cls, result: CheckResult) -> CheckView:
        """`result` as a view (the same fields)."""
        return cls(**{name: getattr(result, name) for name in result.__dataclass_fields__})

    def __rich__(self) -> RenderableType:
        from course_cli.ui.check_view import render_check

        return render_check(self)

    def _repr_html_(self) -> str:
        from course_cli.ui.check_view import check_html

        return check_html(self)
