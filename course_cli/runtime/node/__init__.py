"""Lambda's Node.js runtime, for handlers written as the original lesson writes them.

One `node` process per function runs `bootstrap.mjs` (`process.py` speaks to it over pipes);
`runtime.py` is the `LambdaInvoker` (cold starts, timeouts, reloads), `results.py` the shapes
Lambda reports, `handler_spec.py` which handlers are JavaScript, `binary.py` which `node` runs
them, and `routing.py` the invoker that sends each function to Python or Node.js.
"""

from __future__ import annotations

from course_cli.runtime.node.binary import NODE_NEEDED, NodeUnavailableError, find_node
from course_cli.runtime.node.handler_spec import is_node_handler, node_handler_spec
from course_cli.runtime.node.routing import RuntimeRouter, runtime_for
from course_cli.runtime.node.runtime import NodeRuntime

__all__ = [
    "NODE_NEEDED",
    "NodeRuntime",
    "NodeUnavailableError",
    "RuntimeRouter",
    "find_node",
    "is_node_handler",
    "node_handler_spec",
    "runtime_for",
]
