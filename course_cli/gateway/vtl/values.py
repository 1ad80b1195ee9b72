"""How template values behave on API Gateway: Java's objects, Java's printing, Velocity's null.

Plain functions over Python values, plugged into airspeed by `engine`: a map prints as
`{id=1, name=lamp}`, strings have Java's methods, integer division truncates. A list from the
JSON body prints as compact JSON (`JsonList`, as recorded on AWS), a template's literal
Java-style, `[1, 2]`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar, Final

from course_cli.gateway.vtl.limits import (
    RANGE_LIST_LIMIT,
    TEXT_LIMIT,
    LimitExceeded,
    bounded_sub,
    charge,
    check_json_size,
    check_number,
    check_time_for,
    current_budget,
    mark_mutated,
    multiply_fits,
    number_too_long,
    replaced_size,
    run_regex,
    same_value,
    text_too_long,
)


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
    if value.__class__ in _CONTAINERS:
        budget = current_budget()
        if budget is not None and budget.mutated:
            check_json_size(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=render_value)


_CONTAINERS: Final = frozenset({dict, list, JsonList})


def render_value(value: Any) -> str:
    """A value as Velocity on the JVM prints it (`null` for None inside a collection)."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        # Java prints a map inside itself as "(this Map)"; deeper cycles overflow its stack.
        return _joined(
            "{",
            (f"{k}={'(this Map)' if v is value else render_value(v)}" for k, v in value.items()),
            "}",
        )
    if isinstance(value, JsonList):
        return to_json(value)
    if isinstance(value, list | tuple):
        return _joined(
            "[",
            ("(this Collection)" if v is value else render_value(v) for v in value),
            "]",
        )
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return repr(value)  # Java prints a double as 2.0, not 2
    if isinstance(value, int | float | Entry):
        return str(value)
    if isinstance(value, range):  # a range too long to make a list of (see `engine`)
        raise LimitExceeded(
            f"a range of {len(value):,} numbers cannot be printed or stored, only looped over",
            f"API Gateway's Velocity builds every number of a range; keep ranges under "
            f"{RANGE_LIST_LIMIT:,} numbers",
        )
    # A method named without parentheses, `$input`, `$util`: nothing, not Python's repr.
    return ""


def _joined(opening: str, pieces: Iterable[str], closing: str) -> str:
    """`opening + ", ".join(pieces) + closing`, stopped past 10 MB or the render's time."""
    budget = current_budget()
    if budget is not None:
        budget.check_time()
    out = [opening]
    size = 2
    for piece in pieces:
        if size > 2:
            out.append(", ")
        out.append(piece)
        size += len(piece) + 2
        if size > TEXT_LIMIT:
            raise text_too_long(size)
    out.append(closing)
    return "".join(out)


# --- null model and operators ----------------------------------------------------------------


def vtl_equals(left: Any, right: Any) -> bool:
    """Velocity's `==` as AWS runs it: null equals null and the empty string; numbers compare
    by value; a string compares with another value through its printed form."""
    if left is None or right is None:
        other = right if left is None else left
        return other is None or other == ""
    if isinstance(left, str) != isinstance(right, str):
        return render_value(left) == render_value(right)
    check_time_for(left)
    if left.__class__ in _CONTAINERS and right.__class__ in _CONTAINERS:
        return same_value(left, right)
    return bool(left == right)


def _is_number(value: Any) -> bool:
    # Java's Boolean is not a Number, as Python's bool is an int.
    return isinstance(value, int | float) and not isinstance(value, bool)


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
    return math.fmod(left, right)


def vtl_add(left: Any, right: Any) -> Any:
    """`+`: numbers add; with a string on either side, both print and concatenate; anything
    else (two lists, two maps) is null, as in Velocity."""
    if isinstance(left, str) or isinstance(right, str):
        return charge(render_value(left) + render_value(right))
    if _is_number(left) and _is_number(right):
        return check_number(left + right)
    return None


def vtl_subtract(left: Any, right: Any) -> Any:
    """`-`: numbers only; anything else is null, as in Velocity."""
    if _is_number(left) and _is_number(right):
        return check_number(left - right)
    return None


def vtl_multiply(left: Any, right: Any) -> Any:
    """`*`: numbers only (Python's `'a' * 3` repeats a string; Velocity answers null)."""
    if not (_is_number(left) and _is_number(right)):
        return None
    if isinstance(left, int) and isinstance(right, int) and not multiply_fits(left, right):
        raise number_too_long()  # before multiplying: one huge product would not stop
    return left * right


# --- Java methods ---------------------------------------------------------------------------


