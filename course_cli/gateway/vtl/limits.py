"""API Gateway's limits for mapping templates, and the guards that keep every render finite.

AWS's limits apply on every path: 1,000 iterations per `#foreach` (Velocity's `maxloops` ends
the loop quietly: the output keeps the first 1,000, the learner gets a warning) and 300 KB per
template (AWS refuses to save a larger one, so it never renders). Our own guards, where AWS
documents nothing, keep a learner's template from hanging or exhausting the process that
renders it (the grader among them): time, text per string and per render, digits, `#define`
depth and comparison steps, below. A guard that trips raises `LimitExceeded`, which
`render_template` turns into a `TemplateLimitError` with the line and column.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable
from contextvars import ContextVar, Token
from typing import Any, Final

# API Gateway quota: "Number of iterations in a #foreach ... #end loop in mapping templates".
FOREACH_LIMIT: Final = 1000
# API Gateway important notes: "The maximum size of a mapping template is 300 KB" (read as KiB
# of UTF-8, the way AWS's other byte quotas count).
TEMPLATE_BYTES_LIMIT: Final = 300 * 1024
# API Gateway quota: "Payload size: 10 MB"; no string a template builds is allowed to be larger.
TEXT_LIMIT: Final = 10 * 1024 * 1024
# Ours: text one render may build in all (a legitimate template over a 10 MB body builds ~2x).
BUILD_LIMIT: Final = 6 * TEXT_LIMIT
# Ours: a render stops after this long (a module attribute, so tests may shorten it).
RENDER_SECONDS: float = 1.0
# Python refuses to print an integer of more digits (`sys.get_int_max_str_digits()` default).
NUMBER_DIGITS: Final = 4300
_NUMBER_BITS: Final = int(NUMBER_DIGITS * 3.3219280948873626)  # log2(10)
# Ours: nested #define uses; real templates nest two or three.
DEFINE_DEPTH: Final = 40
# Ours: `[a..b]` with more items stays lazy (a #foreach takes 1,000 of them at most).
RANGE_LIST_LIMIT: Final = 10_000
# Ours: steps of one comparison of two collections (`==`, `contains`).
COMPARE_STEPS: Final = 1_000_000


class LimitExceeded(Exception):
    """A template went past a limit; `reason` and `hint` are in the learner's words."""

    def __init__(self, reason: str, hint: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.hint = hint


def template_too_large(text: str) -> int | None:
    """The template's size in UTF-8 bytes when it is over AWS's 300 KB, else None."""
    if len(text) * 4 <= TEMPLATE_BYTES_LIMIT:
        return None  # cannot be over, whatever the characters: skip encoding it
    size = len(text.encode("utf-8", "surrogatepass"))
    return size if size > TEMPLATE_BYTES_LIMIT else None


class RenderBudget:
    """What one render may still spend: time, text built, #define depth."""

    __slots__ = ("built", "deadline", "define_depth", "mutated")

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.built = 0
        self.define_depth = 0
        # Only a map or list changed in place prints longer than its payload.
        self.mutated = False

    def remaining(self) -> float:
        """Seconds left before the render is stopped (never below a millisecond)."""
        return max(self.deadline - time.monotonic(), 0.001)

    def check_time(self) -> None:
        """Raise `LimitExceeded` once the render has run past `RENDER_SECONDS`."""
        if time.monotonic() > self.deadline:
            raise LimitExceeded(
                f"the template ran longer than {RENDER_SECONDS:g} s, this tool's limit for "
                "one render",
                "look for nested #foreach loops, or a #define that uses other #define values "
                "over and over",
            )

    def charge(self, size: int) -> None:
        """Count `size` characters of newly built text; raise past `TEXT_LIMIT` for one
        string or `BUILD_LIMIT` in all."""
        if size > TEXT_LIMIT:
            raise text_too_long(size)
        self.built += size
        if self.built > BUILD_LIMIT:
            raise LimitExceeded(
                f"the template built more than {BUILD_LIMIT // 1024 // 1024} MB of text in one "
                "render",
                'a string that doubles in a loop (#set($s = "$s$s")) grows past any limit; '
                "build the text once",
            )


_current: ContextVar[RenderBudget | None] = ContextVar("vtl_render_budget", default=None)


def current_budget() -> RenderBudget | None:
    """The budget of the render running in this thread, or None outside a render."""
    return _current.get()


def start_render() -> Token[RenderBudget | None]:
    """A fresh budget for the render about to run in this thread (token for `end_render`)."""
    return _current.set(RenderBudget(RENDER_SECONDS))


def end_render(token: Token[RenderBudget | None]) -> None:
    """Forget the budget `start_render` gave."""
    _current.reset(token)


def charge(text: str) -> str:
    """Count `text` as built by the current render; return it unchanged."""
    budget = _current.get()
    if budget is not None:
        budget.charge(len(text))
    return text


def account(result: Any) -> Any:
    """Charge what a template's method call returned, and read the clock: a template may
    call a slow method thousands of times without a loop."""
    budget = _current.get()
    if budget is not None:
        if isinstance(result, str):
            budget.charge(len(result))
        budget.check_time()
    return result


def check_time_for(value: Any) -> None:
    """Read the clock when `value` is a long string (comparing two is a slow step)."""
    if value.__class__ is str and len(value) > 65536:
        budget = _current.get()
        if budget is not None:
            budget.check_time()


def text_too_long(size: int) -> LimitExceeded:
    """The error for one string or output of `size` characters, over `TEXT_LIMIT`."""
    return LimitExceeded(
        f"a string in the template grew to {size:,} characters, past 10 MB (API Gateway's "
        "payload limit)",
        "a template's output cannot be larger than the payload API Gateway accepts",
    )


class TemplateStream(io.StringIO):
    """What a render writes to (airspeed's stream): nothing after `#stop`, and never more
    than `TEXT_LIMIT` characters, however many times a template prints a long value."""

    def __init__(self, initial: str = "") -> None:
        super().__init__(initial)
        self.stop = False  # set by `#stop`

    def write(self, text: str) -> int:
        """Append `text` unless `#stop` ran; raise `LimitExceeded` past `TEXT_LIMIT`."""
        if self.stop:
            return 0
        written = super().write(text)
        if self.tell() > TEXT_LIMIT:
            raise text_too_long(self.tell())
        return written


def mark_mutated() -> None:
    """Note that the current render changed a map or list in place."""
    budget = _current.get()
    if budget is not None:
        budget.mutated = True


def check_number(value: Any) -> Any:
    """`value`, unless it is an integer of more than `NUMBER_DIGITS` digits."""
    if value.__class__ is int and value.bit_length() > _NUMBER_BITS:
        raise number_too_long()
    return value


def number_too_long() -> LimitExceeded:
    """The error for an integer past `NUMBER_DIGITS` digits."""
    return LimitExceeded(
        f"a number in the template grew past {NUMBER_DIGITS:,} digits",
        "a number multiplied by itself in a loop doubles its digits each time",
    )


def multiply_fits(left: int, right: int) -> bool:
    """True when `left * right` cannot have more than `NUMBER_DIGITS` digits (checked
    before multiplying: one multiplication of huge numbers would not stop in time)."""
    return left.bit_length() + right.bit_length() <= _NUMBER_BITS + 1


def replaced_size(text: str, old: str, new: str) -> int:
    """The length of `text.replace(old, new)`, computed without building it."""
    count = len(text) + 1 if old == "" else text.count(old)
    return len(text) + count * (len(new) - len(old))


def bounded_sub(pattern: Any, replacement: str, text: str, count: int = 0) -> str:
    """`pattern.sub(replacement, text, count)`, refused once it grows past `TEXT_LIMIT`.

    When the worst case (each group reference copies the text once, the literal part comes
    once per match) stays within a few times the limit, one call and the result measured;
    otherwise each match is expanded here and the size checked as it grows.
    """
    references = _GROUP_REFERENCE.findall(replacement)
    literal = len(replacement) - sum(map(len, references))
    worst = len(text) * (1 + len(references)) + (len(text) + 1) * literal
    if worst <= 4 * TEXT_LIMIT:
        result = str(run_regex(pattern.sub, replacement, text, count=count))
        if len(result) > TEXT_LIMIT:
            raise text_too_long(len(result))
        return result
    size = len(text)
    matches = 0
    budget = _current.get()

    def expand(match: Any) -> str:
        nonlocal size, matches
        piece: str = match.expand(replacement)
        size += len(piece) - (match.end() - match.start())
        if size > TEXT_LIMIT:
            raise text_too_long(size)
        matches += 1
        if budget is not None and matches % 1024 == 0:
            budget.check_time()  # `re` has no timeout of its own
        return piece

    return str(run_regex(pattern.sub, expand, text, count=count))


_GROUP_REFERENCE = re.compile(r"\\g<\w+>")


def run_regex(method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a compiled pattern's `method`; with the `regex` engine, stop it at the render's
    deadline (a catastrophic backtracking pattern would otherwise never return)."""
    budget = _current.get()
    owner = getattr(method, "__self__", None)
    if budget is None or type(owner).__module__ != "_regex":
        return method(*args, **kwargs)
    try:
        return method(*args, timeout=budget.remaining(), **kwargs)
    except TimeoutError:
        raise LimitExceeded(
            f"the template ran longer than {RENDER_SECONDS:g} s, this tool's limit for one "
            "render, inside a regular expression",
            "nested repetition such as (a|aa)+ makes a regex try exponentially many ways; "
            "otherwise, look for loops that run a regex over and over",
        ) from None


def same_value(left: Any, right: Any) -> bool:
    """`left == right` for maps and lists, in at most `COMPARE_STEPS` steps (Python's `==`
    cannot be stopped, and `[$a, $a]` nested level by level takes 2**levels steps).
    The same object is equal without a look inside."""
    steps = 0
    pending = [(left, right)]
    while pending:
        one, other = pending.pop()
        if one is other:
            continue
        steps += 1
        if steps > COMPARE_STEPS:
            raise LimitExceeded(
                f"comparing two lists or maps took more than {COMPARE_STEPS:,} steps",
                "a list that holds another list twice per level doubles at every level",
            )
        if isinstance(one, list) and isinstance(other, list):
            if len(one) != len(other):
                return False
            pending.extend(zip(one, other, strict=True))
        elif isinstance(one, dict) and isinstance(other, dict):
            if one.keys() != other.keys():
                return False
            pending.extend((one[key], other[key]) for key in one)
        elif isinstance(one, list | dict) or isinstance(other, list | dict):
            return False
        elif one != other:
            return False
    return True


def check_json_size(value: Any) -> None:
    """Raise `LimitExceeded` when `value`'s JSON text would be longer than 10 MB: each
    distinct list or map measured once (linear time), strings unescaped (an estimate)."""
    sizes: dict[int, int] = {}
    pending: list[tuple[Any, bool]] = [(value, False)]
    while pending:
        node, measured_children = pending.pop()
        key = id(node)
        children = list(node.values()) if isinstance(node, dict) else node
        if not measured_children:
            if key in sizes:
                continue
            sizes[key] = 0  # while in progress: a cycle adds nothing (json.dumps refuses it)
            pending.append((node, True))
            pending.extend(
                (child, False)
                for child in children
                if isinstance(child, list | dict) and id(child) not in sizes
            )
            continue
        size = 2 + len(children)
        if isinstance(node, dict):
            size += sum(len(str(name)) + 3 for name in node)
        for child in children:
            if isinstance(child, list | dict):
                size += sizes[id(child)]
            elif isinstance(child, str):
                size += len(child) + 2
            else:
                size += 24  # a number, a boolean or null
        if size > TEXT_LIMIT:
            raise text_too_long(size)
        sizes[key] = size
