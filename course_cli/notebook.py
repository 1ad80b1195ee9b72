"""The Jupyter companion: `%load_ext course_cli` magics and the `check` helper.

```python
%load_ext course_cli
%%invoke --method GET --path /users/123 --resource /users/{userId}
def handler(event, context): ...          # the cell is a handler, sent one request
%%vtl --body '{"name": "lamp"}'
{"name": "$input.path('$.name')"}         # the cell is a mapping template
%sandbox                                   # moto for this kernel; boto3 cells are now safe
from course_cli.notebook import check
check("03-fix-the-502", "ex03_handler.py") # the same grader as `course check`
```

What each returns shows itself (`ui.notebook_view`). Nothing here imports IPython: the magics
are plain functions registered on the shell that loads the extension.
"""

from __future__ import annotations

import argparse
import atexit
import shlex
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from course_cli.errors import BadOptionError, CourseError
from course_cli.ui.notebook_view import CheckView, ErrorView, InvocationView, TemplateView, show

if TYPE_CHECKING:
    from course_cli.grader import CheckResult, SubmissionRunner
    from course_cli.sandbox import Sandbox

__all__ = ["ErrorView", "InvocationView", "TemplateView", "check", "show"]


class _Parser(argparse.ArgumentParser):
    """argparse for a magic's line, raising `BadOptionError` instead of exiting the kernel."""

    def error(self, message: str) -> NoReturn:
        raise BadOptionError(f"{self.prog}: {message}", hint=self.format_usage().strip())

    def parse_line(self, line: str) -> argparse.Namespace:
        try:
            words = shlex.split(line)
        except ValueError as error:  # an unclosed quote
            self.error(str(error))
        return self.parse_args(words)


def _invoke_parser() -> _Parser:
    parser = _Parser(prog="%%invoke", add_help=False)
    parser.add_argument("--method", "-X", default="GET")
    parser.add_argument("--path", default="/")
    parser.add_argument("--resource", "-r")
    parser.add_argument("--query", "-q", action="append", default=[])
    parser.add_argument("--header", "-H", action="append", default=[])
    parser.add_argument("--body", "-d")
    parser.add_argument("--timeout", type=float)
    parser.add_argument("--function", default="handler")
    parser.add_argument("--node", action="store_true")
    return parser


def _vtl_parser() -> _Parser:
    parser = _Parser(prog="%%vtl", add_help=False)
    parser.add_argument("--method", "-X", default="GET")  # as `course vtl`
    parser.add_argument("--body", "-d", default="")
    parser.add_argument("--path-param", action="append", default=[])
    parser.add_argument("--query", "-q", action="append", default=[])
    parser.add_argument("--header", "-H", action="append", default=[])
    parser.add_argument("--stage-var", action="append", default=[])
    parser.add_argument("--context", action="append", default=[])
    return parser


def invoke_source(source: str, line: str = "") -> InvocationView:
    """`%%invoke`: run `source` (a handler module) behind API Gateway for the request `line`
    describes, with the options of `course invoke`."""
    from course_cli.cli.options import parse_header, parse_method, parse_pair, parse_path
    from course_cli.gateway.pipeline import invocation_to_json
    from course_cli.local_api import api_for_handler, build_request
    from course_cli.runtime.node import RuntimeRouter

    options = _invoke_parser().parse_line(line)
    path = parse_path(options.path)
    request = build_request(
        parse_method(options.method),
        path,
        query=[parse_pair(q, "--query") for q in options.query],
        headers=[parse_header(h) for h in options.header],
        body=options.body,
    )
    resource = parse_path(options.resource, "--resource") if options.resource else None
    # Each cell is its own module file: a fresh folder, so no earlier cell's code is reused.
    # With --node the cell is JavaScript (an ES module), run by its own `node` process.
    with tempfile.TemporaryDirectory(prefix="course-cell-") as folder:
        handler_file = Path(folder) / ("handler.mjs" if options.node else "handler.py")
        handler_file.write_text(source, encoding="utf-8")
        local = api_for_handler(
            f"{handler_file}:{options.function}",
            [resource or path.split("?", 1)[0]],
            timeout_s=options.timeout,
        )
        try:
            local.check_handlers()
            invocation = local.send(request)
        finally:
            if isinstance(local.runtime, RuntimeRouter):
                local.runtime.close()  # the cell's node process ends with it
    return InvocationView(invocation_to_json(invocation))


