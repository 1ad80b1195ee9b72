"""The worker process itself: `python -I -m course_cli.runtime.worker.child REQUEST_FD REPLY_FD`.

Started by `process` with a configuration frame, then requests. Mode `functions` serves them
with `InProcessRuntime` (so results are exactly the in-process ones), and Node.js handlers
with the Node runtime in `node` processes of its own (`node_functions`), until the pipe
closes; mode `script` runs one learner file and reports how it ended.
"""

from __future__ import annotations

import contextlib
import os
import runpy
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from course_cli.errors import HandlerError
from course_cli.runtime import handler_loader
from course_cli.runtime.handler_loader import HandlerLoadError, HandlerSpec
from course_cli.runtime.inprocess import InProcessRuntime
from course_cli.runtime.worker import guard, node_functions
from course_cli.runtime.worker.framing import (
    PeerGone,
    decode_value,
    encode_value,
    read_frame,
    write_frame,
)

if TYPE_CHECKING:
    from course_cli.gateway.invoker import LambdaResult
    from course_cli.runtime.node.runtime import NodeRuntime

_MAX_REQUEST_BYTES = 64 * 1024 * 1024


def main() -> int:
    """Run the worker; returns its exit status."""
    args = sys.argv[1:]
    request_fd, reply_fd = int(args[0]), int(args[1])
    if args[2:3] == ["--enter-sandbox"]:
        from course_cli.runtime.worker.isolation import enter_sandbox

        enter_sandbox(args[3], args[4])
    # Programs the learner starts must not inherit the protocol pipes.
    os.set_inheritable(request_fd, False)
    os.set_inheritable(reply_fd, False)
    config = read_frame(request_fd, max_bytes=_MAX_REQUEST_BYTES)
    assert config is not None  # without a deadline, a frame or an exception
    guard.apply_limits(config["limits"])
    guard.set_parent_death_signal()
    guard.cap_captured_output(int(config["max_log_chars"]))
    if config["limits"].get("isolation") == "namespaces":
        os.environ.pop("PWD", None)  # bubblewrap's; the worker's environment is the parent's
    relay = config.get("relay")
    if isinstance(relay, dict):
        from course_cli.runtime.worker.relay import WorkerEnd

        WorkerEnd(int(relay["port"]), str(relay["path"]))
    sandbox = guard.Guard(
        writable_root=config["writable_root"],
        denied_reads=list(config["denied_reads"]),
        max_processes=int(config["limits"]["processes"]),
        # Other programs only where the operating system confines them (own user id).
        allow_programs=bool(config["limits"].get("own_user")),
        allowed_sockets=[str(relay["path"])] if isinstance(relay, dict) else [],
        writable_also=["/tmp"] if config["limits"].get("isolation") == "namespaces" else [],
    )
    if config["mode"] == "script":
        # The report is sent and the output flushed: skip the interpreter's slow shutdown.
        os._exit(_run_script(config, sandbox, reply_fd))
    return _serve(config, sandbox, request_fd, reply_fd)


# --- functions mode ---------------------------------------------------------------------------


def _serve(config: dict[str, Any], sandbox: guard.Guard, request_fd: int, reply_fd: int) -> int:
    functions: dict[str, str] = dict(config["functions"])
    environments = config.get("function_env") or {}
    node: NodeRuntime | None = None
    node_specs = node_functions.node_specs(functions)
    if node_specs:
        node = node_functions.worker_runtime(
            node_specs, config.get("node"), config.get("node_sdk"), environments
        )
        sandbox.allow_command(node_functions.runtime_command(node.node))
    # Lambda's per-function variables, set while the function loads or runs, as in-process.
    runtime = InProcessRuntime(
        {name: text for name, text in functions.items() if name not in node_specs},
        environments=environments,
    )
    load_errors = _record_load_errors()
    sandbox.install()
    write_frame(reply_fd, {"ready": True, "pid": os.getpid()})
    while True:
        try:
            request = read_frame(request_fd, max_bytes=_MAX_REQUEST_BYTES)
        except PeerGone:
            return 0
        assert request is not None  # without a deadline, a frame or an exception
        try:
            if node is not None and request.get("function") in node_specs:
                reply = _node_request(node, sandbox, request)
            elif request.get("op") == "load":
                reply = _load(runtime, sandbox, request)
            elif request.get("op") == "render":
                reply = _render(request)
            else:
                reply = _invoke(runtime, load_errors, sandbox, request, reply_fd)
        except Exception as exc:  # our own failure (or MemoryError): say so, then carry on
            reply = {"id": request.get("id"), "worker_error": f"{type(exc).__name__}: {exc}"}
        write_frame(reply_fd, reply)


