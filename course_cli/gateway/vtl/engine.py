"""airspeed-ext, taught to behave like the Velocity that API Gateway runs.

Its parser already matches AWS where it matters; `install()` replaces, once per process, what
it evaluates differently: member look-up (`members`), printing and operators (`values`),
truth (a null condition is true), `#foreach`, the directives AWS prints literally or refuses,
every render under `limits`, and token patterns that scan to the template's end. The
AWS-recorded cases in `tests/gateway/cases/vtl/` fail loudly if an airspeed upgrade moves any
of this.
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
# airspeed reads these in any case (`#INCLUDE`): a template that tries to load a file is
# refused, whatever its spelling.
_UNSUPPORTED = re.compile(r"#\{?(include|parse)\b", re.I)
# How airspeed's token patterns end: `(.*)$`, read only for where it starts.
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
    # AWS: null is *true* in a condition; only false is false.
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
    with _lock:
        if not _installed:
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
            "!=": lambda a, b: not vtl_equals(a, b),
            "&&": lambda a, b: _truthy(a) and _truthy(b),
            "||": lambda a, b: _truthy(a) or _truthy(b),
            "<": _compare(operator.lt),
            "<=": _compare(operator.le),
            ">": _compare(operator.gt),
            ">=": _compare(operator.ge),
            "/": vtl_divide,
            "%": vtl_modulo,
            "+": vtl_add,
            "-": vtl_subtract,
            "*": vtl_multiply,
        }
    )
    # Velocity's word operators mean what their symbols mean.
    words, symbols = "eq ne and or lt le gt ge".split(), "== != && || < <= > >=".split()
    table.update({word: table[symbol] for word, symbol in zip(words, symbols, strict=True)})

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
    ops.ReturnDirective.evaluate_raw = literal("#return")
    _install_guards(ops)


def _linear_parsing(ops: Any) -> None:
    """Make every airspeed token pattern stop after its token: `(.*)$` becomes `()` and
    `(.+)$` `(?=.)()`, so each matches where it did and its last group starts where it did."""
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
        # Lazy when huge: `#foreach($i in [1..2000000000])` costs its 1,000 iterations.
        return list(numbers) if len(numbers) <= RANGE_LIST_LIMIT else numbers

    ops.Range.calculate = range_value

    def interpolated(self: Any, namespace: Any, loader: Any) -> str:
        output = TemplateStream()
        try:
            self.block.evaluate(output, namespace, loader)
        except ops.TemplateExecutionError as error:
            # Offsets inside the string mean nothing: let the element holding it say where.
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
    distinct text; raises airspeed's `TemplateSyntaxError`, or `UnsupportedDirective`.

    Bounded by the size of the texts it keeps, oldest dropped first, not by their number: a
    parsed template is hundreds of bytes per character of its text.
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
