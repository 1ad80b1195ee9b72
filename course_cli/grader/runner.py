"""The seam between the grader and the learner's code: a `SubmissionRunner`.

The checks never import or call a learner's file themselves: a runner gives them a
`LambdaInvoker` and runs plain files (`answers.py`, `deploy.py`); whatever that code does
comes back as a `SubmissionFailed` pointing at the learner's line. `InProcessRunner` is for
notebooks; `isolated_runner.IsolatedRunner` for `course check` and `course grade`.
"""

from __future__ import annotations

import os
import traceback
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from course_cli.gateway.invoker import LambdaInvoker
from course_cli.grader.result import CRASHED, ERROR, TIMEOUT

if TYPE_CHECKING:
    from course_cli.gateway.context import TemplateRenderer
    from course_cli.gateway.invoker import LambdaResult

# Shorter than Lambda's 3 s: the solutions answer in milliseconds, an endless loop stalls less.
HANDLER_TIMEOUT_S = 2.0
# A script (answers.py, deploy.py) gets longer: deploy.py makes a dozen AWS calls.
SCRIPT_TIMEOUT_S = 10.0


class SubmissionFailed(Exception):
    """The learner's code could not run to the end: `status` is error, timeout or crashed."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class SubmittedFunction:
    """A Lambda function made of the learner's (or the grader's) code."""

    handler: str  # `file.py:function`
    environment: Mapping[str, str] = field(default_factory=dict)
    timeout_s: float = HANDLER_TIMEOUT_S
    # The grader's own reference backend: in the grader's process under every runner.
    grader_code: bool = False


class SubmissionRunner(Protocol):
    """Runs a submission's code for the checks (see the module docstring)."""

    # Another process: AWS must be on loopback (`Sandbox(server=True)`), and the code sees
    # only the environment the check passes.
    separate_process: bool
    # What the learner's scripts printed, each as "name.py:\n<output>".
    printed: list[str]

    def load(self, function: SubmittedFunction) -> None:
        """Load the handler now; `SubmissionFailed` if it cannot be (one clear message)."""

    def invoker(self, functions: Mapping[str, SubmittedFunction]) -> LambdaInvoker:
        """A `LambdaInvoker` running these functions, by name."""

    def run_file(
        self,
        path: Path,
        call: str | None = None,
        args: tuple[Any, ...] = (),
        *,
        timeout_s: float = SCRIPT_TIMEOUT_S,
        env: Mapping[str, str] | None = None,
    ) -> Any:
        """Run `path` as a module with `env` added; its public (JSON-able) names as a dict, or
        with `call`, what `call(*args)` returned. `SubmissionFailed` when it cannot."""

    def template_renderer(self) -> TemplateRenderer | None:
        """Who renders the learner's mapping templates; None: this process."""

    def close(self) -> None:
        """End whatever the runner started (worker processes); it may be used again after."""