def _invoke(
    runtime: InProcessRuntime,
    load_errors: dict[HandlerSpec, HandlerLoadError],
    sandbox: guard.Guard,
    request: dict[str, Any],
    reply_fd: int,
) -> dict[str, Any]:
    name = request["function"]
    spec = runtime.spec(name)
    load_errors.pop(spec, None)

    def init_done(_: str) -> None:
        # The parent's deadline covered the init phase's 10 s too: now the timeout alone.
        write_frame(reply_fd, {"id": request["id"], "init_done": True})

    runtime.after_init = init_done  # called during this invocation only, on this thread
    result = runtime(
        name, request["event"], timeout_s=request["timeout_s"], wait_s=request["wait_s"]
    )
    failed_load = load_errors.pop(spec, None)
    return {
        "id": request["id"],
        "result": _result_fields(result),
        "load_error": None if failed_load is None else _describe_load_error(failed_load),
        "refused": sandbox.take_refused(),
    }


def _result_fields(result: LambdaResult) -> dict[str, Any]:
    return {
        "outcome": str(result.outcome),
        "payload": result.payload,
        "error": result.error,
        "logs": result.logs,
        "duration_ms": result.duration_ms,
        "request_id": result.request_id,
        "language": result.language,
    }


def _node_request(
    node: NodeRuntime, sandbox: guard.Guard, request: dict[str, Any]
) -> dict[str, Any]:
    """A `load` or `invoke` of a Node.js function (its init has its own limit in the Node
    runtime, so no `init_done` frame: the parent's deadline covers both phases)."""
    name = request["function"]
    if request.get("op") == "load":
        problem = node_functions.load(node, name)
        return {"id": request["id"], "load_error": problem, "refused": sandbox.take_refused()}
    result = node.invoke(name, request["event"], request["timeout_s"], request["wait_s"])
    return {
        "id": request["id"],
        "result": _result_fields(result),
        "load_error": None,
        "refused": sandbox.take_refused(),
    }


def _load(
    runtime: InProcessRuntime, sandbox: guard.Guard, request: dict[str, Any]
) -> dict[str, Any]:
    """Load a handler ahead of its first invocation (Lambda's 10 s init limit applies)."""
    problem: dict[str, Any] | None = None
    try:
        runtime.load(request["function"])
    except HandlerLoadError as exc:
        problem = _describe_load_error(exc)
    except HandlerError as exc:  # the module's top level ran past the init limit
        problem = {"message": exc.message, "hint": exc.hint, "timeout": True}
    return {"id": request["id"], "load_error": problem, "refused": sandbox.take_refused()}


def _record_load_errors() -> dict[HandlerSpec, HandlerLoadError]:
    """Remember why a handler failed to load, for the learner's file and line: wraps
    `load_handler` (looked up at call time), so nothing loads twice. Worker process only."""
    failures: dict[HandlerSpec, HandlerLoadError] = {}
    original: Callable[[HandlerSpec | str], handler_loader.LoadedHandler] = (
        handler_loader.load_handler
    )

    def recording_load(spec: HandlerSpec | str) -> handler_loader.LoadedHandler:
        try:
            return original(spec)
        except HandlerLoadError as exc:
            if isinstance(spec, HandlerSpec):
                failures[spec] = exc
            raise

    setattr(handler_loader, "load_handler", recording_load)  # noqa: B010 - worker process only
    return failures