@lru_cache(maxsize=256)
def java_regex(pattern: str) -> Any:
    """A Java regex compiled with `regex`, whose matches take a timeout (`limits.run_regex`)."""
    import regex  # type: ignore[import-untyped]

    text = pattern.replace("(?<", "(?P<") if "(?<" in pattern else pattern
    try:
        return regex.compile(text)
    except regex.error as error:
        raise re.error(str(error)) from None


def java_replacement(replacement: str) -> str:
    """A Java replacement string (`$1`, `\\$`) in Python's `re.sub` syntax (`\\g<1>`)."""
    if "\\" not in replacement and "$" not in replacement:
        return replacement
    return _REPLACEMENT_TOKEN.sub(_python_replacement, replacement)


_REPLACEMENT_TOKEN = re.compile(r"\\(.)|\$([0-9]+)|\\", re.S)


def _python_replacement(token: re.Match[str]) -> str:
    escaped, group = token.group(1), token.group(2)
    if escaped is not None:  # `\x` is a literal x; a literal backslash is doubled for Python
        return "\\\\" if escaped == "\\" else escaped
    if group is not None:
        return f"\\g<{group}>"
    return "\\\\"  # a lone backslash at the end


def _split(text: str, pattern: str, limit: int = 0) -> list[str]:
    parts: list[str] = run_regex(java_regex(pattern).split, text, maxsplit=max(limit - 1, 0))
    if limit == 0:
        while parts and parts[-1] == "":
            parts.pop()  # Java drops trailing empty strings
    return parts


def _replace(text: str, old: Any, new: Any) -> str:
    old, new = render_value(old), render_value(new)
    size = replaced_size(text, old, new)
    if size > TEXT_LIMIT:
        raise text_too_long(size)  # before building it: `$s.replace('a', $s)` squares it
    return text.replace(old, new)


def _replace_all(text: str, pattern: str, replacement: str, count: int = 0) -> str:
    return bounded_sub(java_regex(pattern), java_replacement(replacement), text, count)


def _map_remove(mapping: dict[Any, Any], key: Any) -> Any:
    mark_mutated()
    return mapping.pop(key, None)


def _map_put(mapping: dict[Any, Any], key: Any, value: Any) -> Any:
    mark_mutated()
    previous = mapping.get(key)
    mapping[key] = value
    return previous


def _map_put_all(mapping: dict[Any, Any], other: Any) -> None:
    mark_mutated()
    mapping.update(other)


def _list_add(items: list[Any], value: Any) -> bool:
    mark_mutated()
    items.append(value)
    return True


def _list_set(items: list[Any], index: int, value: Any) -> Any:
    mark_mutated()
    previous = items[index]
    items[index] = value
    return previous


def _position(items: Any, value: Any) -> int:
    """Java's `indexOf`: -1 when absent; collections compare step by step (`same_value`)."""
    if value.__class__ in _CONTAINERS:
        for index, item in enumerate(items):
            if item.__class__ in _CONTAINERS and same_value(item, value):
                return index
        return -1
    return items.index(value) if value in items else -1


@dataclass(slots=True, eq=False)
class Entry:
    """A map entry in `#foreach($e in $map.entrySet())`: `$e.key`, `$e.value`."""

    TEMPLATE_MEMBERS: ClassVar[frozenset[str]] = frozenset({"key", "value", "getKey", "getValue"})
    key: Any
    value: Any

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
    "indexOf": lambda s, sub, start=0: s.find(sub, start),
    "lastIndexOf": lambda s, sub: s.rfind(sub),
    "substring": lambda s, start, end=None: s[start:end],
    "charAt": lambda s, index: s[index],
    "toLowerCase": str.lower,
    "toUpperCase": str.upper,
    "trim": str.strip,
    "replace": _replace,
    "replaceAll": _replace_all,
    "replaceFirst": lambda s, p, r: _replace_all(s, p, r, 1),
    "split": _split,
    "matches": lambda s, pattern: run_regex(java_regex(pattern).fullmatch, s) is not None,
    "toString": lambda s: s,
    "hashCode": lambda s: hash(s) & 0x7FFFFFFF,
}

MAP_METHODS: Final[Methods] = {
    "size": len,
    "isEmpty": lambda m: not m,
    "containsKey": lambda m, key: key in m,
    "containsValue": lambda m, value: _position(list(m.values()), value) >= 0,
    "get": lambda m, key: m.get(key),
    "put": _map_put,
    "putAll": _map_put_all,
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
    "contains": lambda items, value: _position(items, value) >= 0,
    "add": _list_add,
    "set": _list_set,
    "indexOf": _position,
    "toString": render_value,
}
