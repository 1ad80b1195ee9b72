"""The `course` command line: a thin Typer app over the library.

Commands live in one module per group and import library code inside their bodies, so that
`course --help` stays fast. `main` is the single error boundary: a `CourseError` or a usage
mistake becomes one styled line and a hint on stderr and an exit code (2 for usage), never a
traceback.
"""

from __future__ import annotations

import sys

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
    help="Hands-on companion for the lesson 'Connecting API Gateway to Lambda' (lesson-3).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
lesson.register(app)
workspace.register(app)
gateway.register(app)
vtl.register(app)
sandbox.register(app)
exercises.register(app)
grade.register(app)
scale_out.register(app)
notebook.register(app)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; exit with 0 on success, 1 when the work does not pass, 2 on usage errors."""
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="course", standalone_mode=False)
    except CourseError as exc:
        from course_cli.ui.console import print_error

        print_error(exc.message, exc.hint)
        sys.exit(exc.exit_code)
    except click.UsageError as exc:
        from course_cli.ui.console import print_error

        where = exc.ctx.command_path if exc.ctx is not None else "course"
        print_error(exc.format_message(), f"see `{where} --help`")
        sys.exit(2)
    except click.Abort:
        sys.exit(130)
    except click.ClickException as exc:
        from course_cli.ui.console import print_error

        print_error(exc.format_message())
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    # Without standalone mode, click hands back `typer.Exit(code)` as the return value.
    sys.exit(result if isinstance(result, int) else 0)
