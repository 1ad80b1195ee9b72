"""One render of a mapping template, and its failures in the learner's words.

Every render gets a fresh namespace and its own copy of `$context`: nothing leaks between
requests. Failures raise `TemplateError` with line and column; past a limit (`limits`), its
subclass `TemplateLimitError`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from course_cli.errors import UsageError
from course_cli.gateway.jsonpath import JsonPathError
from course_cli.gateway.vtl.engine import WARNINGS_KEY, UnsupportedDirective, compile_template
from course_cli.gateway.vtl.limits import (
    TEMPLATE_BYTES_LIMIT,
    TEXT_LIMIT,
    LimitExceeded,
    end_render,
    start_render,
    template_too_large,
    text_too_long,
)
from course_cli.gateway.vtl.variables import UTIL, TemplateInput

_OPENERS = re.compile(r"#\{?(if|foreach|macro|define)\b|#\{?end\b\}?", re.I)


class TemplateError(UsageError):
    """A template that does not parse or cannot render; `line`/`column` are 1-based."""

    def __init__(self, reason: str, line: int, column: int, hint: str | None = None) -> None:
        super().__init__(f"template line {line}, column {column}: {reason}", hint)
        self.reason = reason
        self.line = line
        self.column = column


class TemplateLimitError(TemplateError):
    """A template past a limit: AWS's (300 KB) or one that keeps a render finite."""


class TemplateTooLarge(TemplateLimitError):
    """A template over API Gateway's 300 KB: AWS refuses to save it, so it never renders."""

    def __init__(self, size: int) -> None:
        UsageError.__init__(
            self,
            f"the template is {size:,} bytes; API Gateway refuses mapping templates over "
            f"300 KB ({TEMPLATE_BYTES_LIMIT:,} bytes) when they are saved",
            "split the work: move logic into the Lambda function, or pass the body through",
        )
        self.reason = self.message
        self.line = self.column = 1
        self.size = size


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
    """A deep copy of `context` a template may change (nothing reaches the caller's data),
    with empty override maps where missing."""
    copied = {key: _copied(value) for key, value in context.items()}
    copied.setdefault("requestOverride", {"header": {}, "path": {}, "querystring": {}})
    copied.setdefault("responseOverride", {"header": {}})
    return copied


def _copied(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_copied(item) for item in value]
    return value


def render_template(text: str, data: TemplateData) -> Rendered:
    """Render `text` against `data` as API Gateway would; raise `TemplateError` if it fails.
    Whatever the template does, it ends within `limits.RENDER_SECONDS` or raises."""
    size = template_too_large(text)
    if size is not None:
        raise TemplateTooLarge(size)
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
    token = start_render()
    try:
        output = template.merge(namespace)
    except RecursionError:
        raise _too_deep(text) from None
    except Exception as error:
        # Here, on the failure path only: airspeed stays out of `course --help`.
        from airspeed import operators as ops  # type: ignore[import-untyped]

        if isinstance(error, ops.TemplateExecutionError):
            raise _runtime_error(text, error) from None
        if isinstance(error, LimitExceeded):
            raise TemplateLimitError(error.reason, 1, 1, error.hint) from None
        raise
    finally:
        end_render(token)
    if len(output) > TEXT_LIMIT:
        too_long = text_too_long(len(output))
        raise TemplateLimitError(too_long.reason, *position(text, len(text)), too_long.hint)
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
    except RecursionError:
        raise _too_deep(text) from None
    except Exception as error:
        from airspeed import operators as ops

        if isinstance(error, ops.TemplateSyntaxError):
            raise _syntax_error(text, error) from None
        raise


def _too_deep(text: str) -> TemplateLimitError:
    """Python's recursion limit, placed where the template nests deepest."""
    line, column = position(text, deepest_nesting(text))
    return TemplateLimitError(
        "the template nests too deeply for this tool (blocks, parentheses, lists or values "
        "inside each other, or a #define that uses itself)",
        line,
        column,
        hint="flatten it: a few levels of #if/#foreach and of parentheses are plenty",
    )


_NESTING = re.compile(r"#\{?(?:if|foreach|macro|define)\b|#\{?end\b\}?|[(\[{]|[)\]}]", re.I)


def deepest_nesting(text: str) -> int:
    """The offset where blocks, parentheses, brackets and braces nest deepest in `text`."""
    depth = deepest = at = 0
    for found in _NESTING.finditer(text):
        token = found.group()
        if token in ")]}" or token.lstrip("#{").lower().startswith("end"):
            depth = max(depth - 1, 0)
            continue
        depth += 1
        if depth > deepest:
            deepest, at = depth, found.start()
    return at


def position(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of character `offset` in `text`."""
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _syntax_error(text: str, error: Any) -> TemplateError:
    line, column = int(error.line), int(error.column)
    reason = str(error).split(": ", 1)[-1]
    reason = re.sub(r"\s*\.\.\.$", "", reason).replace(", got:  ", ", got end of template")
    # The parser quotes the template's own text: its line breaks would break the one line.
    reason = "".join(char if char.isprintable() else ascii(char)[1:-1] for char in reason)
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
    if isinstance(cause, RecursionError):
        return _too_deep(text)
    line, column = position(text, int(error.start))
    if isinstance(cause, LimitExceeded):
        return TemplateLimitError(cause.reason, line, column, cause.hint)
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
