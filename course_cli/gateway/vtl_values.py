"""How template values behave on API Gateway: Java's objects, Java's printing, Velocity's null.

API Gateway runs Velocity on the JVM, so a value in a template is a Java object: a map prints
as `{id=1, name=lamp}` (not JSON), a string has `replaceAll` with Java regexes, integer
division truncates. This module holds those rules as plain functions over Python values; the
engine adapter (`vtl_engine.py`) plugs them into airspeed.

Two list types exist because AWS prints them differently: a list that came from the JSON
body (`$input.path`, `$util.parseJson`) prints as compact JSON, `[{"foo":"bar"}]` (recorded on
AWS), while a list literal written in the template prints Java-style, `[1, 2]`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Final


class JsonList(list[Any]):
    """A list parsed from JSON: prints as compact JSON, like AWS's JSON-backed lists."""

    __slots__ = ()


def from_json(value: Any) -> Any:
    """A parsed JSON value with every list made a `JsonList` (maps stay plain dicts)."""
    if isinstance(value, dict):
        return {key: from_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return JsonList(from_json(item) for item in value)
    return value


def to_json(value: Any) -> str:
    """Compact JSON text of a template value, as `$input.json` prints it."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def render_value(value: Any) -> str:
    """A value as Velocity on the JVM prints it (`null` for None inside a collection)."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={render_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, JsonList):
        return to_json(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(render_value(item) for item in value) + "]"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return repr(value)  # Java prints a double as 2.0, not 2
    if callable(value):  # a method named without parentheses: Velocity prints the reference
        return ""
    return str(value)


# --- null model and operators ----------------------------------------------------------------


def vtl_equals(left: Any, right: Any) -> bool:
    """Velocity's `==` as AWS runs it: null equals null and the empty string; numbers compare
    by value; a string compares with another value through its printed form."""
    if left is None or right is None:
        other = right if left is None else left
        return other is None or other == ""
    if isinstance(left, str) != isinstance(right, str):
        return render_value(left) == render_value(right)
    return bool(left == right)


def vtl_divide(left: Any, right: Any) -> Any:
    """Java division: integers truncate toward zero (`-7/2` is -3); decimals divide."""
    if isinstance(left, int) and isinstance(right, int):
        quotient = abs(left) // abs(right)
        return quotient if (left >= 0) == (right >= 0) else -quotient
    return left / right


def vtl_modulo(left: Any, right: Any) -> Any:
    """Java remainder: takes the sign of the dividend (`-7 % 2` is -1)."""
    if isinstance(left, int) and isinstance(right, int):
        return left - right * vtl_divide(left, right)
    import math

    return math.fmod(left, right)


def vtl_add(left: Any, right: Any) -> Any:
    """`+`: numbers add; with a string on either side, both print and concatenate."""
    if isinstance(left, str) or isinstance(right, str):
        return render_value(left) + render_value(right)
    return left + right


# --- Java methods ---------------------------------------------------------------------------


@lru_cache(maxsize=256)
def java_regex(pattern: str) -> re.Pattern[str]:
    """A Java regex compiled for Python (the syntax API Gateway templates use is shared)."""
    return re.compile(pattern.replace("(?<", "(?P<") if "(?<" in pattern else pattern)


def java_replacement(replacement: str) -> str:
    """A Java replacement string (`$1`, `\\$`) in Python's `re.sub` syntax (`\\g<1>`)."""
    out = []
    i = 0
    while i < len(replacement):
        char = replacement[i]
        if char == "\\" and i + 1 < len(replacement):
            out.append(replacement[i + 1].replace("\\", "\\\\"))
            i += 2
        elif char == "$" and i + 1 < len(replacement) and replacement[i + 1].isdigit():
            j = i + 1
            while j < len(replacement) and replacement[j].isdigit():
                j += 1
            out.append(f"\\g<{replacement[i + 1 : j]}>")
            i = j
        else:
            out.append("\\\\" if char == "\\" else char)
            i += 1
    return "".join(out)


def _split(text: str, pattern: str, limit: int = 0) -> list[str]:
    parts = java_regex(pattern).split(text, maxsplit=max(limit - 1, 0))
    if limit == 0:
        while parts and parts[-1] == "":
            parts.pop()  # Java drops trailing empty strings
    return parts


def _index_of(text: str, sub: str, start: int = 0) -> int:
    return text.find(sub, start)


def _map_remove(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.pop(key, None)


def _map_put(mapping: dict[Any, Any], key: Any, value: Any) -> Any:
    previous = mapping.get(key)
    mapping[key] = value
    return previous


def _list_set(items: list[Any], index: int, value: Any) -> Any:
    previous = items[index]
    items[index] = value
    return previous


def _list_index(items: list[Any], value: Any) -> int:
    return items.index(value) if value in items else -1


class Entry:
    """A map entry in `#foreach($e in $map.entrySet())`: `$e.key`, `$e.value`."""

    __slots__ = ("key", "value")

    def __init__(self, key: Any, value: Any) -> None:
        self.key = key
        self.value = value

    def getKey(self) -> Any:  # Java spells it so
        return self.key

    def getValue(self) -> Any:  # Java spells it so
        return self.value

    def __str__(self) -> str:
        return f"{self.key}={render_value(self.value)}"


Methods = dict[str, Callable[..., Any]]

STRING_METHODS: Final[Methods] = {
    "length": len,
    "isEmpty": lambda s: s == "",
    "contains": lambda s, sub: render_value(sub) in s,
    "startsWith": lambda s, prefix, start=0: s.startswith(prefix, start),
    "endsWith": lambda s, suffix: s.endswith(suffix),
    "equals": lambda s, other: s == other,
    "equalsIgnoreCase": lambda s, other: isinstance(other, str) and s.lower() == other.lower(),
    "indexOf": _index_of,
    "lastIndexOf": lambda s, sub: s.rfind(sub),
    "substring": lambda s, start, end=None: s[start:end],
    "charAt": lambda s, index: s[index],
    "toLowerCase": str.lower,
    "toUpperCase": str.upper,
    "trim": str.strip,
    "replace": lambda s, old, new: s.replace(render_value(old), render_value(new)),
    "replaceAll": lambda s, p, r: java_regex(p).sub(java_replacement(r), s),
    "replaceFirst": lambda s, p, r: java_regex(p).sub(java_replacement(r), s, count=1),
    "split": _split,
    "matches": lambda s, p: java_regex(p).fullmatch(s) is not None,
    "toString": lambda s: s,
    "hashCode": lambda s: hash(s) & 0x7FFFFFFF,
}

MAP_METHODS: Final[Methods] = {
    "size": len,
    "isEmpty": lambda m: not m,
    "containsKey": lambda m, key: key in m,
    "containsValue": lambda m, value: value in m.values(),
    "get": lambda m, key: m.get(key),
    "put": _map_put,
    "putAll": lambda m, other: m.update(other),
    "remove": _map_remove,
    "keySet": lambda m: list(m.keys()),
    "values": lambda m: list(m.values()),
    "entrySet": lambda m: [Entry(k, v) for k, v in m.items()],
    "toString": render_value,
}

LIST_METHODS: Final[Methods] = {
    "size": len,
    "isEmpty": lambda items: not items,
    "get": lambda items, index: items[index],
    "contains": lambda items, value: value in items,
    "add": lambda items, value: items.append(value) or True,
    "set": _list_set,
    "indexOf": _list_index,
    "toString": render_value,
}