def render_vtl(template: str, line: str = "") -> TemplateView:
    """`%%vtl`: render `template` as API Gateway would, with the options of `course vtl`."""
    from course_cli.cli.options import parse_header, parse_method, parse_pair
    from course_cli.gateway.vtl.preview import preview_template

    options = _vtl_parser().parse_line(line)
    contexts = [parse_pair(c, "--context") for c in options.context]
    preview = preview_template(
        template,
        body=options.body,
        path_params=[parse_pair(p, "--path-param") for p in options.path_param],
        query=[parse_pair(q, "--query") for q in options.query],
        headers=[parse_header(h) for h in options.header],
        stage_variables=[parse_pair(s, "--stage-var") for s in options.stage_var],
        context=contexts,
        method=dict(contexts).get("httpMethod", parse_method(options.method)),
    )
    return TemplateView(preview.to_json())


@dataclass
class KernelSandbox:
    """The one sandbox a kernel runs (`%sandbox`), kept until `%sandbox stop` or exit."""

    sandbox: Sandbox | None = None

    def start(self) -> Sandbox:
        """Start it once; later calls hand back the running one."""
        if self.sandbox is None or not self.sandbox.started:
            from course_cli.sandbox import Sandbox

            self.sandbox = Sandbox().start()
        return self.sandbox

    def stop(self) -> bool:
        """Stop it (its data is forgotten); False when none was running."""
        if self.sandbox is None or not self.sandbox.started:
            return False
        self.sandbox.close()
        self.sandbox = None
        return True


KERNEL_SANDBOX = KernelSandbox()
atexit.register(KERNEL_SANDBOX.stop)


def sandbox_command(line: str) -> str:
    """`%sandbox` (start), `%sandbox stop`, `%sandbox status`: one line saying what is true."""
    word = line.strip() or "start"
    if word == "start":
        sandbox = KERNEL_SANDBOX.start()
        return (
            f"sandbox running: moto with fake credentials, account {sandbox.account_id}, "
            f"{sandbox.region}. boto3 in this kernel now talks to it, never to AWS."
        )
    if word == "stop":
        return "sandbox stopped; its data is gone" if KERNEL_SANDBOX.stop() else "no sandbox"
    if word == "status":
        running = KERNEL_SANDBOX.sandbox is not None and KERNEL_SANDBOX.sandbox.started
        return "sandbox running" if running else "no sandbox (start one with %sandbox)"
    raise BadOptionError(
        f"%sandbox: unknown word {word!r}", hint="use %sandbox [start|stop|status]"
    )


def check(
    exercise_id: str,
    source: str | Path | None = None,
    *,
    runner: SubmissionRunner | None = None,
) -> CheckView:
    """Grade an exercise with the grader `course check` uses; the result shows as HTML.
    `source`: None for the workspace's `exercises/<id>/`, a file or folder, or the file's text."""
    from course_cli.grader.checking import resolve_exercise_id
    from course_cli.learner.loop import record_check
    from course_cli.progress import ProgressStore

    result = _grade(resolve_exercise_id(exercise_id), source, runner)
    # The workspace's file counts like `course check`; other code (a cell, a file of the
    # notebook's) is practice: it may raise the exercise's record, never lower it.
    record_check(ProgressStore.default(), result, practice=source is not None)
    return CheckView.of(result)


