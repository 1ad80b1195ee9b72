"""Run a learner's Node.js Lambda handlers as Lambda's Node.js runtime would.

`NodeRuntime` is a `LambdaInvoker` keeping one `node` process per function (Lambda's
execution environment): started and its module imported on the first invocation (the init
phase, timed and shown as a cold start), reused while warm, and replaced after a timeout, after
the process died, or when the handler file changed on disk (the next request is cold again).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from course_cli.errors import HandlerError
from course_cli.gateway.invoker import LambdaInvoker, LambdaResult
from course_cli.runtime.handler_spec import HandlerSpec, shown_path
from course_cli.runtime.inprocess import INIT_TIMEOUT_S, UnknownFunctionError
from course_cli.runtime.lambda_context import (
    FUNCTION_VERSION,
    MEMORY_SIZE_MB,
    REGION,
    function_arn,
    new_log_stream_name,
    new_request_id,
)
from course_cli.runtime.node import results
from course_cli.runtime.node.binary import find_node
from course_cli.runtime.node.handler_spec import NODE_SPEC_HINT
from course_cli.runtime.node.inspector import announce, inspector_address
from course_cli.runtime.node.process import NodeGone, NodeProcess
from course_cli.runtime.node.sdk import installed_sdk
from course_cli.runtime.timeouts import timeouts_lifted

# The runtime identifier the environment reports (AWS_EXECUTION_ENV).
NODE_RUNTIME_ID = "nodejs20.x"


@dataclass
class _Environment:
    """One function's live `node` process and what its cold start produced."""

    process: NodeProcess
    stamp: tuple[int, int] | None  # the handler file's (mtime, size) when it was imported
    log_stream_name: str
    init_output: str
    init_ms: float
    cold: bool = True  # its first invocation has not run yet: that one shows the init


