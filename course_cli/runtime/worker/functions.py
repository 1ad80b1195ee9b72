"""Run a submission's Lambda functions in an isolated worker process (the parent's side).

The parent never trusts the worker for a grade: the checks run here, so a submission that
prints a fake pass or patches the grader's modules changes nothing but its own result.
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import threading
import time
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from course_cli.gateway.invoker import FunctionNotFound, LambdaInvoker, Outcome
from course_cli.runtime.handler_loader import HandlerSpec, parse_handler_spec
from course_cli.runtime.inprocess import INIT_TIMEOUT_S
from course_cli.runtime.node.binary import find_node
from course_cli.runtime.node.handler_spec import NODE_SUFFIXES
from course_cli.runtime.node.sdk import installed_sdk
from course_cli.runtime.worker.folder import learner_location, relocate, unrelocate
from course_cli.runtime.worker.framing import PeerGone, ProtocolError
from course_cli.runtime.worker.node_functions import NODE_RESERVE_MB
from course_cli.runtime.worker.process import Limits, WorkerProcess
from course_cli.runtime.worker.results import (
    IsolatedResult,
    ResultKind,
    crashed,
    read_reply,
    stopped,
)


class IsolatedRuntime(LambdaInvoker):
    """Lambda functions by name, run in one isolated worker per runtime (one submission).

    `functions` maps names to handler specs relative to `workdir` (default: the folder holding
    them), which is copied into the worker's folder. `env` is the worker's environment beyond
    the scrubbed basics; `function_env` adds variables per function, as Lambda does. The
    worker starts on first use; `close()` (or the `with` block) ends it. Node.js handlers
    (`.mjs`, `.js`, `.cjs`) run in `node` processes the worker starts (`node_functions`);
    without node 18+ on PATH, such a runtime is a `NodeUnavailableError`.
    """

    def __init__(
        self,
        functions: Mapping[str, str],
        *,
        limits: Limits = Limits(),  # noqa: B008 - frozen, shared safely
        env: Mapping[str, str] | None = None,
        workdir: Path | None = None,
        function_env: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self.limits = limits
        self.env = dict(env or {})
        self.function_env = {
            name: dict(variables) for name, variables in (function_env or {}).items()
        }
        specs = {name: parse_handler_spec(text, workdir) for name, text in functions.items()}
        folders = [str(spec.path.parent) for spec in specs.values()]
        common = Path(os.path.commonpath(folders)) if folders else Path.cwd()
        self.source = (workdir or common).resolve()
        self._specs = specs
        # The `node` a worker runs Node.js handlers with, checked here, where PATH is ours.
        self._node: str | None = None
        if any(spec.path.suffix in NODE_SUFFIXES for spec in specs.values()):
            self._node = os.path.realpath(find_node())
        self._lock = threading.Lock()
        self._worker: WorkerProcess | None = None
        self._finalizer: weakref.finalize[Any, Any] | None = None
        # Loaded in the current worker: no init phase, the function's timeout alone.
        self._warm: set[str] = set()
        self.starts = 0  # how many workers were started (restarts after crashes included)

    @property
    def functions(self) -> dict[str, HandlerSpec]:
        """The functions this runtime knows, by name (paths in the submission)."""
        return dict(self._specs)

    def __enter__(self) -> IsolatedRuntime:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """End the worker and remove its folder; the runtime starts a new one if used again."""
        with self._lock:
            self._stop_worker()

    def start(self) -> float:
        """Start the worker now (it otherwise starts on first use); returns seconds taken."""
        with self._lock:
            started = time.perf_counter()
            self._ensure_worker()
            return time.perf_counter() - started

    def load(self, function_name: str) -> IsolatedResult | None:
        """Load the handler in the worker now: `None` if it loads, else a result of kind
        `load_error` (pointing at the learner's line), `timeout` (past Lambda's 10 s init) or
        `crashed`. Raises `FunctionNotFound` for an unknown name."""
        self._check_known(function_name)
        request = {"op": "load", "id": secrets.token_hex(16), "function": function_name}
        with self._lock:
            worker = self._ensure_worker()
            started = time.monotonic()
            reply = self._ask(worker, request, started, INIT_TIMEOUT_S, INIT_TIMEOUT_S)
            if isinstance(reply, IsolatedResult):
                return reply
            problem = reply.get("load_error")
            if not isinstance(problem, dict):
                self._warm.add(function_name)
                return None
            kind = ResultKind.LOAD_ERROR
            if problem.get("exit"):
                kind = ResultKind.CRASHED
            elif problem.get("timeout"):
                kind = ResultKind.TIMEOUT
            if kind is not ResultKind.LOAD_ERROR:
                self._stop_worker()  # Lambda starts afresh after an exit or an init timeout
            return IsolatedResult(
                outcome=Outcome.TIMEOUT if kind is ResultKind.TIMEOUT else Outcome.ERROR,
                payload="",
                duration_ms=(time.monotonic() - started) * 1000,
                kind=kind,
                message=unrelocate(
                    str(problem.get("message") or ""), str(worker.folder.task), self.source
                ),
                location=learner_location(problem, str(worker.folder.task), self.source),
                refused_connections=tuple(str(item) for item in reply.get("refused") or ()),
                console=worker.stdout.take_new(),
            )

    def invoke(
        self, function_name: str, event: Any, timeout_s: float, wait_s: float
    ) -> IsolatedResult:
        """Invoke `function_name` in the worker, as Lambda's Invoke API would.

        Never raises for anything the submission does; `FunctionNotFound`, `TypeError` for a
        non-JSON event, `WorkerStartError` when no worker can be started at all.
        """
        self._check_known(function_name)
        request = {
            "op": "invoke",
            "id": secrets.token_hex(16),
            "function": function_name,
            "event": json.loads(json.dumps(event)),  # TypeError for a non-JSON event, here
            "timeout_s": timeout_s,
            "wait_s": wait_s,
        }
        with self._lock:
            worker = self._ensure_worker()
            started = time.monotonic()
            reply = self._ask(worker, request, started, timeout_s, wait_s)
            if isinstance(reply, IsolatedResult):
                return reply
            result = read_reply(worker, reply, started, self.source)
            if result.kind in (ResultKind.OK, ResultKind.FUNCTION_ERROR):
                self._warm.add(function_name)
                return result
            if result.kind is ResultKind.LOAD_ERROR:
                return result
            return self._ended(result)

    def _ask(
        self,
        worker: WorkerProcess,
        request: dict[str, Any],
        started: float,
        timeout_s: float,
        wait_s: float,
    ) -> dict[str, Any] | IsolatedResult:
        """The worker's reply to `request`, or the result that ends the worker: a crash, a
        broken protocol, a timeout or no answer."""
        grace_s = self.limits.grace_s
        # A cold start's init phase has its own limit, before the function's timeout.
        cold = request.get("function") not in self._warm
        limit_s = INIT_TIMEOUT_S + timeout_s if cold else timeout_s
        try:
            worker.send(request)
            reply = worker.receive(started + min(limit_s, wait_s) + grace_s)
            if reply is not None and reply.get("init_done") and reply.get("id") == request["id"]:
                # The cold start's init is over: the function's timeout starts now.
                now = time.monotonic()
                wait_left = wait_s - (now - started)
                reply = worker.receive(now + min(timeout_s, wait_left) + grace_s)
        except PeerGone:
            return self._ended(crashed(worker, started, "", timeout_s))
        except ProtocolError as exc:
            return self._ended(crashed(worker, started, f"the worker broke the protocol: {exc}"))
        if reply is None:
            return self._ended(stopped(worker, started, timeout_s, wait_s))
        if reply.get("id") != request["id"]:
            return self._ended(crashed(worker, started, "the worker answered another request"))
        return reply

    def _check_known(self, function_name: str) -> None:
        if function_name not in self._specs:
            raise FunctionNotFound(function_name, f"known: {', '.join(sorted(self._specs))}")

    def exchange(self, message: dict[str, Any], wait_s: float) -> dict[str, Any] | None:
        """Send the worker one request (`message` with an `op` and an `id`); its reply, or
        None when it does not answer that `id` in time, dies or breaks the protocol (the
        worker is then ended)."""
        with self._lock:
            worker = self._ensure_worker()
            reply = self._ask(worker, message, time.monotonic(), wait_s, wait_s)
            if isinstance(reply, IsolatedResult):
                return None
            worker.stdout.take_new()  # a template prints nothing; a hostile one is not shown
            return reply

    # --- worker life --------------------------------------------------------------------------

    def _ensure_worker(self) -> WorkerProcess:
        worker = self._worker
        if worker is not None and worker.alive():
            return worker
        self._stop_worker()
        functions = {
            name: str(relocate(spec.path, self.source, Path(".")))
            + (f":{spec.function}" if spec.function else "")
            for name, spec in self._specs.items()
        }
        limits, config = self.limits, {"functions": functions, "function_env": self.function_env}
        if self._node is not None:
            # V8's reservations count against RLIMIT_AS (see `node_functions`).
            limits = dataclasses.replace(limits, memory_mb=limits.memory_mb + NODE_RESERVE_MB)
            config["node"] = self._node
            sdk = installed_sdk()  # found here, where HOME and COURSE_NODE_SDK are ours
            config["node_sdk"] = None if sdk is None else os.path.realpath(sdk)
        worker = WorkerProcess(
            mode="functions", source=self.source, limits=limits, env=self.env, config=config
        )
        self._worker = worker
        self._finalizer = weakref.finalize(self, worker.close)
        self.starts += 1
        worker.wait_ready()
        return worker

    def _stop_worker(self) -> None:
        self._warm.clear()
        if self._finalizer is not None:
            self._finalizer()  # closes the worker once, and detaches
            self._finalizer = None
        self._worker = None

    def _ended(self, result: IsolatedResult) -> IsolatedResult:
        """`result` after which the worker is replaced, as Lambda starts a fresh environment."""
        self._stop_worker()
        return result