class InProcessRunner:
    """Everything in this process, with Lambda's time limits enforced by `runtime.timeouts`;
    a Node.js handler in a `node` process of its own (`runtime.node`), ended by `close`."""

    separate_process = False

    def __init__(self) -> None:
        self.printed: list[str] = []
        self._invokers: list[_EnvironmentInvoker] = []

    def close(self) -> None:
        """End the `node` processes of Node.js handlers; Python ran in this process."""
        invokers, self._invokers = self._invokers, []
        for invoker in invokers:
            invoker.close()

    def template_renderer(self) -> TemplateRenderer | None:
        return None

    def load(self, function: SubmittedFunction) -> None:
        from course_cli.errors import HandlerError

        loading = _EnvironmentInvoker({"submission": function})
        try:
            loading.runtime.load("submission")
        except HandlerError as error:
            status = ERROR
            if "sys.exit" in error.message or "ended the node process" in error.message:
                status = CRASHED
            elif "took longer than" in error.message:
                status = TIMEOUT
            raise SubmissionFailed(status, error.message) from None
        finally:
            loading.close()

    def invoker(self, functions: Mapping[str, SubmittedFunction]) -> LambdaInvoker:
        invoker = _EnvironmentInvoker(functions)
        self._invokers.append(invoker)
        return invoker

    def run_file(
        self,
        path: Path,
        call: str | None = None,
        args: tuple[Any, ...] = (),
        *,
        timeout_s: float = SCRIPT_TIMEOUT_S,
        env: Mapping[str, str] | None = None,
    ) -> Any:
        from course_cli.runtime.timeouts import call_with_alarm

        try:
            code = compile(read_submitted(path), str(path), "exec")
        except SyntaxError as error:
            where = f"{path.name}, line {error.lineno}"
            text = f": {error.text.strip()}" if error.text and error.text.strip() else ""
            raise SubmissionFailed(ERROR, f"syntax error in {where}: {error.msg}{text}") from None
        module = types.ModuleType(f"_course_submission_{path.stem}")
        module.__file__ = str(path)

        def body() -> Any:
            try:
                exec(code, module.__dict__)
                if call is None:
                    return {k: v for k, v in vars(module).items() if not k.startswith("_")}
                function = getattr(module, call, None)
                return function(*args) if callable(function) else _NO_FUNCTION
            except (Exception, SystemExit) as error:  # the learner's, to be reported
                return _Raised(error)

        saved = {name: os.environ.get(name) for name in env or {}}
        os.environ.update(env or {})
        try:
            timed_out, value = call_with_alarm(body, timeout_s)
        finally:
            for name, old in saved.items():
                if old is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = old
        if timed_out:
            raise script_timed_out(path, timeout_s)
        if value is _NO_FUNCTION:
            message = f"{path.name} has no function {call}(); define it (see the TODO)"
            raise SubmissionFailed(ERROR, message)
        if isinstance(value, _Raised):
            raise SubmissionFailed(*_describe(value.error, path))
        return value


def read_submitted(path: Path) -> str:
    """The text of a learner's file; `SubmissionFailed` when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise SubmissionFailed(ERROR, f"cannot read {path.name}: {error.strerror}") from None


def script_timed_out(path: Path, timeout_s: float) -> SubmissionFailed:
    """The failure of a script stopped at its time limit."""
    return SubmissionFailed(
        TIMEOUT,
        f"{path.name} ran for more than {timeout_s:g} s and was stopped "
        "(an endless loop, or a call that waits forever?)",
    )


# What `run_file`'s timed call returns when the script lacks the function to call.
_NO_FUNCTION = object()


@dataclass(frozen=True)
class _Raised:
    """What the learner's code raised (even SystemExit), carried out of the timed call."""

    error: BaseException


def _describe(error: BaseException, path: Path) -> tuple[str, str]:
    where = learner_line(error, path)
    if isinstance(error, SystemExit):
        return CRASHED, f"{path.name} called sys.exit(){where}: nothing after it ran"
    return ERROR, f"{path.name} raised {type(error).__name__}{where}: {error}"


def learner_line(error: BaseException, path: Path) -> str:
    """`' at line 12 (code)'` for the innermost frame in the learner's file, or ''."""
    frames = reversed(traceback.extract_tb(error.__traceback__))
    found = next((f for f in frames if Path(f.filename).name == path.name), None)
    if found is None:
        return ""
    code = f" ({found.line.strip()})" if found.line else ""
    return f" at line {found.lineno}{code}"


class _EnvironmentInvoker(LambdaInvoker):
    """The in-process runtime (with the Node.js one for JavaScript handlers), each function's
    environment set before it runs."""

    def __init__(self, functions: Mapping[str, SubmittedFunction]) -> None:
        from course_cli.runtime.node import runtime_for

        self.functions = dict(functions)
        self.runtime = runtime_for({name: f.handler for name, f in functions.items()})

    def close(self) -> None:
        """End the `node` processes this invoker started, if any."""
        from course_cli.runtime.node import RuntimeRouter

        if isinstance(self.runtime, RuntimeRouter):
            self.runtime.node.close()

    def invoke(
        self, function_name: str, event: Any, timeout_s: float, wait_s: float
    ) -> LambdaResult:
        function = self.functions.get(function_name)
        if function is not None:
            os.environ.update(function.environment)
        return self.runtime.invoke(function_name, event, timeout_s, wait_s)
