"""airspeed-ext, taught to behave like the Velocity that API Gateway runs.

airspeed-ext's parser already matches AWS where it matters (silent undefined references,
lower-case booleans, literal backslashes in string literals, `$m['k'] = v`), so we keep it and
replace what it evaluates differently, once per process, in `install()`:

- member look-up (`NameOrCall.calculate`, in `members`): Java's methods on strings, maps
  and lists (`values`), so `$s.split(',')` is Java's regex split; on `$input` and `$util`
  only the members AWS documents; no Python attribute (`$s.__class__`) is reachable;
- printing (`value_to_string`): maps as `{k=v}`, JSON-backed lists as JSON;
- operators: null equals null and `""`, Java integer division and remainder, string `+`;
- truth: only null-free `false` is false... except that AWS treats a null condition as true
  (`#if($undefined)` is true), which the engine already does;
- `#foreach` iterates a map's values (Velocity does), honours `#break` (Velocity 1.7) and
  stops after API Gateway's 1,000 iterations; `[a..b]` is a list, or lazy when huge;
- `#macro`, macro calls, unknown `#name(...)`, `#evaluate` and `#return` are printed
  literally, as AWS does, with a warning for the learner; `#include`/`#parse` never load;
- every loop, `#define` use and string it builds counts against the render's limits
  (`limits`), and the output is a `limits.TemplateStream`, which refuses to pass 10 MB;
- its token patterns stop after their token (`_linear_parsing`): as shipped they scan to the
  end of the template for every token, and a 300 KB template took 10-25 s to parse.

These are module-level replacements in a library only course uses in this process; the
AWS-recorded cases in `tests/gateway/cases/vtl/` fail loudly if an airspeed upgrade moves them.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from typing import Any, Final

from course_cli.gateway.vtl.limits import (
    FOREACH_LIMIT,
    RANGE_LIST_LIMIT,
    TEMPLATE_BYTES_LIMIT,
    TemplateStream,
    charge,
    check_time_for,
    current_budget,
    mark_mutated,
)
from course_cli.gateway.vtl.members import make_lookup
from course_cli.gateway.vtl.values import (
    render_value,
    vtl_add,
    vtl_divide,
    vtl_equals,
    vtl_modulo,
    vtl_multiply,
    vtl_subtract,
)

WARNINGS_KEY: Final = "\x00warnings"  # a namespace key no template can name
# airspeed reads these in any case (`#INCLUDE`); Velocity would print those literally, but a
# template that tries to load a file is refused here, whatever its spelling.
_UNSUPPORTED = re.compile(r"#\{?(include|parse)\b", re.I)
# How airspeed's token patterns end: a group capturing the rest of the template, `(.*)$`,
# read only for where it starts (see `_linear_parsing`).
_REST = re.compile(r"\((?:\.\*|\.\+)\)\$?\Z")
_installed = False
_lock = threading.Lock()


class BreakLoop(Exception):
    """Raised by `#break`, caught by the innermost `#foreach`."""


def _warn(namespace: Any, message: str) -> None:
    top = namespace.top() if hasattr(namespace, "top") else namespace
    warnings = top.get(WARNINGS_KEY)
    if warnings is not None and message not in warnings:
        warnings.append(message)


def _truthy(value: Any) -> bool:
    # AWS: null is *true* in a condition; false is false; everything else is true (unverified
    # for "", 0 and empty lists, which Java Velocity 1.7 also treats as true).
    return value is not False


def _compare(op: Any) -> Any:
    def compare(left: Any, right: Any) -> bool:
        if left is None or right is None:
            return False  # Velocity logs the null operand and answers false
        check_time_for(left)
        return bool(op(left, right))

    return compare


def install() -> None:
    """Apply AWS's semantics to airspeed, once (idempotent, thread-safe)."""
    global _installed
    if _installed:
        return
    with _lock:
        if _installed:
            return
        _patch()
        _installed = True


