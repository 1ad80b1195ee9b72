"""airspeed-ext, taught to behave like the Velocity that API Gateway runs.

airspeed-ext's parser already matches AWS where it matters (silent undefined references,
lower-case booleans, literal backslashes in string literals, `$m['k'] = v`), so we keep it and
replace what it evaluates differently, once per process, in `install()`:

- member look-up (`NameOrCall.calculate`): Java's methods on strings, maps and lists
  (`vtl_values`) come before Python's, so `$s.split(',')` is Java's regex split and no Python
  attribute (`$s.__class__`) is reachable; our own objects (`$input`, `$util`) by attribute;
- printing (`value_to_string`): maps as `{k=v}`, JSON-backed lists as JSON;
- operators: null equals null and `""`, Java integer division and remainder, string `+`;
- truth: only null-free `false` is false... except that AWS treats a null condition as true
  (`#if($undefined)` is true), which the engine already does;
- `#foreach` iterates a map's values (Velocity does) and honours `#break` (Velocity 1.7);
- `#macro`, macro calls, unknown `#name(...)` and `#evaluate` are printed literally, as AWS
  does, with a warning for the learner.

These are module-level replacements in a library only course uses in this process; the
AWS-recorded cases in `tests/gateway/cases/vtl/` fail loudly if an airspeed upgrade moves them.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any, Final

from course_cli.gateway.vtl_speed import TemplateStream, install_fast_paths, specialise
from course_cli.gateway.vtl_values import (
    LIST_METHODS,
    MAP_METHODS,
    STRING_METHODS,
    JsonList,
    render_value,
    vtl_add,
    vtl_divide,
    vtl_equals,
    vtl_modulo,
)

WARNINGS_KEY: Final = "\x00warnings"  # a namespace key no template can name
_UNSUPPORTED = re.compile(r"#\{?(include|parse)\b")
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
    lookup = _make_lookup(ops)
    ops.NameOrCall.calculate = lookup
    install_fast_paths(ops, lookup)

    def foreach(self: Any, stream: Any, namespace: Any, loader: Any) -> None:
        iterable = self.value.calculate(namespace, loader)
        if iterable is None:
            return
        if isinstance(iterable, dict):
            iterable = list(iterable.values())  # Velocity iterates a map's values
        elif not isinstance(iterable, list | tuple | range):
            iterable = list(iterable) if hasattr(iterable, "__iter__") else [iterable]
        length = len(iterable)
        for index, item in enumerate(iterable):
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
        START = re.compile(r"#(?:break|\{break\})(.*)$", re.S)

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


def _make_lookup(ops: Any) -> Any:
    """`$object.name` and `$object.name(args)` with Java's methods first.

    Runs for every `.name` of every reference, so the common cases come first and are
    decided on the exact class (a scope, a map, a string, a list); subclasses take the
    general path below, which gives the same answers.
    """
    function_definition = ops._FunctionDefinition
    define_definition = ops.DefineDefinition
    local_namespace = ops.LocalNamespace
    plain = (str, int, float, bool, list, dict, tuple, type(None))
    map_method = MAP_METHODS.get
    string_method = STRING_METHODS.get
    list_method = LIST_METHODS.get
    dict_get = dict.get
    missing = object()

    def calculate(self: Any, current: Any, loader: Any, top: Any) -> Any:
        name = self.name
        parameters = self.parameters
        cls = current.__class__
        method = None
        if cls is local_namespace:
            # A variable (never a Java method): walk the scopes out to the render's namespace.
            scope = current
            while True:
                result = dict_get(scope, name, missing)
                if result is not missing:
                    break
                scope = scope.parent
                if scope.__class__ is not local_namespace:
                    result = scope.get(name) if isinstance(scope, dict) else None
                    break
        elif cls is dict:
            if parameters is None:
                result = current.get(name)
            else:
                method = map_method(name)
                result = None
        elif cls is str:
            if parameters is None:
                return None
            method = string_method(name)
            result = None
        elif cls is list or cls is JsonList:
            if parameters is None:
                return None
            method = list_method(name)
            result = None
        elif name[0] == "_" or isinstance(current, plain):
            return general(self, current, loader, top)
        else:  # our objects ($input, $util, map entries): their attributes
            result = getattr(current, name, None)
            if result is None:
                return None
            if parameters is not None and callable(result):
                if isinstance(result, function_definition):
                    return call_definition(self, result, loader, top)
                return result(*parameters.calculate(top, loader))
            return finish(self, result, loader, top)
        if method is not None:
            return method(current, *parameters.calculate(top, loader))
        if result is None:
            return None
        if parameters is None and self.index is None:
            if isinstance(result, function_definition):
                return call_definition(self, result, loader, top)
            return result
        return finish(self, result, loader, top)

    def general(self: Any, current: Any, loader: Any, top: Any) -> Any:
        name = self.name
        parameters = self.parameters
        result: Any = None
        method = None
        if isinstance(current, dict):
            if parameters is None or isinstance(current, local_namespace):
                try:
                    result = current[name]
                except KeyError:
                    result = None
            else:
                method = map_method(name)
        elif isinstance(current, str):
            method = string_method(name) if parameters is not None else None
        elif isinstance(current, list):
            method = list_method(name) if parameters is not None else None
        elif not isinstance(current, plain) and not name.startswith("_"):
            result = getattr(current, name, None)
        if method is not None:
            return method(current, *parameters.calculate(top, loader))
        if result is None:
            return None
        return finish(self, result, loader, top)

    def call_definition(self: Any, result: Any, loader: Any, top: Any) -> str:
        parameters = self.parameters
        params = (parameters and parameters.calculate(top, loader)) or []
        stream = TemplateStream()
        result.execute_function(stream, top, params, loader)
        value: str = stream.getvalue()
        if isinstance(result, define_definition) and parameters and not params:
            value += parameters.my_text()  # AWS prints an empty argument list verbatim
        return value

    def finish(self: Any, result: Any, loader: Any, top: Any) -> Any:
        if isinstance(result, function_definition):
            return call_definition(self, result, loader, top)
        parameters = self.parameters
        if parameters is not None:
            if not callable(result):
                return None
            return result(*parameters.calculate(top, loader))
        if self.index is not None:
            index = self.index.calculate(top, loader)
            try:
                return result[index]
            except (IndexError, KeyError, TypeError):
                return None
        return result

    return calculate


@lru_cache(maxsize=512)
def compile_template(text: str) -> Any:
    """The parsed airspeed template for `text`, parsed once per distinct text.

    Raises airspeed's `TemplateSyntaxError`, or `UnsupportedDirective` for #include/#parse.
    """
    install()
    import airspeed
    from airspeed import operators as ops

    found = _UNSUPPORTED.search(text)
    if found is not None:
        raise UnsupportedDirective(found.group(1), found.start())
    template = airspeed.Template(text)
    template.ensure_compiled()
    specialise(ops, template.root_element)
    return template


class UnsupportedDirective(Exception):
    """`#include` / `#parse`: API Gateway templates cannot load other files."""

    def __init__(self, name: str, offset: int) -> None:
        super().__init__(name)
        self.name = name
        self.offset = offset
