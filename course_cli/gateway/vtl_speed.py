"""Fast paths through airspeed's evaluator: the same results, fewer Python calls per render.

airspeed evaluates a template by walking its parse tree, and most of a render's time goes to
plumbing rather than work: a wrapper call around every element, a list built per `.name` step,
a `Value` that only forwards to its expression, a stack machine for a condition with one term,
a `KeyError` raised for every variable looked up from inside a loop. Measured on the lesson's
request template, that plumbing was most of the cost (`benchmarks/vtl.py`). Two kinds of
change remove it, and neither changes what a template prints:

- `install_fast_paths` (once per process, from `vtl_engine.install`): a stream whose `write`
  is `io.StringIO`'s own until `#stop`, a scope look-up without exceptions, a `$a.b.c` chain
  walked in a loop, a one-term condition evaluated directly, a reference printed and its
  error position recorded in one call;
- `specialise` (once per compiled template): per-element shortcuts stored on the elements
  themselves (a `$a.b.c` reference becomes one function that reads plain names straight from
  scopes and maps, a `Value` answers with its expression's `calculate`, text writes itself, a
  block runs its children without the error-position wrapper, which only the innermost
  element needs).

The AWS-recorded and spec cases in `tests/gateway/cases/vtl/` run through these paths.
"""

from __future__ import annotations

import io
import re
from typing import Any

from course_cli.gateway.vtl.limits import check_output

_MISSING = object()
# Longer printed values check the output's size (`vtl_limits.TEXT_LIMIT`) after they are
# written; shorter ones cannot add up to much between two #foreach iterations.
_CHECKED_WRITE = 256
# airspeed's token patterns end by capturing the rest of the template, `(.*)$`, only to learn
# where that rest starts: every token scanned to the end, so parsing was quadratic (a 300 KB
# template took 10-25 s). An empty group at the same place gives the same position.
_REST = re.compile(r"\((?:\.\*|\.\+)\)\$?\Z")


class TemplateStream(io.StringIO):
    """airspeed's output stream, with `io.StringIO.write` called directly until `#stop`.

    airspeed's own stream checks its `stop` flag in a Python `write` on every write; here
    setting `stop` swaps `write` for a no-op instead, so a normal write is one C call.
    """

    def __init__(self, initial: str = "") -> None:
        super().__init__(initial)
        self._stopped = False

    @property
    def stop(self) -> bool:
        """True once `#stop` ran: later writes are dropped."""
        return self._stopped

    @stop.setter
    def stop(self, value: bool) -> None:
        self._stopped = value
        if value:
            self.write = _discard  # type: ignore[method-assign]
        else:
            self.__dict__.pop("write", None)


def _discard(text: str) -> int:
    return 0


def install_linear_parsing(ops: Any) -> None:
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


def install_fast_paths(ops: Any, lookup: Any) -> None:
    """Replace airspeed's stream, scope look-up, reference chains and one-term conditions.

    `lookup(element, current, loader, top)` is the member look-up (`vtl_engine`'s Java-first
    one); a reference chain calls it directly instead of through `NameOrCall.calculate`.
    """
    local_namespace = ops.LocalNamespace
    variable_expression = ops.VariableExpression
    dict_get = dict.get
    ops.StoppableStream = TemplateStream

    def namespace_item(self: Any, key: Any) -> Any:
        # Walk the scopes in a loop: airspeed recursed and raised KeyError at every level.
        scope = self
        while True:
            found = dict_get(scope, key, _MISSING)
            if found is not _MISSING:
                return found
            scope = scope.parent
            if scope.__class__ is not local_namespace:
                return scope[key]

    local_namespace.__getitem__ = namespace_item

    def chain(self: Any, namespace: Any, loader: Any, global_namespace: Any = None) -> Any:
        # `$a.b.c` nests as VariableExpression(a, SubExpression(VariableExpression(b, ...))):
        # walk it in a loop; an `[index]` step keeps airspeed's own code.
        if global_namespace is None:
            global_namespace = namespace
        value = lookup(self.part, namespace, loader, global_namespace)
        sub = self.subexpression
        while sub is not None:
            expression = sub.expression
            if expression.__class__ is not variable_expression:
                return sub.calculate(value, loader, global_namespace)
            value = lookup(expression.part, value, loader, global_namespace)
            sub = expression.subexpression
        return value

    variable_expression.calculate = chain
    expression_class = ops.Expression
    stack_machine = expression_class.calculate

    def expression(self: Any, namespace: Any, loader: Any) -> Any:
        terms = self.expression
        if len(terms) == 1:
            return terms[0].calculate(namespace, loader)
        return stack_machine(self, namespace, loader)

    expression_class.calculate = expression
    reference_class = ops.FormalReference
    replace_text = ops.REPLACE_FORMAL_TEXT
    execution_error = ops.TemplateExecutionError

    def reference(self: Any, stream: Any, namespace: Any, loader: Any) -> None:
        # airspeed's `_Element.evaluate` (errors carry this element's position) and
        # `FormalReference.evaluate_raw` in one call, with a string result written first.
        try:
            print_reference(self, stream, namespace, loader)
        except execution_error:
            raise
        except Exception as error:
            raise execution_error(self, (type(error), error, error.__traceback__)) from error

    def print_reference(self: Any, stream: Any, namespace: Any, loader: Any) -> None:
        expression = self.expression
        value = expression.calculate(namespace, loader) if expression is not None else None
        if value.__class__ is str and value != replace_text:
            stream.write(value)
            if len(value) > _CHECKED_WRITE:
                check_output(stream)
            return
        if value == replace_text:
            value = self.my_text()
        elif value is None:
            if self.alternate is not None:
                value = self.alternate.calculate(namespace, loader) or ""
            elif self.silent and expression is not None:
                value = ""
            else:
                value = self.my_text()
        text = value if isinstance(value, str) else ops.value_to_string(value)
        stream.write(text)
        if len(text) > _CHECKED_WRITE:
            check_output(stream)

    reference_class.evaluate_raw = print_reference
    reference_class.evaluate = reference