def _patch() -> None:
    import operator

    from airspeed import operators as ops  # type: ignore[import-untyped]

    _linear_parsing(ops)
    ops.StoppableStream = TemplateStream
    ops.value_to_string = render_value
    table = ops.BinaryOperator.OPERATORS
    table.update(
        {
            "==": vtl_equals,
            "eq": vtl_equals,
            "!=": lambda a, b: not vtl_equals(a, b),
            "ne": lambda a, b: not vtl_equals(a, b),
            "/": vtl_divide,
            "%": vtl_modulo,
            "+": vtl_add,
            "-": vtl_subtract,
            "*": vtl_multiply,
            "&&": lambda a, b: _truthy(a) and _truthy(b),
            "and": lambda a, b: _truthy(a) and _truthy(b),
            "||": lambda a, b: _truthy(a) or _truthy(b),
            "or": lambda a, b: _truthy(a) or _truthy(b),
        }
    )
    for name, op in (("<", operator.lt), ("<=", operator.le), (">", operator.gt)):
        table[name] = _compare(op)
    table[">="] = _compare(operator.ge)
    for alias, name in (("lt", "<"), ("le", "<="), ("gt", ">"), ("ge", ">=")):
        table[alias] = table[name]
    ops.UnaryOperatorValue.OPERATORS = {
        "!": lambda v: not _truthy(v),
        "not": lambda v: not _truthy(v),
    }

    def unary(self: Any, namespace: Any, loader: Any) -> Any:
        return not _truthy(self.value.calculate(namespace, loader))

    ops.UnaryOperatorValue.calculate = unary

    def condition(self: Any, namespace: Any, loader: Any) -> bool:
        return _truthy(self.expression.calculate(namespace, loader))

    ops.Condition.calculate = condition
    ops.NameOrCall.calculate = make_lookup(ops)

    def foreach(self: Any, stream: Any, namespace: Any, loader: Any) -> None:
        iterable = self.value.calculate(namespace, loader)
        if iterable is None:
            return
        if isinstance(iterable, dict):
            iterable = list(iterable.values())  # Velocity iterates a map's values
        elif not isinstance(iterable, list | tuple | range):
            iterable = list(iterable) if hasattr(iterable, "__iter__") else [iterable]
        length = len(iterable)
        budget = current_budget()
        for index, item in enumerate(iterable):
            if index == FOREACH_LIMIT:
                _warn(namespace, _stopped_loop(self, length))
                return
            if budget is not None:
                budget.check_time()
            local = ops.LocalNamespace(namespace)
            count = index + 1
            local["velocityCount"] = count
            local["velocityHasNext"] = count < length
            local["foreach"] = {
                "count": count,
                "index": index,
                "hasNext": count < length,
                "first": count == 1,
                "last": count == length,
            }
            local[self.loop_var_name] = item
            try:
                self.block.evaluate(stream, local, loader)
            except BreakLoop:
                return
            except ops.TemplateExecutionError as error:
                if isinstance(error.__cause__, BreakLoop):
                    return
                raise

    ops.ForeachDirective.evaluate_raw = foreach

    class BreakDirective(ops._Element):  # type: ignore[misc]
        START = re.compile(r"#(?:break|\{break\})()")  # `()`: see `_linear_parsing`

        def parse(self) -> None:
            self.identity_match(self.START)

        def evaluate(self, stream: Any, namespace: Any, loader: Any) -> None:
            raise BreakLoop

    if BreakDirective not in ops.UserDefinedDirective.DIRECTIVES:
        ops.UserDefinedDirective.DIRECTIVES.insert(0, BreakDirective)

    def literal(what: str) -> Any:
        def evaluate_raw(self: Any, stream: Any, namespace: Any, loader: Any) -> None:
            stream.write(self.my_text())
            _warn(
                namespace,
                f"{what} does not run on API Gateway: it is printed as written "
                f"({self.my_text().splitlines()[0][:40]})",
            )

        return evaluate_raw

    ops.MacroDefinition.evaluate_raw = literal("#macro")
    ops.MacroCall.evaluate_raw = literal("a macro call")
    ops.EvaluateDirective.evaluate_raw = literal("#evaluate")
    # airspeed's own #return (AppSync's) printed Python's repr of any object.
    ops.ReturnDirective.evaluate_raw = literal("#return")
    _install_guards(ops)


def _linear_parsing(ops: Any) -> None:
    """Make every airspeed token pattern stop after its token (see `_REST`).

    Each `(.*)$` at the end of a pattern becomes `()`, and `(.+)$` becomes `(?=.)()` (it also
    asked for one more character): the patterns match where they matched before, and the
    last group starts where it started, which is all airspeed's parser reads of it.
    """
    owners = [ops, *(cls for cls in vars(ops).values() if isinstance(cls, type))]
    for owner in owners:
        for name, value in list(vars(owner).items()):
            if not isinstance(value, re.Pattern):
                continue
            found = _REST.search(value.pattern)
            if found is None:
                continue
            tail = "(?=.)()" if "+" in found.group() else "()"
            setattr(owner, name, re.compile(value.pattern[: found.start()] + tail, value.flags))


