"""Run a submission for grading in an isolated worker process (the parent's side).

`IsolatedRuntime` implements the gateway's `LambdaInvoker` like `InProcessRuntime`, but each
submission runs in a child process (`course_cli.runtime.worker`) that the grader only talks
to over a private pipe. `run_script` and `run_module` (from `isolated_scripts`, re-exported
here) run a learner's script or module (`deploy.py`, `answers.py`) the same way.

What the worker gets (see `worker_process` and `guard` for how, `isolation` for the walls):
- a copy of the submission in a fresh temporary folder (its working folder, HOME and TMPDIR
  inside it);
- a scrubbed environment: only a PATH, a locale, empty AWS config/credentials files and what
  the caller passes in `env` (typically the sandbox's fake credentials and the moto server's
  `AWS_ENDPOINT_URL`) — never the parent's credentials, profiles or proxies;
- limits: wall clock (the parent kills the worker and everything it started), CPU seconds
  (RLIMIT_CPU), memory (RLIMIT_AS), output (kept up to `Limits.output_bytes`, the rest read
  and discarded), processes, file size and open files;
- `Limits.isolation` decides the rest. `none` (the learner's own code, `course check`): the
  audit hook of `guard` explains what a handler must not do here (reach the internet, write
  outside its folder). `namespaces` and `uid` (untrusted code, `course grade`): the kernel
  keeps the worker to its own folder, processes and network — see `isolation`.
How results map to the grader's kinds (`IsolatedResult.kind`, a `ResultKind`; outcome in
brackets):

- `ok` (OK): the handler returned a value that serialised.
- `function_error` (ERROR): the handler raised, or returned something unserialisable — a
  502 the checks judge like any other.
- `load_error` (ERROR): syntax error, import error, no handler function; `message` names the
  learner's file and line, `location` gives them as `(file, line)`.
- `timeout` (TIMEOUT): the function's own timeout — stopped inside the worker, or the worker
  killed by the parent when it did not answer in time — or its CPU limit.
- `no_answer` (NO_ANSWER): the caller's `wait_s` ran out before the function's own timeout.
- `crashed` (ERROR): the worker process ended — `sys.exit`, `os._exit`, a signal such as a
  segfault, memory exhausted, a broken protocol frame.

A crash is a result, never an exception: `outcome` is `Outcome.ERROR` and the error document
is Lambda's for a runtime that exits (`errorType` `Runtime.ExitError`, or
`Runtime.OutOfMemory`), with `kind == ResultKind.CRASHED` (also `result.crashed`). The
grader's `status` follows: `load_error` → `error`, `timeout` → `timeout`, `crashed` →
`crashed`; `ok`/`function_error` are judged by the checks. After a timeout or a crash the
worker is replaced by a fresh one (with a fresh copy of the submission) on the next call,
as Lambda starts a fresh execution environment.

The parent never trusts the worker for a grade: the checks run in the parent, so a
submission that prints a fake pass, patches the grader's modules (only the worker's copies
exist in the worker) or exits early changes nothing but its own result.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from course_cli.gateway.invoker import (
    FunctionNotFound,
    LambdaInvoker,
    LambdaResult,
    Outcome,
)
from course_cli.runtime import lambda_errors, logs
from course_cli.runtime.framing import PeerGone, ProtocolError
from course_cli.runtime.handler_loader import HandlerSpec, parse_handler_spec
from course_cli.runtime.inprocess import INIT_TIMEOUT_S
from course_cli.runtime.isolated_scripts import ScriptKind, ScriptResult, run_module, run_script
from course_cli.runtime.lambda_context import new_request_id
from course_cli.runtime.worker_process import (
    SIGXCPU,
    Limits,
    SubmissionTooLarge,
    WorkerProcess,
    WorkerStartError,
    exit_reason,
    learner_location,
    relocate,
    unrelocate,
)

__all__ = [
    "IsolatedResult",
    "IsolatedRuntime",
    "Limits",
    "ResultKind",
    "ScriptKind",
    "ScriptResult",
    "SubmissionTooLarge",
    "WorkerStartError",
    "run_module",
    "run_script",
]

OUT_OF_MEMORY = "Runtime.OutOfMemory"


class ResultKind(StrEnum):
    """How the grader should read an isolated invocation (see the module docstring)."""

    OK = "ok"
    FUNCTION_ERROR = "function_error"
    LOAD_ERROR = "load_error"
    TIMEOUT = "timeout"
    NO_ANSWER = "no_answer"
    CRASHED = "crashed"


@dataclass(frozen=True)
class IsolatedResult(LambdaResult):
    """A `LambdaResult` plus what isolation adds. `value` is the parsed payload on OK."""

    kind: ResultKind = ResultKind.OK
    # One learner-facing line for load errors, crashes and timeouts ("" otherwise).
    message: str = ""
    # The learner's file (as in the submission, not the worker's copy) and line, if known.
    location: tuple[str, int] | None = None
    # Network uses the worker refused during this invocation, e.g. "connect 93.184.216.34:80".
    refused_connections: tuple[str, ...] = ()
    # Output the worker wrote around the capture (straight to its file descriptors), capped.
    console: str = ""

    @property
    def crashed(self) -> bool:
        """True when the worker process ended (or had to be ended) during this invocation."""
        return self.kind is ResultKind.CRASHED


class IsolatedRuntime(LambdaInvoker):
    """Lambda functions by name, run in one isolated worker per runtime (one submission).

    `functions` maps names to handler specs (`"handler.py"`, `"app.py:main"`), relative to
    `workdir` — the submission's folder, copied into the worker's own temporary folder. Without
    `workdir`, the folder holding the handler files is copied. `env` is the worker's whole
    environment beyond the scrubbed basics; `function_env` adds variables per function name
    (set before each of its invocations, as Lambda's per-function environment). The worker
    starts on first use and serves every invocation after that; `close()` (or the `with`
    block) ends it.
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
        self.source = (workdir or _common_folder(specs)).resolve()
        self._specs = specs
        self._lock = threading.Lock()
        self._worker: WorkerProcess | None = None
        self._finalizer: weakref.finalize[Any, Any] | None = None
        # Functions whose handler the current worker has loaded: their next invocation has
        # no init phase, so the worker must answer within the function's timeout alone.
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
        """Load the handler in the worker now: `None` if it loads, else why it cannot.

        The result's kind is `load_error` (syntax error, import error, no handler: `message`
        and `location` point at the learner's line), `timeout` (the module's top level ran
        past Lambda's 10 s init limit) or `crashed` (it exited, or killed the worker). Raises
        `FunctionNotFound` for an unknown name.
        """
        if function_name not in self._specs:
            raise FunctionNotFound(function_name, f"known: {', '.join(sorted(self._specs))}")
        request_id = secrets.token_hex(16)
        request = {"op": "load", "id": request_id, "function": function_name}
        with self._lock:
            worker = self._ensure_worker()
            started = time.monotonic()
            try:
                worker.send(request)
                reply = worker.receive(started + INIT_TIMEOUT_S + self.limits.grace_s)
            except PeerGone:
                return self._crashed(worker, started, "", INIT_TIMEOUT_S)
            except ProtocolError as exc:
                return self._crashed(worker, started, f"the worker broke the protocol: {exc}")
            if reply is None:
                return self._stopped(worker, started, INIT_TIMEOUT_S, INIT_TIMEOUT_S)
            if reply.get("id") != request_id:
                return self._crashed(worker, started, "the worker answered another request")
            problem = reply.get("load_error")
            if not isinstance(problem, dict):
                self._warm.add(function_name)
                return None
            task = str(worker.folder.task)
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
                message=str(problem.get("message") or ""),
                location=learner_location(problem, task, self.source),
                refused_connections=tuple(str(item) for item in reply.get("refused") or ()),
                console=worker.stdout.take_new(),
            )

    def invoke(
        self, function_name: str, event: Any, timeout_s: float, wait_s: float
    ) -> IsolatedResult:
        """Invoke `function_name` in the worker, as Lambda's Invoke API would.

        Never raises for anything the submission does. Raises `FunctionNotFound` for an
        unknown name, `TypeError` for an event that is not JSON, and `WorkerStartError` when
        no worker can be started at all (a problem of this machine, not of the submission).
        """
        spec = self._specs.get(function_name)
        if spec is None:
            raise FunctionNotFound(function_name, f"known: {', '.join(sorted(self._specs))}")
        request_id = secrets.token_hex(16)
        request = {
            "op": "invoke",
            "id": request_id,
            "function": function_name,
            "event": json.loads(json.dumps(event)),  # TypeError for a non-JSON event, here
            "timeout_s": timeout_s,
            "wait_s": wait_s,
        }
        with self._lock:
            worker = self._ensure_worker()
            started = time.monotonic()
            # A cold start's init phase has its own limit, before the function's timeout.
            limit_s = timeout_s if function_name in self._warm else INIT_TIMEOUT_S + timeout_s
            deadline = started + min(limit_s, wait_s) + self.limits.grace_s
            try:
                worker.send(request)
                reply = worker.receive(deadline)
                if reply is not None and reply.get("init_done") and reply.get("id") == request_id:
                    # The cold start's init is over: the function's timeout starts now.
                    now = time.monotonic()
                    wait_left = wait_s - (now - started)
                    reply = worker.receive(now + min(timeout_s, wait_left) + self.limits.grace_s)
            except PeerGone:
                return self._crashed(worker, started, "", timeout_s)
            except ProtocolError as exc:
                return self._crashed(worker, started, f"the worker broke the protocol: {exc}")
            if reply is None:
                return self._stopped(worker, started, timeout_s, wait_s)
            if reply.get("id") != request_id:
                return self._crashed(worker, started, "the worker answered another request")
            result = self._read_reply(worker, reply, started)
            if result.kind in (ResultKind.OK, ResultKind.FUNCTION_ERROR):
                self._warm.add(function_name)  # (a timeout or crash replaced the worker)
            return result

    def exchange(self, message: dict[str, Any], wait_s: float) -> dict[str, Any] | None:
        """Send the worker one request of its protocol (`message` with an `op` and an `id`)
        and return its reply. None when it does not answer the same `id` within `wait_s`
        (plus the grace), dies or breaks the protocol: the worker is then ended, and the next
        use starts a fresh one."""
        with self._lock:
            worker = self._ensure_worker()
            try:
                worker.send(message)
                reply = worker.receive(time.monotonic() + wait_s + self.limits.grace_s)
            except (PeerGone, ProtocolError):
                reply = None
            if reply is None or reply.get("id") != message.get("id"):
                self._stop_worker()
                return None
            worker.stdout.take_new()  # a template prints nothing; a hostile one is not shown
            return reply

    # --- worker life --------------------------------------------------------------------------

    def _ensure_worker(self) -> WorkerProcess:
        worker = self._worker
        if worker is not None and worker.alive():
            return worker
        self._stop_worker()
        # Inside the worker, handlers are found in its copy of the submission.
        functions = {
            name: str(relocate(spec.path, self.source, Path("."))) + _suffix(spec)
            for name, spec in self._specs.items()
        }
        worker = WorkerProcess(
            mode="functions",
            source=self.source,
            limits=self.limits,
            env=self.env,
            config={"functions": functions, "function_env": self.function_env},
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

    # --- turning replies (or their absence) into results -------------------------------------

    def _read_reply(
        self, worker: WorkerProcess, reply: dict[str, Any], started: float
    ) -> IsolatedResult:
        if "worker_error" in reply:
            return self._crashed(worker, started, f"the worker failed: {reply['worker_error']}")
        try:
            raw = reply["result"]
            outcome = Outcome(raw["outcome"])
            error = raw.get("error")
            payload = str(raw["payload"])
            result_logs = str(raw["logs"])
            refused = tuple(str(item) for item in reply.get("refused") or ())
        except (KeyError, TypeError, ValueError) as exc:
            return self._crashed(worker, started, f"the worker sent a malformed result: {exc}")
        task = str(worker.folder.task)
        if outcome is not Outcome.OK:
            payload, result_logs = (
                unrelocate(payload, task, self.source),
                unrelocate(result_logs, task, self.source),
            )
            if isinstance(error, dict):
                error = json.loads(unrelocate(json.dumps(error), task, self.source))
        load_error = reply.get("load_error")
        kind, message, location = ResultKind.OK, "", None
        error_type = error.get("errorType") if isinstance(error, dict) else None
        if outcome is Outcome.TIMEOUT:
            kind = ResultKind.TIMEOUT
            message = f"the function ran longer than its timeout of {raw_timeout(error)}"
        elif outcome is Outcome.NO_ANSWER:
            kind = ResultKind.NO_ANSWER
        elif error_type == lambda_errors.EXIT_ERROR:
            kind = ResultKind.CRASHED
            message = "the submission exited (sys.exit) instead of returning"
            if isinstance(load_error, dict):
                message = str(load_error.get("message") or message)
        elif error_type == "MemoryError":
            kind = ResultKind.CRASHED
            message = f"the submission ran out of memory (limit {self.limits.memory_mb} MB)"
            error = {
                "errorType": OUT_OF_MEMORY,
                "errorMessage": f"RequestId: {raw.get('request_id', '')} Error: "
                "Runtime exited with error: signal: killed",
            }
            payload = json.dumps(error, separators=(",", ":"))
        elif isinstance(load_error, dict):
            kind = ResultKind.LOAD_ERROR
            message = str(load_error.get("message") or "")
            location = learner_location(load_error, task, self.source)
        elif outcome is Outcome.ERROR:
            kind = ResultKind.FUNCTION_ERROR
        if kind in {ResultKind.TIMEOUT, ResultKind.NO_ANSWER, ResultKind.CRASHED}:
            # Lambda starts a fresh environment; threads left spinning die with this one.
            self._stop_worker()
        value = None
        if outcome is Outcome.OK:
            try:
                value = json.loads(payload)
            except ValueError:
                value = payload
        return IsolatedResult(
            outcome=Outcome.ERROR if kind is ResultKind.CRASHED else outcome,
            payload=payload,
            error=error if isinstance(error, dict) else None,
            logs=result_logs,
            duration_ms=float(raw.get("duration_ms") or 0.0),
            request_id=str(raw.get("request_id") or ""),
            value=value,
            kind=kind,
            message=message,
            location=location,
            refused_connections=refused,
            console=worker.stdout.take_new(),
        )

    def _crashed(
        self, worker: WorkerProcess, started: float, why: str, timeout_s: float = 0.0
    ) -> IsolatedResult:
        """The worker died (or must be killed) mid-invocation."""
        status = worker.ended(wait_s=0.5 if worker.isolation == "namespaces" else 0.0)
        if status is None:
            status = worker.kill()
        console, _ = worker.stdout.text(wait_s=0.5)
        self._stop_worker()
        request_id = new_request_id()
        if status is not None and -status == SIGXCPU:
            return self._timeout_result(
                started,
                request_id,
                timeout_s,
                f"the submission used more than {self.limits.cpu_s} s of CPU (the worker's limit)",
                console,
            )
        reason = why or exit_reason(status)
        error = lambda_errors.exit_error(request_id, exit_reason(status))
        message = why or f"the worker running the submission ended: {reason}"
        return IsolatedResult(
            outcome=Outcome.ERROR,
            payload=json.dumps(error, separators=(",", ":")),
            error=error,
            logs=_platform_log(
                request_id, started, f"{error['errorMessage']}\n", lambda_errors.EXIT_ERROR
            ),
            duration_ms=(time.monotonic() - started) * 1000,
            request_id=request_id,
            kind=ResultKind.CRASHED,
            message=message,
            console=console,
        )

    def _stopped(
        self, worker: WorkerProcess, started: float, timeout_s: float, wait_s: float
    ) -> IsolatedResult:
        """No answer by the deadline: kill the worker; a timeout or the caller giving up."""
        worker.kill()
        console, _ = worker.stdout.text(wait_s=0.5)
        self._stop_worker()
        request_id = new_request_id()
        if wait_s < timeout_s:
            return IsolatedResult(
                outcome=Outcome.NO_ANSWER,
                payload="",
                logs=logs.start_line(request_id),
                duration_ms=(time.monotonic() - started) * 1000,
                request_id=request_id,
                kind=ResultKind.NO_ANSWER,
                console=console,
            )
        return self._timeout_result(
            started,
            request_id,
            timeout_s,
            f"the function did not answer within its timeout of {timeout_s:g} s "
            "(the worker was stopped)",
            console,
        )

    def _timeout_result(
        self, started: float, request_id: str, timeout_s: float, message: str, console: str
    ) -> IsolatedResult:
        error = lambda_errors.timeout_error(request_id, timeout_s)
        line = f"{logs.utc_timestamp()} {request_id} {lambda_errors.timeout_message(timeout_s)}\n"
        return IsolatedResult(
            outcome=Outcome.TIMEOUT,
            payload=json.dumps(error, separators=(",", ":")),
            error=error,
            logs=_platform_log(request_id, started, line, "timeout"),
            duration_ms=(time.monotonic() - started) * 1000,
            request_id=request_id,
            kind=ResultKind.TIMEOUT,
            message=message,
            console=console,
        )


def raw_timeout(error: Any) -> str:
    """`3.00 seconds` out of Lambda's timeout message, for the learner's line."""
    text = str(error.get("errorMessage", "")) if isinstance(error, dict) else ""
    return text.rpartition("after ")[2] or "timeout"


# --- helpers ----------------------------------------------------------------------------------


def _common_folder(specs: Mapping[str, HandlerSpec]) -> Path:
    import os

    folders = [str(spec.path.parent) for spec in specs.values()]
    return Path(os.path.commonpath(folders)) if folders else Path.cwd()


def _suffix(spec: HandlerSpec) -> str:
    return f":{spec.function}" if spec.function else ""


def _platform_log(request_id: str, started: float, middle: str, status: str) -> str:
    """The log of an invocation the worker never finished: `status` as `report_line`'s."""
    duration_ms = (time.monotonic() - started) * 1000
    return (
        f"{logs.start_line(request_id)}{middle}{logs.end_line(request_id)}"
        f"{logs.report_line(request_id, duration_ms, status=status)}"
    )
