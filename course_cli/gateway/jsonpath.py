"""The JSONPath subset API Gateway templates use: `$input.path(...)` and `$input.json(...)`.

Supported: `$`, names (`$.a`, `$['a b']`), indexes (`$.items[-1]`), wildcards (`[*]`, `.*`),
deep scan (`$..name`) and filters comparing a field with a literal (`[?(@.price > 10)]`). A
definite path (names and indexes only) gives one value or `MISSING`, any other a list of
matches, as Jayway JsonPath (whose behaviour AWS's matches) does. Else `JsonPathError`.
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

MISSING: Final = object()  # a definite path that selects nothing

_NAME = re.compile(r"[A-Za-z_$@\u0080-\uffff][\w$@\u0080-\uffff-]*")
_FILTER = re.compile(
    r"\[\?\(\s*@\.([\w-]+)\s*(==|!=|<=|>=|<|>)\s*"
    r"('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|-?\d+(?:\.\d+)?|true|false|null)\s*\)\]"
)
_COMPARE: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


class JsonPathError(ValueError):
    """A JSONPath that does not parse; `column` is 1-based."""

    def __init__(self, path: str, column: int, reason: str) -> None:
        super().__init__(f"JSONPath {path!r} does not parse at column {column}: {reason}")
        self.path = path
        self.column = column
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a path: `name`, `index`, `wildcard`, `deep` (scan for name) or `filter`."""

    kind: str
    key: Any = None
    test: tuple[str, str, Any] | None = None


@dataclass(frozen=True, slots=True)
class JsonPath:
    """A parsed path; `definite` when it can select at most one value."""

    text: str
    steps: tuple[Step, ...]

    @property
    def definite(self) -> bool:
        return all(step.kind in ("name", "index") for step in self.steps)

    def find(self, document: Any) -> Any:
        """The value at the path (or `MISSING`), or the list of matches for an indefinite path."""
        current = [document]
        for step in self.steps:
            current = [found for value in current for found in _apply(step, value)]
        if self.definite:
            return current[0] if current else MISSING
        return current


@lru_cache(maxsize=512)
def parse_path(text: str) -> JsonPath:
    """Parse `text` once (cached); raise `JsonPathError` when it is not a path we support."""
    path = text.strip()
    if not path.startswith("$"):
        raise JsonPathError(text, 1, "a path starts with $ (the whole body)")
    steps: list[Step] = []
    at = 1
    while at < len(path):
        rest = path[at:]
        if rest.startswith(".."):
            name = _NAME.match(path, at + 2)
            if name is None:
                raise JsonPathError(text, at + 3, "expected a name after ..")
            steps.append(Step("deep", name.group()))
            at = name.end()
        elif rest.startswith(".*") or rest.startswith("[*]"):
            steps.append(Step("wildcard"))
            at += 2 if rest.startswith(".*") else 3
        elif rest.startswith("."):
            name = _NAME.match(path, at + 1)
            if name is None:
                raise JsonPathError(text, at + 2, "expected a name after .")
            steps.append(Step("name", name.group()))
            at = name.end()
        elif rest.startswith("[?"):
            found = _FILTER.match(path, at)
            if found is None:
                raise JsonPathError(text, at + 1, "expected a filter like [?(@.price > 10)]")
            field, op, literal = found.groups()
            steps.append(Step("filter", test=(field, op, _literal(literal))))
            at = found.end()
        elif rest.startswith("["):
            at = _bracket(text, path, at, steps)
        else:
            raise JsonPathError(text, at + 1, f"unexpected {rest[0]!r}")
    return JsonPath(text, tuple(steps))


def _bracket(text: str, path: str, at: int, steps: list[Step]) -> int:
    close = path.find("]", at)
    if close < 0:
        raise JsonPathError(text, at + 1, "[ is never closed")
    inner = path[at + 1 : close].strip()
    if re.fullmatch(r"-?\d+", inner):
        steps.append(Step("index", int(inner)))
    elif len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "'\"":
        steps.append(Step("name", inner[1:-1]))
    else:
        raise JsonPathError(text, at + 2, "expected an index, a quoted name, * or a filter")
    return close + 1


def _literal(token: str) -> Any:
    if token[0] in "'\"":
        return token[1:-1]
    return json.loads(token)


def _apply(step: Step, value: Any) -> list[Any]:
    kind = step.kind
    if kind == "name":
        if isinstance(value, dict) and step.key in value:
            return [value[step.key]]
        return []
    if kind == "index":
        if isinstance(value, list) and -len(value) <= step.key < len(value):
            return [value[step.key]]
        return []
    if kind == "wildcard":
        if isinstance(value, dict):
            return list(value.values())
        return list(value) if isinstance(value, list) else []
    if kind == "deep":
        return list(_deep(value, step.key))
    assert step.test is not None
    field, op, expected = step.test
    items = value if isinstance(value, list) else []
    return [item for item in items if _passes(item, field, op, expected)]


def _passes(item: Any, field: str, op: str, expected: Any) -> bool:
    if not isinstance(item, dict) or field not in item:
        return False
    try:
        return _COMPARE[op](item[field], expected)
    except TypeError:  # comparing a string with a number: no match, as Jayway does
        return False


def _deep(value: Any, name: str) -> list[Any]:
    found: list[Any] = []
    if isinstance(value, dict):
        if name in value:
            found.append(value[name])
        for child in value.values():
            found.extend(_deep(child, name))
    elif isinstance(value, list):
        for child in value:
            found.extend(_deep(child, name))
    return found