def _stopped_loop(loop: Any, length: int) -> str:
    line = loop.full_text()[: loop.start].count("\n") + 1
    return (
        f"#foreach on line {line} stopped after {FOREACH_LIMIT:,} of its {length:,} items: "
        "API Gateway runs at most 1,000 iterations of a loop and drops the rest silently"
    )


def _install_guards(ops: Any) -> None:
    """Ranges, interpolated strings, in-place changes and file loading under the limits."""

    def range_value(self: Any, namespace: Any, loader: Any) -> Any:
        low = _java_int(self.value1.calculate(namespace, loader))
        high = _java_int(self.value2.calculate(namespace, loader))
        if low is None or high is None:
            return None  # Velocity: a range needs two numbers, else it is null
        step = 1 if high >= low else -1
        numbers = range(low, high + step, step)
        # Velocity builds the whole list; a huge one stays lazy here, so that
        # `#foreach($i in [1..2000000000])` costs its 1,000 iterations and nothing more.
        return list(numbers) if len(numbers) <= RANGE_LIST_LIMIT else numbers

    ops.Range.calculate = range_value

    def interpolated(self: Any, namespace: Any, loader: Any) -> str:
        output = TemplateStream()
        try:
            self.block.evaluate(output, namespace, loader)
        except ops.TemplateExecutionError as error:
            # The string's own elements count offsets inside the string: let the element
            # holding the string (its #set, its reference) say where in the template.
            raise error.__cause__ from None
        return charge(output.getvalue())

    ops.InterpolatedStringLiteral.calculate = interpolated
    assign = ops.Assignment.evaluate_raw

    def assignment(self: Any, stream: Any, namespace: Any, loader: Any) -> Any:
        if self.terms:
            mark_mutated()  # `#set($map.key = ...)` changes a map or list in place
        return assign(self, stream, namespace, loader)

    ops.Assignment.evaluate_raw = assignment

    def refuse(self: Any, stream: Any, namespace: Any, loader: Any) -> None:
        # `compile_template` refuses these first; this is the second lock on the door.
        raise UnsupportedDirective(type(self).__name__[: -len("Directive")].lower(), self.start)

    ops.IncludeDirective.evaluate_raw = refuse
    ops.ParseDirective.evaluate_raw = refuse


def _java_int(value: Any) -> int | None:
    """Java's `Number.intValue()`, which Velocity applies to a range's ends: a long wraps to
    32 bits, a double is cut and held to the int range; None for what is not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float):
        if value != value:  # NaN
            return 0
        return int(max(min(value, 2**31 - 1), -(2**31)))
    return (value + 2**31) % 2**32 - 2**31


class TemplateCache:
    """`compile_template(text)`: the parsed airspeed template for `text`, parsed once per
    distinct text while the cached texts add up to `CACHED_TEXT` characters.

    Raises airspeed's `TemplateSyntaxError`, or `UnsupportedDirective` for #include/#parse.
    A parsed template takes some 200-600 bytes per character of its text, and parsing one
    takes about 15 us per character (a 300 KB template: seconds). So the cache is bounded by
    the size of the texts it keeps, not their number (a class of learners' 300 KB templates
    would otherwise keep gigabytes), and drops the oldest first; the lesson's templates are
    under 2 KB, so hundreds of them fit.
    """

    CACHED_TEXT: Final = TEMPLATE_BYTES_LIMIT + 16 * 1024

    def __init__(self) -> None:
        self._parsed: OrderedDict[str, Any] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def __call__(self, text: str) -> Any:
        found = self._parsed.get(text)  # one atomic read: a hit takes no lock
        if found is not None:
            return found
        template = _parse(text)
        if len(text) <= self.CACHED_TEXT:
            with self._lock:
                if text not in self._parsed:
                    self._parsed[text] = template
                    self._size += len(text)
                    while self._size > self.CACHED_TEXT:
                        oldest, _ = self._parsed.popitem(last=False)
                        self._size -= len(oldest)
        return template

    def cache_clear(self) -> None:
        """Forget every parsed template (the benchmark measures parsing with it)."""
        with self._lock:
            self._parsed.clear()
            self._size = 0


def _parse(text: str) -> Any:
    install()
    import airspeed

    found = _UNSUPPORTED.search(text)
    if found is not None:
        raise UnsupportedDirective(found.group(1), found.start())
    template = airspeed.Template(text)
    template.ensure_compiled()
    return template


compile_template = TemplateCache()


class UnsupportedDirective(Exception):
    """`#include` / `#parse`: API Gateway templates cannot load other files."""

    def __init__(self, name: str, offset: int) -> None:
        super().__init__(name)
        self.name = name
        self.offset = offset