class NodeRuntime(LambdaInvoker):
    """Node.js Lambda functions by name, each a `HandlerSpec` for a .mjs, .js or .cjs file.

    `environments` gives a function variables of its own, set in its process. Invocations
    of one runtime run one at a time, as one execution environment runs them. Each `node`
    runs in a session of its own unless `own_session` is False (an isolated worker keeps
    them in its process group, which is ended with it). `node` is the executable to run,
    default `find_node()`'s; `sdk` the AWS SDK v3's `node_modules`, default the one installed
    for course (`sdk.installed_sdk`), importable as on Lambda.
    """

    def __init__(
        self,
        functions: Mapping[str, HandlerSpec],
        *,
        environments: Mapping[str, Mapping[str, str]] | None = None,
        own_session: bool = True,
        node: str | None = None,
        sdk: Path | None = None,
    ) -> None:
        # `node`: an executable the caller has checked already (an isolated worker's parent).
        self._node = node or find_node()
        # The AWS SDK v3's node_modules, found after the handler's own (`sdk`).
        self._sdk = sdk or installed_sdk()
        self._own_session = own_session
        self._specs = dict(functions)
        self._environments = {name: dict(env) for name, env in (environments or {}).items()}
        self._live: dict[str, _Environment] = {}
        self._lock = threading.Lock()

    @property
    def functions(self) -> dict[str, HandlerSpec]:
        """The functions this runtime knows, by name."""
        return dict(self._specs)

    def spec(self, function_name: str) -> HandlerSpec:
        """Where `function_name`'s handler lives; `UnknownFunctionError` for an unknown name."""
        spec = self._specs.get(function_name)
        if spec is None:
            raise UnknownFunctionError(function_name, ", ".join(sorted(self._specs)) or "none")
        return spec

    @property
    def node(self) -> str:
        """The `node` executable this runtime starts."""
        return self._node

    def load(self, function_name: str) -> None:
        """Start the function's process and import its module now (its next invocation shows
        this init, as a cold start's); `HandlerError`, one clear line, when it cannot."""
        failure = self.try_load(function_name)
        if failure is not None:
            raise failure.handler_error(INIT_TIMEOUT_S)

    def try_load(self, function_name: str) -> results.InitFailure | None:
        """`load`, with why the module could not be made ready returned (its error, a timeout
        or an exit) rather than raised; `HandlerError` only for a file that is not there."""
        spec = self.spec(function_name)
        if not spec.path.is_file():
            missing = "is not a file" if spec.path.exists() else "does not exist"
            raise HandlerError(f"handler file {shown_path(spec.path)} {missing}", NODE_SPEC_HINT)
        with self._lock:
            if self._warm(function_name, spec) is not None:
                return None
            started = self._start(function_name, spec, INIT_TIMEOUT_S)
        return started if isinstance(started, results.InitFailure) else None

    def invoke(
        self, function_name: str, event: Any, timeout_s: float, wait_s: float
    ) -> LambdaResult:
        """Invoke `function_name` with `event`, as Lambda's Invoke API would.

        Never raises for anything the function does; raises `UnknownFunctionError` for an
        unknown name and `TypeError` for an event that is not JSON.
        """
        spec = self.spec(function_name)
        with self._lock:
            result = self._invoke(function_name, spec, event, timeout_s, wait_s)
        return replace(result, language="javascript")

    def close(self) -> None:
        """End every function's process."""
        with self._lock:
            for environment in self._live.values():
                environment.process.end()
            self._live.clear()

    def _invoke(
        self, function_name: str, spec: HandlerSpec, event: Any, timeout_s: float, wait_s: float
    ) -> LambdaResult:
        arrived = time.monotonic()
        parts = results.LogParts(new_request_id())
        lifted = timeouts_lifted()
        environment = self._warm(function_name, spec)
        if environment is None:  # a cold start: Lambda's init phase comes first
            started = self._start(
                function_name, spec, None if lifted else min(wait_s, INIT_TIMEOUT_S)
            )
            if isinstance(started, results.InitFailure):
                if started.timed_out and wait_s < INIT_TIMEOUT_S:
                    parts.prefix = started.output
                    return results.no_answer(parts, (time.monotonic() - arrived) * 1000)
                return started.result(parts, timeout_s, (time.monotonic() - arrived) * 1000)
            environment = started
        if environment.cold:
            environment.cold = False
            parts.prefix, parts.init_ms = environment.init_output, environment.init_ms
        began = time.monotonic()
        wait_s -= began - arrived  # the caller's wait covers both phases
        request = {
            "op": "invoke",
            "event": event,
            "requestId": parts.request_id,
            "deadlineMs": int(time.time() * 1000 + timeout_s * 1000),
            "functionName": function_name,
            "functionVersion": FUNCTION_VERSION,
            "invokedFunctionArn": function_arn(function_name),
            "memoryLimitInMB": self._memory_size(function_name),
            "logGroupName": f"/aws/lambda/{function_name}",
            "logStreamName": environment.log_stream_name,
        }
        try:
            exchange = environment.process.ask(request, None if lifted else min(timeout_s, wait_s))
        except NodeGone as gone:
            self._forget(function_name)
            parts.output = gone.output
            return results.exited(parts, gone.status, (time.monotonic() - began) * 1000)
        except BaseException:  # Ctrl-C while waiting: its reply must not answer the next call
            self._forget(function_name)
            raise
        parts.output = exchange.output
        if exchange.reply is not None:
            if exchange.reply.get("exiting"):  # an uncaught exception: the process is ending
                self._forget(function_name)
            return results.answered(exchange.reply, parts, exchange.elapsed_ms)
        # No answer in time: Lambda stops the environment; the next invocation is cold.
        parts.output += environment.process.take_output()
        self._forget(function_name)
        if timeout_s <= wait_s:
            return results.timed_out(parts, timeout_s, exchange.elapsed_ms)
        return results.no_answer(parts, exchange.elapsed_ms)

    def _warm(self, function_name: str, spec: HandlerSpec) -> _Environment | None:
        """The function's process when it can serve this invocation; a dead one, or one
        whose handler file changed since it was imported, is ended and forgotten."""
        environment = self._live.get(function_name)
        if environment is None:
            return None
        if environment.process.alive and environment.stamp == _file_stamp(spec):
            return environment
        self._forget(function_name)
        return None

    def _forget(self, function_name: str) -> None:
        environment = self._live.pop(function_name, None)
        if environment is not None:
            environment.process.end()

    def _start(
        self, function_name: str, spec: HandlerSpec, wait_s: float | None
    ) -> _Environment | results.InitFailure:
        """A new process with the module imported, or why not (the process then ended)."""
        stamp = _file_stamp(spec)
        stream = new_log_stream_name()
        inspect = None
        if timeouts_lifted():  # --debug: node waits for a debugger, for as long as it takes
            inspect = inspector_address()
            announce(inspect, function_name)
        process = NodeProcess(
            self._node,
            self._process_environment(function_name, spec, stream),
            own_session=self._own_session,
            inspect=inspect,
        )
        request = {"op": "init", "file": str(spec.path), "handler": spec.function or "handler"}
        try:
            exchange = process.ask(request, wait_s)
        except NodeGone as gone:
            process.end()
            return results.InitFailure(spec, gone.output, exit_status=gone.status)
        except BaseException:
            process.end()
            raise
        reply = exchange.reply
        if reply is None or reply.get("type") != "ready":
            output = exchange.output + process.take_output()
            process.end()
            if reply is None:
                return results.InitFailure(spec, output, timed_out=True)
            return results.InitFailure(
                spec, output, error=results.function_error(reply.get("error"))
            )
        environment = _Environment(process, stamp, stream, exchange.output, exchange.elapsed_ms)
        self._live[function_name] = environment
        return environment

    def _memory_size(self, function_name: str) -> str:
        """The function's memory in MB: its own `AWS_LAMBDA_FUNCTION_MEMORY_SIZE` (a SAM
        template's MemorySize), else Lambda's default."""
        own = self._environments.get(function_name, {})
        return own.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", str(MEMORY_SIZE_MB))

    def _process_environment(
        self, function_name: str, spec: HandlerSpec, log_stream: str
    ) -> dict[str, str]:
        """This process's variables, with those Lambda sets for a function, then the
        function's own."""
        variables = dict(os.environ)
        variables.update(
            {
                "AWS_LAMBDA_FUNCTION_NAME": function_name,
                "AWS_LAMBDA_FUNCTION_VERSION": FUNCTION_VERSION,
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(MEMORY_SIZE_MB),
                "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function_name}",
                "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
                "AWS_EXECUTION_ENV": f"AWS_Lambda_{NODE_RUNTIME_ID}",
                "AWS_REGION": variables.get("AWS_REGION", REGION),
                "LAMBDA_TASK_ROOT": str(spec.path.parent),
                "_HANDLER": f"{spec.path.stem}.{spec.function or 'handler'}",
                "TZ": ":UTC",
            }
        )
        if self._sdk is not None:
            # Lambda lists its runtime's node_modules last in NODE_PATH, after the function's.
            paths = [p for p in variables.get("NODE_PATH", "").split(os.pathsep) if p]
            variables["NODE_PATH"] = os.pathsep.join([*paths, str(self._sdk)])
        variables.update(self._environments.get(function_name, {}))
        return variables


def _file_stamp(spec: HandlerSpec) -> tuple[int, int] | None:
    try:
        info = spec.path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size
