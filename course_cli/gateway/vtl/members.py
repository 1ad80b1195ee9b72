"""What a template can reach: `$object.name` and `$object.name(args)`, as API Gateway allows.

One of Java's methods on strings, maps and lists (`values`), a map's key, or a member AWS
documents on `$input` and `$util`; nothing else. No Python attribute is reachable
(`$input.__class__` is null), so a template cannot reach the process that renders it (the
grader among them). Method results and `#define` uses count against the render's `limits`.
"""

from __future__ import annotations

from typing import Any, Final

from course_cli.gateway.vtl.limits import (
    DEFINE_DEPTH,
    LimitExceeded,
    TemplateStream,
    account,
    charge,
    current_budget,
)
from course_cli.gateway.vtl.values import (
    LIST_METHODS,
    MAP_METHODS,
    STRING_METHODS,
    Entry,
)
from course_cli.gateway.vtl.variables import TemplateInput, TemplateUtil

# The only members a template may name on values that are not strings, maps or lists.
MEMBERS: Final = {cls: cls.TEMPLATE_MEMBERS for cls in (TemplateInput, TemplateUtil, Entry)}


def make_lookup(ops: Any) -> Any:
    """airspeed's `NameOrCall.calculate` for `$object.name` and `$object.name(args)`: a
    variable, a map's key, one of Java's methods, or a documented member; else null."""
    function_definition = ops._FunctionDefinition
    define_definition = ops.DefineDefinition
    local_namespace = ops.LocalNamespace

    def calculate(self: Any, current: Any, loader: Any, top: Any) -> Any:
        name = self.name
        parameters = self.parameters
        if isinstance(current, local_namespace):
            try:
                result = current[name]  # a variable: airspeed looks through the scopes
            except KeyError:
                return None
        elif isinstance(current, dict):
            if parameters is not None:
                return call(MAP_METHODS.get(name), current, parameters, loader, top)
            result = current.get(name)
        elif isinstance(current, str):
            if parameters is None:
                return None
            return call(STRING_METHODS.get(name), current, parameters, loader, top)
        elif isinstance(current, list | range):
            if parameters is None:
                return None
            return call(LIST_METHODS.get(name), current, parameters, loader, top)
        elif name in MEMBERS.get(type(current), ()):
            result = getattr(current, name)  # on $input, $util, a map entry
        else:
            return None
        if result is None:
            return None
        if isinstance(result, function_definition):
            return call_definition(self, result, loader, top)
        if parameters is not None:
            return account(result(*parameters.calculate(top, loader))) if callable(result) else None
        if self.index is not None:
            try:
                return result[self.index.calculate(top, loader)]
            except (IndexError, KeyError, TypeError):
                return None
        return result

    def call(method: Any, current: Any, parameters: Any, loader: Any, top: Any) -> Any:
        if method is None:
            return None
        return account(method(current, *parameters.calculate(top, loader)))

    def call_definition(self: Any, result: Any, loader: Any, top: Any) -> str:
        parameters = self.parameters
        params = (parameters and parameters.calculate(top, loader)) or []
        stream = TemplateStream()
        budget = current_budget()
        if budget is None:
            result.execute_function(stream, top, params, loader)
        else:
            budget.check_time()
            if budget.define_depth >= DEFINE_DEPTH:
                raise LimitExceeded(
                    f"#define values are used inside each other more than {DEFINE_DEPTH} "
                    f"levels deep (here ${result.function_name})",
                    "a #define value that uses itself never ends: Velocity recurses until it fails",
                )
            budget.define_depth += 1
            try:
                result.execute_function(stream, top, params, loader)
            finally:
                budget.define_depth -= 1
        value: str = charge(stream.getvalue())
        if isinstance(result, define_definition) and parameters and not params:
            value += parameters.my_text()  # AWS prints an empty argument list verbatim
        return value

    return calculate
