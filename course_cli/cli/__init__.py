"""The `course` command line: a thin Typer app over the library, one module per command group,
importing library code inside the commands so `course --help` stays fast. `main` turns every
`CourseError` or usage mistake into one line, a hint and an exit code, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Annotated

import click
import typer

from course_cli.cli import (
    exercises,
    gateway,
    grade,
    lesson,
    notebook,
    sandbox,
    scale_out,
    vtl,
    workspace,
)
from course_cli.errors import CourseError

app = typer.Typer(
    name="course",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
# Every top-level command, in the order `course --help` lists them (groups come after).
COMMANDS: dict[str, Callable[..., None]] = {
    "start": lesson.start,
    "next": lesson.next_step,
    "back": lesson.back,
    "goto": lesson.goto,
    "status": lesson.status,
    "lessons": lesson.lessons,
    "init": workspace.init,
    "event": gateway.event,
    "invoke": gateway.invoke,
    "serve": gateway.serve,
    "vtl": vtl.vtl,
    "check": exercises.check,
    "hint": exercises.hint,
    "watch": exercises.watch,
    "reset": exercises.reset,
    "solution": exercises.solution,
    "grade": grade.grade,
    "notebook": notebook.notebook,
}
for name, command in COMMANDS.items():
    app.command(name)(command)
app.add_typer(sandbox.sandbox_app, name="sandbox")
app.add_typer(scale_out.classroom_app, name="classroom")
app.add_typer(scale_out.gradescope_app, name="gradescope")


def _print_version(value: bool) -> None:
    if value:
        from course_cli import __version__

        sys.stdout.write(f"course {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print course's version and exit.",
        ),
    ] = False,
) -> None:
    """Hands-on companion for the lesson 'Connecting API Gateway to Lambda' (lesson-3)."""


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; exit with 0 on success, 1 when the work does not pass, 2 on usage errors."""
    command = typer.main.get_command(app)
    hint: str | None = None
    try:
        result = command.main(args=argv, prog_name="course", standalone_mode=False)
    except CourseError as exc:
        message, hint, code = exc.message, exc.hint, exc.exit_code
    except click.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx is not None else "course"
        message, hint, code = exc.format_message(), f"see `{where} --help`", 2
    except (click.Abort, KeyboardInterrupt):
        sys.exit(130)
    except click.ClickException as exc:
        message, code = exc.format_message(), exc.exit_code
    else:
        # Without standalone mode, click hands back `typer.Exit(code)` as the return value.
        sys.exit(result if isinstance(result, int) else 0)
    from course_cli.ui.console import print_error

    print_error(message, hint)
    sys.exit(code)
