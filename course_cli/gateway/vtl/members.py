"""What a template can reach: `$object.name` and `$object.name(args)`, as API Gateway allows.

API Gateway's Velocity runs on the JVM, so a name after a dot is one of Java's methods on
strings, maps and lists (`values`), a key of a map, or a member AWS documents on `$input`
and `$util`. Here that is all there is: no Python attribute of any value is reachable, so
`$input.__class__`, `$util.getClass()` or `$context.clear()` are null, and a template cannot
reach the process that renders it (the grader among them). Every string a method returns
counts against the render's limits (`limits`), as does every use of a `#define` value.
"""

from __future__ import annotations

from typing import Any, Final

from course_cli.gateway.vtl.limits import (
    DEFINE_DEPTH,
    LimitExceeded,
    account,
    charge,
    current_budget,
)
from course_cli.gateway.vtl.values import (
    LIST_METHODS,
    MAP_METHODS,
    STRING_METHODS,
    Entry,
    JsonList,
)
from course_cli.gateway.vtl.variables import TemplateInput, TemplateUtil
from course_cli.gateway.vtl_speed import TemplateStream

# The only members a template may name on values that are not strings, maps or lists.
MEMBERS: Final = {cls: cls.TEMPLATE_MEMBERS for cls in (TemplateInput, TemplateUtil, Entry)}


def make_lookup(ops: Any) -> Any:
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
    members_of = MEMBERS.get
    dict_get = dict.get
    missing = object()

    # Every method call's result: strings count as built text (`$s.toUpperCase()` in a loop
    # builds text as `"$s"` does), and the render's clock is read.
    charged = account

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
        elif cls is list or cls is JsonList or cls is range:
            if parameters is None:
                return None
            method = list_method(name)
            result = None
        elif name[0] == "_" or isinstance(current, plain):
            return general(self, current, loader, top)
        else:  # our objects ($input, $util, map entries): their documented members only
            members = members_of(cls)
            if members is None or name not in members:
                return None
            result = getattr(current, name)
            if parameters is not None and callable(result):
                return charged(result(*parameters.calculate(top, loader)))
            return finish(self, result, loader, top)
        if method is not None:
            return charged(method(current, *parameters.calculate(top, loader)))
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
        elif isinstance(current, list | range):
            method = list_method(name) if parameters is not None else None
        elif name in (members_of(type(current)) or ()):
            result = getattr(current, name, None)
        if method is not None:
            return charged(method(current, *parameters.calculate(top, loader)))
        if result is None:
            return None
        return finish(self, result, loader, top)

    def call_definition(self: Any, result: Any, loader: Any, top: Any) -> str:
        parameters = self.parameters
        params = (parameters and parameters.calculate(top, loader)) or []
        stream = TemplateStream()
        budget = current_budget()
        if budget is None:
            result.execute_function(stream, top, params, loader)
        else:
            # A #define used inside itself never ends; one that uses others twice over
            # doubles its work per level: both stop here.
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

    def finish(self: Any, result: Any, loader: Any, top: Any) -> Any:
        if isinstance(result, function_definition):
            return call_definition(self, result, loader, top)
        parameters = self.parameters
        if parameters is not None:
            if not callable(result):
                return None
            return charged(result(*parameters.calculate(top, loader)))
        if self.index is not None:
            index = self.index.calculate(top, loader)
            try:
                return result[index]
            except (IndexError, KeyError, TypeError):
                return None
        return result

    return calculate
