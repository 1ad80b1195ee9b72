"""Mapping templates rendered the way API Gateway renders them (spec: shared/specs/vtl.md).

```python
rendered = render_template(text, TemplateData(body='{"name": "lamp"}'))
rendered.output          # the text the template printed
rendered.warnings        # e.g. "#macro does not run on API Gateway ..."
rendered.context         # $context after the render (requestOverride / responseOverride)
```

A template is parsed once per distinct text (`vtl_engine.compile_template`) and every render
gets a fresh namespace and its own copy of `$context`, so nothing leaks between requests.
A template that does not parse or fails while rendering raises `TemplateError` with the line
and column and the reason in the learner's words.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from course_cli.errors import UsageError
from course_cli.gateway.jsonpath import JsonPathError
from course_cli.gateway.vtl_engine import WARNINGS_KEY, UnsupportedDirective, compile_template
from course_cli.gateway.vtl_util import UTIL, TemplateInput

_OPENERS = re.compile(r"#\{?(if|foreach|macro|define)\b|#\{?end\b\}?", re.I)


class TemplateError(UsageError):
    """A template that does not parse or cannot render; `line`/`column` are 1-based."""

    def __init__(self, reason: str, line: int, column: int, hint: str | None = None) -> None:
        super().__init__(f"template line {line}, column {column}: {reason}", hint)
        self.reason = reason
        self.line = line
        self.column = column


@dataclass(frozen=True)
class TemplateData:
    """What a template can see: the payload for `$input` and the request around it."""

    body: str = ""
    path_params: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    context: Mapping[str, Any] = field(default_factory=dict)
    stage_variables: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Rendered:
    """One render: its output, warnings for the learner, and `$context` afterwards."""

    output: str
    warnings: list[str]
    context: dict[str, Any]

    @property
    def request_override(self) -> dict[str, dict[str, Any]]:
        """`$context.requestOverride` as the template left it (header, path, querystring)."""
        found = self.context.get("requestOverride")
        return found if isinstance(found, dict) else {}

    @property
    def response_override(self) -> dict[str, Any]:
        """`$context.responseOverride` as the template left it (header, status)."""
        found = self.context.get("responseOverride")
        return found if isinstance(found, dict) else {}


def fresh_context(context: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `context` a template may change, with empty override maps where missing."""
    copied: dict[str, Any] = {}
    for key, value in context.items():
        if isinstance(value, dict):
            copied[key] = {k: dict(v) if isinstance(v, dict) else v for k, v in value.items()}
        else:
            copied[key] = value
    copied.setdefault("requestOverride", {"header": {}, "path": {}, "querystring": {}})
    copied.setdefault("responseOverride", {"header": {}})
    return copied


def render_template(text: str, data: TemplateData) -> Rendered:
    """Render `text` against `data` as API Gateway would; raise `TemplateError` if it fails."""
    template = _compiled(text)
    context = fresh_context(data.context)
    warnings: list[str] = []
    params = {
        "path": dict(data.path_params),
        "querystring": dict(data.query),
        "header": dict(data.headers),
    }
    namespace = {
        "input": TemplateInput(data.body, params),
        "context": context,
        "stageVariables": dict(data.stage_variables),
        "util": UTIL,
        WARNINGS_KEY: warnings,
    }
    try:
        output = template.merge(namespace)
    except Exception as error:
        # Imported here, on the failure path only: airspeed stays out of `course --help`.
        from airspeed import operators as ops  # type: ignore[import-untyped]

        if isinstance(error, ops.TemplateExecutionError):
            raise _runtime_error(text, error) from None
        raise
    return Rendered(output, warnings, context)


def _compiled(text: str) -> Any:
    try:
        return compile_template(text)
    except UnsupportedDirective as error:
        line, column = position(text, error.offset)
        raise TemplateError(
            f"#{error.name} is not available in API Gateway templates",
            line,
            column,
            hint="a mapping template cannot load other files; paste the text in instead",
        ) from None
    except Exception as error:
        from airspeed import operators as ops

        if isinstance(error, ops.TemplateSyntaxError):
            raise _syntax_error(text, error) from None
        raise


def position(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of character `offset` in `text`."""
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _syntax_error(text: str, error: Any) -> TemplateError:
    line, column = int(error.line), int(error.column)
    reason = str(error).split(": ", 1)[-1]
    reason = re.sub(r"\s*\.\.\.$", "", reason).replace(", got:  ", ", got end of template")
    hint = None
    if "#end" in reason:
        opened = unclosed_block(text)
        if opened is not None:
            name, at = opened
            open_line, open_column = position(text, at)
            reason = f"#{name} opened on line {open_line} (column {open_column}) is never closed"
            hint = f"add #end after the #{name} block's body"
    return TemplateError(reason, line, column, hint)


def unclosed_block(text: str) -> tuple[str, int] | None:
    """The innermost `#if`/`#foreach`/`#macro`/`#define` left without `#end`, and its offset."""
    stack: list[tuple[str, int]] = []
    for found in _OPENERS.finditer(text):
        if found.group(1):
            stack.append((found.group(1).lower(), found.start()))
        elif stack:
            stack.pop()
    return stack[-1] if stack else None


def _runtime_error(text: str, error: Any) -> TemplateError:
    cause = error.__cause__
    line, column = position(text, int(error.start))
    snippet = text[error.start : error.end].strip().splitlines()
    where = f" in {snippet[0][:60]}" if snippet else ""
    if isinstance(cause, JsonPathError):
        return TemplateError(
            f"{cause}{where}",
            line,
            column,
            hint="a JSONPath starts with $, e.g. '$.name' or '$.items[0].id'",
        )
    if isinstance(cause, KeyError):
        reason = f"cannot #set a field of {cause}: it is not defined{where}"
    else:
        reason = f"{cause}{where}" if cause is not None else f"rendering failed{where}"
    return TemplateError(reason, line, column)


def json_problem(output: str) -> str | None:
    """Why `output` is not valid JSON (with its line and column), or None when it is."""
    try:
        json.loads(output)
    except json.JSONDecodeError as error:
        return f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
    return None