def _grade(
    exercise: str, source: str | Path | None, runner: SubmissionRunner | None
) -> CheckResult:
    from course_cli.grader import check_exercise

    if source is None:
        from course_cli.workspace import require_workspace

        return check_exercise(exercise, require_workspace(), runner=runner)
    as_path = _existing_path(source)
    if as_path is not None and as_path.is_dir():
        return check_exercise(exercise, as_path, runner=runner)
    if as_path is None and _looks_like_a_path(source):
        raise CourseError(f"no file {source}", hint="run the exercise cell first: it writes it")
    text = as_path.read_text(encoding="utf-8") if as_path is not None else str(source)
    with tempfile.TemporaryDirectory(prefix="course-check-") as folder:
        (Path(folder) / exercise_file(exercise)).write_text(text, encoding="utf-8")
        return check_exercise(exercise, Path(folder), runner=runner)


def exercise_file(exercise_id: str) -> str:
    """The one file the learner writes for `exercise_id` (e.g. `handler.py`)."""
    from course_cli.content import load_lesson
    from course_cli.grader.checking import unknown_exercise

    exercise = load_lesson("lesson-3").exercise(exercise_id)
    if exercise is None or len(exercise.files) != 1:
        raise unknown_exercise(exercise_id)
    return exercise.files[0]


def _looks_like_a_path(source: str | Path) -> bool:
    """A Path, or one line naming a file of the kind exercises use, e.g. `ex03_handler.py`."""
    if isinstance(source, Path):
        return True
    return "\n" not in source and source.strip().endswith((".py", ".vtl"))


def _existing_path(source: str | Path) -> Path | None:
    """`source` as a path when it names an existing file or folder (text never does)."""
    if isinstance(source, str) and ("\n" in source or len(source) > 1024):
        return None
    path = Path(source).expanduser()
    try:
        return path if path.exists() else None
    except OSError:  # a name too long for the file system: it is text
        return None


def _guarded(run: Any) -> Any:
    """Run a magic's body; a `CourseError` becomes an `ErrorView` instead of a traceback."""
    try:
        return run()
    except CourseError as error:
        return ErrorView(error.message, error.hint)


def load_ipython_extension(ipython: Any) -> None:
    """Register `%%invoke`, `%%vtl` and `%sandbox` on `ipython` (`%load_ext course_cli`)."""

    def invoke_magic(line: str, cell: str) -> Any:
        return _guarded(lambda: invoke_source(cell, line))

    def vtl_magic(line: str, cell: str) -> Any:
        return _guarded(lambda: render_vtl(cell, line))

    def sandbox_magic(line: str) -> Any:
        result = _guarded(lambda: sandbox_command(line))
        if isinstance(result, str):
            print(result)
            if KERNEL_SANDBOX.sandbox is not None:
                ipython.push({"sandbox": KERNEL_SANDBOX.sandbox})
            return None
        return result

    # Options are taken as written: IPython would otherwise expand `{...}` and `$name` in
    # them (a JSON --body is full of braces). The flag is IPython's MAGIC_NO_VAR_EXPAND_ATTR.
    for magic in (invoke_magic, vtl_magic, sandbox_magic):
        setattr(magic, "_ipython_magic_no_var_expand", True)  # noqa: B010
    invoke_magic.__doc__ = "%%invoke [--method --path --resource --query --header --body"
    invoke_magic.__doc__ += " --timeout --function --node]: the cell is a handler (JavaScript"
    invoke_magic.__doc__ += " with --node); one request."
    vtl_magic.__doc__ = "%%vtl [--body --path-param --query --header --stage-var --context]"
    vtl_magic.__doc__ += ": the cell is a mapping template; its output and whether it is JSON."
    sandbox_magic.__doc__ = "%sandbox [start|stop|status]: moto with fake credentials."
    ipython.register_magic_function(invoke_magic, magic_kind="cell", magic_name="invoke")
    ipython.register_magic_function(vtl_magic, magic_kind="cell", magic_name="vtl")
    ipython.register_magic_function(sandbox_magic, magic_kind="line", magic_name="sandbox")
