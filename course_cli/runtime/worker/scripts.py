"""Run a learner's script or module (`deploy.py`, `answers.py`) in an isolated worker.

Nothing the file does raises here: an exception (with the learner's line), a non-zero exit,
a limit or a crash is each a `ScriptResult` with a `ScriptKind`.
"""

from __future__ import annotations

import functools
import signal
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from course_cli.runtime.lambda_errors import process_exit_reason
from course_cli.runtime.worker.folder import learner_location, unrelocate
from course_cli.runtime.worker.framing import ProtocolError, decode_value, encode_value
from course_cli.runtime.worker.process import Limits, WorkerProcess


class ScriptKind(StrEnum):
    """How a learner script ended."""

    OK = "ok"  # exit status 0
    ERROR = "error"  # an exception (with its line) or a non-zero exit status
    TIMEOUT = "timeout"  # stopped at the wall-clock or CPU limit
    CRASHED = "crashed"  # killed by a signal, or ended without reporting (os._exit)


@dataclass(frozen=True)
class ScriptResult:
    """What running one learner script in a worker did."""

    kind: ScriptKind
    exit_code: int | None  # None when killed by a signal
    stdout: str
    stderr: str
    duration_s: float
    # True when stdout or stderr went over `Limits.output_bytes` and the rest was discarded.
    truncated: bool = False
    message: str = ""
    location: tuple[str, int] | None = None
    refused_connections: tuple[str, ...] = ()
    # `run_module` only: the module's public names (JSON-able values), or what `call` returned.
    value: Any = None


def run_script(
    path: Path,
    *,
    limits: Limits = Limits(),  # noqa: B008 - frozen, shared safely
    args: Sequence[str] = (),
) -> ScriptResult:
    """Run the learner script `path` as `__main__` in an isolated worker, in a copy of its
    folder; `WorkerStartError` if no worker can be started."""
    return _run_file(path, limits, None, {"args": list(args)})


def run_module(
    path: Path,
    *,
    call: str | None = None,
    call_args: Sequence[Any] = (),
    limits: Limits = Limits(),  # noqa: B008 - frozen, shared safely
    env: Mapping[str, str] | None = None,
) -> ScriptResult:
    """Import `path` as a module in an isolated worker. `value` is its public JSON-able
    names, or what `call(*call_args)` returned; a missing function or a non-JSON value is an
    `error` saying so."""
    config = {"as_module": True, "call": call, "call_args": encode_value(list(call_args))}
    return _run_file(path, limits, env, config)


def _run_file(
    path: Path,
    limits: Limits,
    env: Mapping[str, str] | None,
    extra: dict[str, Any],
) -> ScriptResult:
    path = Path(path).resolve()
    source = path.parent
    started = time.monotonic()
    worker = WorkerProcess(
        mode="script",
        source=source,
        limits=limits,
        env=dict(env or {}),
        config={"script": path.name, **extra},
        separate_stderr=True,
    )
    task = str(worker.folder.task)
    report: dict[str, Any] | None = None
    timed_out = False
    try:
        report = worker.receive(started + limits.script_timeout_s)
        timed_out = report is None
    except ProtocolError:
        report = None
    finally:
        if report is not None:  # the process is ending on its own: give it a moment
            worker.ended(wait_s=limits.grace_s)
        status = worker.close()
    stdout, cut_out = worker.stdout.text()
    stderr, cut_err = worker.stderr.text() if worker.stderr is not None else ("", False)
    ended = functools.partial(
        ScriptResult,
        stdout=unrelocate(stdout, task, source),
        stderr=unrelocate(stderr, task, source),
        duration_s=time.monotonic() - started,
        truncated=cut_out or cut_err,
    )
    if timed_out or (status is not None and -status == signal.SIGXCPU):
        limit = f"{limits.script_timeout_s:g} s" if timed_out else f"{limits.cpu_s} s of CPU time"
        return ended(ScriptKind.TIMEOUT, None, message=f"{path.name} ran longer than {limit}")
    if report is None or not isinstance(report.get("exit_code"), int):
        return ended(
            ScriptKind.CRASHED,
            status if status is not None and status >= 0 else None,
            message=f"{path.name} ended without finishing: {process_exit_reason(status)}",
        )
    exit_code = int(report["exit_code"])
    ended = functools.partial(
        ended,
        exit_code=exit_code,
        refused_connections=tuple(str(item) for item in report.get("refused") or ()),
    )
    error = report.get("error")
    if isinstance(error, dict):
        location = learner_location(error, task, source)
        where = ""
        if location is not None:
            shown = Path(location[0])
            if shown.is_relative_to(source):
                shown = shown.relative_to(source)
            where = f" at {shown}, line {location[1]}"
        message = f"{path.name} failed{where}: {error.get('type')}: {error.get('message')}"
        return ended(ScriptKind.ERROR, message=message, location=location)
    if "missing" in report:
        return ended(ScriptKind.ERROR, message=f"{path.name} has no function {report['missing']}()")
    if "unsendable" in report:
        message = (
            f"{extra.get('call')}() in {path.name} returned a {report['unsendable']}, "
            "which is not JSON"
        )
        return ended(ScriptKind.ERROR, message=message)
    if exit_code == 0:
        value = report.get("value")
        return ended(ScriptKind.OK, value=decode_value(value) if extra.get("as_module") else value)
    return ended(ScriptKind.ERROR, message=f"{path.name} exited with status {exit_code}")
