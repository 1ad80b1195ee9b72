"""One invoker for an API whose functions are Python, Node.js, or both.

`runtime_for` reads each handler spec: a .mjs, .js or .cjs file (or `index.handler` with an
`index.js` beside it) goes to the `NodeRuntime`, everything else to the `InProcessRuntime`.
With no Node.js function it is simply the `InProcessRuntime`, so Python-only APIs are unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from course_cli.gateway.invoker import LambdaInvoker, LambdaResult
from course_cli.runtime.handler_spec import HandlerSpec
from course_cli.runtime.inprocess import InProcessRuntime, UnknownFunctionError
from course_cli.runtime.node.handler_spec import node_handler_spec
from course_cli.runtime.node.runtime import NodeRuntime


class _PythonInvoker(Protocol):
    """What the router needs of the Python side: the in-process or the forked runtime."""

    def load(self, function_name: str) -> object: ...

    def invoke(
        self, function_name: str, event: Any, timeout_s: float, wait_s: float
    ) -> LambdaResult: ...


class RuntimeRouter(LambdaInvoker):
    """Sends each function to the runtime of its language: `python` or `node`."""

    def __init__(
        self,
        python: InProcessRuntime,
        node: NodeRuntime,
        *,
        python_invoker: _PythonInvoker | None = None,
    ) -> None:
        self.python = python
        self.node = node
        self._python_invoker: _PythonInvoker = python_invoker or python

    @property
    def functions(self) -> dict[str, HandlerSpec]:
        """Every function either runtime knows, by name."""
        return self.python.functions | self.node.functions

    def load(self, function_name: str) -> None:
        """Load the function's handler now; `HandlerError` (one line) when it cannot."""
        if function_name in self.node.functions:
            self.node.load(function_name)
        else:
            self._check_known(function_name)
            self._python_invoker.load(function_name)

    def invoke(
        self, function_name: str, event: Any, timeout_s: float, wait_s: float
    ) -> LambdaResult:
        """Invoke the function with the runtime of its language."""
        if function_name in self.node.functions:
            return self.node.invoke(function_name, event, timeout_s, wait_s)
        self._check_known(function_name)
        return self._python_invoker.invoke(function_name, event, timeout_s, wait_s)

    def forked(self) -> RuntimeRouter:
        """This router with its Python functions in a forked copy of this process
        (`ForkedRuntime`, for one-shot commands), until `close()`; the Node.js processes are
        shared, being processes of their own already."""
        from course_cli.runtime.forked import ForkedRuntime

        return RuntimeRouter(self.python, self.node, python_invoker=ForkedRuntime(self.python))

    def close(self) -> None:
        """End the forked Python copy, if this router has one (`forked`)."""
        close = getattr(self._python_invoker, "close", None)
        if close is not None and self._python_invoker is not self.python:
            close()

    def __enter__(self) -> RuntimeRouter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _check_known(self, function_name: str) -> None:
        if function_name not in self.python.functions:
            known = ", ".join(sorted(self.functions)) or "none"
            raise UnknownFunctionError(function_name, known)


def runtime_for(
    functions: Mapping[str, str],
    *,
    base_dir: Path | None = None,
    environments: Mapping[str, Mapping[str, str]] | None = None,
) -> InProcessRuntime | RuntimeRouter:
    """The invoker for `functions` (name → handler spec): the `InProcessRuntime` alone when
    all are Python; else a router, which needs node 18+ on PATH (`NodeUnavailableError`)."""
    node_specs: dict[str, HandlerSpec] = {}
    python_specs: dict[str, str] = {}
    for name, text in functions.items():
        spec = node_handler_spec(text, base_dir)
        if spec is None:
            python_specs[name] = text
        else:
            node_specs[name] = spec
    python = InProcessRuntime(python_specs, base_dir=base_dir, environments=environments)
    if not node_specs:
        return python
    node = NodeRuntime(node_specs, environments=environments)
    return RuntimeRouter(python, node)
