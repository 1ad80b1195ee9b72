"""Node.js handlers in an isolated worker: run by the Node runtime (`runtime.node`) *inside*
the worker, so each `node` is a child of the worker and shares its walls.

The parent checks that a suitable `node` exists and names it in the worker's configuration;
the worker child starts one `node` per function in its own process group (so ending the
worker ends them), with the worker's user id, namespaces, mount view and resource limits,
all of which a child process inherits. The worker's audit hook lets that one command through
(`runtime_command`): it is this runtime's, not the learner's. What the learner's JavaScript
then does is beyond the audit hook (a Python hook sees nothing `node` does): only the
kernel's walls apply to it (see `isolation`).

Address space: V8 reserves about 0.9 GB of virtual memory it never touches at start (its heap
cage and code range), and RLIMIT_AS counts reservations, so under a Python worker's limit
`node` has almost nothing left (1 GB: about 0.1 GB usable). A worker serving Node.js
functions therefore gets `NODE_RESERVE_MB` more, which leaves a handler about the memory a
Python handler has; the other limits are unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from course_cli.errors import HandlerError

if TYPE_CHECKING:
    from course_cli.runtime.handler_spec import HandlerSpec
    from course_cli.runtime.node.runtime import NodeRuntime

# What V8 reserves beyond a Python worker's needs (measured with node 20: it does not start
# under 0.8 GB of RLIMIT_AS, and with 1 GB more than a limit it can use about that limit).
NODE_RESERVE_MB = 1024


def node_specs(functions: Mapping[str, str]) -> dict[str, HandlerSpec]:
    """The Node.js ones among `functions` (name → handler text, relative to the working
    folder), by name."""
    from course_cli.runtime.node.handler_spec import node_handler_spec

    found = {}
    for name, text in functions.items():
        spec = node_handler_spec(text)
        if spec is not None:
            found[name] = spec
    return found


def runtime_command(node: str) -> list[str]:
    """The command line's start that the Node runtime runs: `node bootstrap.mjs`."""
    from course_cli.runtime.node.process import BOOTSTRAP

    return [node, str(BOOTSTRAP)]


def worker_runtime(
    specs: Mapping[str, HandlerSpec],
    node: str | None,
    sdk: str | None,
    environments: Mapping[str, Mapping[str, str]],
) -> NodeRuntime:
    """The Node runtime a worker child serves `specs` with: `node` is the parent's checked
    executable (None: look for one), `sdk` the AWS SDK's node_modules the parent found (in
    the worker's view read-only); its processes stay in the worker's process group."""
    from pathlib import Path

    from course_cli.runtime.node.runtime import NodeRuntime

    return NodeRuntime(
        dict(specs),
        environments={name: environments[name] for name in specs if name in environments},
        own_session=False,
        node=node,
        sdk=Path(sdk) if sdk else None,
    )


def load(runtime: NodeRuntime, name: str) -> dict[str, Any] | None:
    """Start `name`'s process and import its module: None, or the problem as the worker's
    `load` reply describes one (`timeout` or `exit` when the worker must start afresh)."""
    from course_cli.runtime.inprocess import INIT_TIMEOUT_S

    try:
        failure = runtime.try_load(name)
    except HandlerError as missing:  # the file is not there
        return {"message": missing.message, "hint": missing.hint}
    if failure is None:
        return None
    said = failure.handler_error(INIT_TIMEOUT_S)
    problem: dict[str, Any] = {"message": said.message, "hint": said.hint}
    if failure.timed_out:
        problem["timeout"] = True
    elif failure.error is None:
        problem["exit"] = True
    return problem