def _describe_load_error(exc: HandlerLoadError) -> dict[str, Any]:
    cause = exc.__context__
    file, line = (None, None) if cause is None else _learner_line(cause)
    return {
        "message": exc.message,
        "hint": exc.hint,
        "file": file,
        "line": line,
        "exit": exc.exit_reason is not None,
    }


def _learner_line(exc: BaseException) -> tuple[str | None, int | None]:
    """Where `exc` happened in the learner's files: a syntax error's own line, else the
    innermost frame in the worker's working folder."""
    if isinstance(exc, SyntaxError):
        return exc.filename, exc.lineno
    folder = os.getcwd() + os.sep
    found: tuple[str | None, int | None] = (None, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.startswith(folder):
            found = (frame.filename, frame.lineno)
    return found


def _render(request: dict[str, Any]) -> dict[str, Any]:
    """Render a learner's template in the worker: `{"rendered"}` or `{"template_error"}`."""
    import dataclasses
    import json

    from course_cli.gateway.vtl import (
        TemplateData,
        TemplateError,
        TemplateLimitError,
        render_template,
    )

    found = request.get("data")
    data: dict[str, Any] = found if isinstance(found, dict) else {}
    names = [field.name for field in dataclasses.fields(TemplateData)]
    try:
        rendered = render_template(
            str(request.get("text", "")),
            TemplateData(**{name: data[name] for name in names if name in data}),
        )
    except TemplateError as error:
        problem = {"reason": error.reason, "line": error.line, "column": error.column}
        problem |= {"hint": error.hint, "limit": isinstance(error, TemplateLimitError)}
        return {"id": request.get("id"), "template_error": problem}
    # `$context` may hold what a template put there: sent as JSON, anything else as text.
    context = json.loads(json.dumps(rendered.context, default=str))
    output = {"output": rendered.output, "warnings": rendered.warnings, "context": context}
    return {"id": request.get("id"), "rendered": output}


# --- script mode ------------------------------------------------------------------------------


def _run_script(config: dict[str, Any], sandbox: guard.Guard, reply_fd: int) -> int:
    path = os.path.abspath(str(config["script"]))
    sys.argv = [path, *config.get("args", [])]
    sys.path.insert(0, str(Path(path).parent))  # as `python script.py` does
    report: dict[str, Any] = {"exit_code": 0, "error": None}
    call = config.get("call")
    as_module = bool(config.get("as_module"))
    sandbox.install()
    try:
        names = runpy.run_path(path, run_name=Path(path).stem if as_module else "__main__")
        if as_module:
            report.update(_module_value(names, call, decode_value(config.get("call_args", []))))
    except SystemExit as exc:
        code = exc.code
        if code is None or isinstance(code, int):
            report["exit_code"] = code or 0
        else:
            print(code, file=sys.stderr)
            report["exit_code"] = 1
    except BaseException as exc:  # the script's own failure: reported, with its line
        traceback.print_exc()
        report["exit_code"] = 1
        file, line = _learner_line(exc)
        report["error"] = {
            "type": type(exc).__name__,
            "message": str(exc),
            "file": file,
            "line": line,
        }
    report["refused"] = sandbox.take_refused()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    write_frame(reply_fd, report)
    return int(report["exit_code"]) & 0xFF


def _module_value(names: dict[str, Any], call: str | None, args: Any) -> dict[str, Any]:
    """`{"value": ...}`: the module's public JSON-able names, or what `call(*args)` returned."""
    if call is None:
        public = {}
        for name, value in names.items():
            if name.startswith("_"):
                continue
            try:
                public[name] = encode_value(value)
            except TypeError:
                continue  # modules, functions, classes: nothing a check reads across
        return {"value": public}
    function = names.get(call)
    if not callable(function):
        return {"missing": call}
    value = function(*args)
    try:
        return {"value": encode_value(value)}
    except TypeError:
        return {"unsendable": type(value).__name__}


if __name__ == "__main__":
    sys.exit(main())
