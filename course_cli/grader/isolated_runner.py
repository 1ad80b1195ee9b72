"""The grader's `SubmissionRunner` on the isolated worker (`runtime.worker`).

One worker per handler file and environment, kept for the whole check; `answers.py` and
`deploy.py` in a fresh worker each. The checks stay in this process, so nothing the learner's
code does can change a grade except its answers. `grader_code` functions run in this process.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from course_cli.gateway.invoker import FunctionNotFound, LambdaInvoker
from course_cli.grader.result import CRASHED, ERROR, TIMEOUT
from course_cli.grader.runner import (
    SCRIPT_TIMEOUT_S,
    InProcessRunner,
    SubmissionFailed,
    SubmittedFunction,
    script_timed_out,
)

if TYPE_CHECKING:
    from course_cli.gateway.context import TemplateRenderer
    from course_cli.gateway.invoker import LambdaResult
    from course_cli.grader.template_worker import TemplateWorker
    from course_cli.runtime.worker.functions import IsolatedRuntime
    from course_cli.runtime.worker.process import Limits

# The name a handler has inside its worker (one function per worker).
_FUNCTION = "submission"

_Key = tuple[str, tuple[tuple[str, str], ...]]


def default_runner(limits: Limits | None = None) -> IsolatedRunner:
    """The runner `course check` uses: the learner's code in isolated workers."""
    return IsolatedRunner(limits)


class IsolatedRunner:
    """A `SubmissionRunner` running the learner's code in isolated worker processes."""

    separate_process = True

    def __init__(self, limits: Limits | None = None) -> None:
        from course_cli.runtime.worker.process import Limits

        self.limits = limits or Limits()
        self._runtimes: dict[_Key, IsolatedRuntime] = {}
        self._in_process = InProcessRunner()
        self.printed: list[str] = []
        self._templates: TemplateWorker | None = None

    def load(self, function: SubmittedFunction) -> None:
        from course_cli.runtime.worker.results import ResultKind

        if function.grader_code:
            self._in_process.load(function)
            return
        problem = self.runtime(function).load(_FUNCTION)
        if problem is None:
            return
        self._runtimes.pop(_key(function)).close()
        status, what = {
            ResultKind.TIMEOUT: (TIMEOUT, "took too long to load and was stopped"),
            ResultKind.CRASHED: (CRASHED, "ended the process running it while loading"),
        }.get(problem.kind, (ERROR, "could not be loaded"))
        name = Path(function.handler.rsplit(":", 1)[0]).name
        raise SubmissionFailed(status, problem.message or f"{name} {what}")

    def invoker(self, functions: Mapping[str, SubmittedFunction]) -> LambdaInvoker:
        return _SplitInvoker(self, functions)

    def runtime(self, function: SubmittedFunction) -> IsolatedRuntime:
        """The worker-backed runtime of `function`, kept until `close`; `SubmissionFailed` if
        the file cannot be found."""
        from course_cli.errors import CourseError
        from course_cli.runtime.worker.functions import IsolatedRuntime

        key = _key(function)
        if key not in self._runtimes:
            try:
                self._runtimes[key] = IsolatedRuntime(
                    {_FUNCTION: function.handler},
                    limits=self.limits,
                    env=dict(function.environment),
                )
            except CourseError as error:
                raise SubmissionFailed(ERROR, error.message) from None
        return self._runtimes[key]

    def close(self) -> None:
        """End every worker this runner started (a later use starts fresh ones)."""
        runtimes, self._runtimes = list(self._runtimes.values()), {}
        for runtime in runtimes:
            runtime.close()
        if self._templates is not None:
            self._templates.close()

    def template_renderer(self) -> TemplateRenderer | None:
        """Behind `course grade`'s wall, a worker of its own (`template_worker`); for the
        learner's own code, this process (the VTL limits are guard enough)."""
        from course_cli.runtime.worker.isolation import Isolation

        if self.limits.isolation == Isolation.NONE:
            return None
        if self._templates is None:
            from course_cli.grader.template_worker import TemplateWorker

            self._templates = TemplateWorker(self.limits)
        return self._templates

    def run_file(
        self,
        path: Path,
        call: str | None = None,
        args: tuple[Any, ...] = (),
        *,
        timeout_s: float = SCRIPT_TIMEOUT_S,
        env: Mapping[str, str] | None = None,
    ) -> Any:
        from course_cli.runtime.worker.scripts import ScriptKind, run_module

        if not path.is_file():
            raise SubmissionFailed(ERROR, f"cannot read {path.name}: there is no such file")
        limits = dataclasses.replace(self.limits, script_timeout_s=timeout_s)
        result = run_module(path, call=call, call_args=args, limits=limits, env=env)
        output = (result.stdout + result.stderr).strip()
        if output:
            self.printed.append(f"{path.name}:\n{output}")
        if result.kind is ScriptKind.OK and call is None and not isinstance(result.value, dict):
            raise SubmissionFailed(CRASHED, f"{path.name} called sys.exit(): nothing after it ran")
        if result.kind is ScriptKind.OK:
            return result.value
        if result.kind is ScriptKind.TIMEOUT:
            raise script_timed_out(path, timeout_s)
        status = CRASHED if result.kind is ScriptKind.CRASHED else ERROR
        if status is ERROR and result.location is None and "exited with status" in result.message:
            status = CRASHED  # sys.exit(n): as the in-process runner reports it
        raise SubmissionFailed(status, result.message)


class _SplitInvoker(LambdaInvoker):
    """The learner's functions in their workers, `grader_code` ones in this process."""

    def __init__(self, runner: IsolatedRunner, functions: Mapping[str, SubmittedFunction]) -> None:
        self.runner = runner
        self.functions = dict(functions)
        graders = {n: f for n, f in self.functions.items() if f.grader_code}
        self._parent = runner._in_process.invoker(graders)

    def invoke(
        self, function_name: str, event: Any, timeout_s: float, wait_s: float
    ) -> LambdaResult:
        function = self.functions.get(function_name)
        if function is None:
            raise FunctionNotFound(function_name, f"known: {', '.join(sorted(self.functions))}")
        if function.grader_code:
            return self._parent.invoke(function_name, event, timeout_s, wait_s)
        return self.runner.runtime(function).invoke(_FUNCTION, event, timeout_s, wait_s)


def _key(function: SubmittedFunction) -> _Key:
    return function.handler, tuple(sorted(function.environment.items()))