def specialise(ops: Any, root: Any) -> None:
    """Store per-element shortcuts on a freshly parsed tree (see the module docstring).

    Children are specialised before their parents, so a parent that takes over a child's
    `calculate` takes the child's shortcut.
    """
    element_class = ops._Element
    text_class = ops.Text
    value_class = ops.Value
    block_class = ops.Block
    body_class = ops.TemplateBody
    parameter_list = ops.ParameterList
    condition_class = ops.Condition
    parenthesized = ops.ParenthesizedExpression
    reference_class = ops.FormalReference
    variable_expression = ops.VariableExpression
    seen: set[int] = set()
    found = []
    stack = [root]
    while stack:
        element = stack.pop()
        if id(element) in seen:
            continue
        seen.add(id(element))
        found.append(element)
        if element.__class__ is parenthesized:
            stack.append(element.calculate.__self__)  # airspeed keeps only its bound method
        for child in element.__dict__.values():
            kind = child.__class__
            if kind is str or kind is int or child is None:
                continue  # most attributes: the template text, offsets, names
            if kind is list:
                stack.extend(item for item in child if isinstance(item, element_class))
            elif isinstance(child, element_class):
                stack.append(child)
    for element in reversed(found):  # every element comes after its parent in `found`
        cls = element.__class__
        if cls is text_class:
            element.evaluate = _writer(element.text)
        elif cls is variable_expression:
            compiled = _reference_chain(ops, element)
            if compiled is not None:
                element.calculate = compiled
        elif cls is reference_class:
            if element.expression is not None:
                element.calculate = element.expression.calculate
        elif cls is value_class:
            element.calculate = element.expression.calculate
        elif cls is block_class or cls is body_class:
            # A block cannot fail by itself; its children keep the wrapper that records
            # where an error happened.
            element.evaluate = element.evaluate_raw
        elif cls is parameter_list:
            element.calculate = _arguments(element.values)
        elif cls is condition_class:
            element.calculate = _condition(element.expression.calculate)


def _reference_chain(ops: Any, expression: Any) -> Any:
    """`$a.b.c` as one function: plain names are read straight from scopes and maps; calls,
    indexes, other objects and #define values go through the member look-up. None when the
    chain holds an `[index]` step after a call (airspeed's own path handles those)."""
    variable_expression = ops.VariableExpression
    local_namespace = ops.LocalNamespace
    function_definition = ops._FunctionDefinition
    lookup = ops.NameOrCall.calculate
    dict_get = dict.get
    steps = []
    node = expression
    while True:
        part = node.part
        plain = part.parameters is None and part.index is None
        steps.append((part, part.name if plain else None))
        sub = node.subexpression
        if sub is None:
            break
        if sub.expression.__class__ is not variable_expression:
            return None
        node = sub.expression
    chain = tuple(steps)

    def calculate(namespace: Any, loader: Any, global_namespace: Any = None) -> Any:
        top = namespace if global_namespace is None else global_namespace
        value = namespace
        for part, name in chain:
            owner = value
            cls = owner.__class__
            if name is None:
                value = lookup(part, owner, loader, top)
                continue
            if cls is dict:
                value = owner.get(name)
            elif cls is local_namespace:
                scope = owner
                while True:
                    value = dict_get(scope, name, _MISSING)
                    if value is not _MISSING:
                        break
                    scope = scope.parent
                    if scope.__class__ is not local_namespace:
                        value = scope.get(name) if isinstance(scope, dict) else None
                        break
            else:
                value = lookup(part, owner, loader, top)
                continue
            if value is None:
                return None  # the look-up answers null for every member of null
            if isinstance(value, function_definition):
                value = lookup(part, owner, loader, top)  # a #define: render it
        return value

    return calculate


def _arguments(values: Any) -> Any:
    # `values` is a ValueList, or airspeed's shared empty one; a Value's `calculate` is read at
    # call time, after `specialise` has given it its shortcut.
    items = getattr(values, "values", [])
    if len(items) == 1:
        (only,) = items
        return lambda namespace, loader: [only.calculate(namespace, loader)]
    return lambda namespace, loader: [item.calculate(namespace, loader) for item in items]


def _condition(parenthesized: Any) -> Any:
    # `#if(...)`: the parenthesised expression's `calculate` is bound to its Expression; a
    # one-term expression is asked directly. Truth as in `vtl_engine._truthy`: all but false.
    expression = parenthesized.__self__
    terms = expression.expression
    if len(terms) == 1:
        (term,) = terms
        return lambda namespace, loader: term.calculate(namespace, loader) is not False
    return lambda namespace, loader: parenthesized(namespace, loader) is not False


def _writer(text: str) -> Any:
    def evaluate(stream: Any, namespace: Any, loader: Any) -> None:
        stream.write(text)

    return evaluate
