"""`course classroom init` (a GitHub Classroom template) and `course gradescope build` (a
Gradescope autograder zip): grading with `course grade` where classrooms already grade."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from course_cli.cli.common import JsonOption, print_json

classroom_app = typer.Typer(
    help="GitHub Classroom: a template repository whose pushes GitHub Actions grades.",
    no_args_is_help=True,
)
gradescope_app = typer.Typer(
    help="Gradescope: an autograder zip that grades one exercise.",
    no_args_is_help=True,
)

InstallOption = Annotated[
    str | None,
    typer.Option(
        "--install",
        metavar="SPEC",
        help="What `pip install` installs to get `course` there, e.g. "
        "'course @ git+https://github.com/ORG/course' (default: course==VERSION from PyPI).",
    ),
]
ForceOption = Annotated[
    bool, typer.Option("--force", help="Rewrite files this command wrote before.")
]


@classroom_app.command("init")
def classroom_init(
    directory: Annotated[
        Path, typer.Argument(metavar="DIR", help="The template repository's folder.")
    ],
    exercises: Annotated[
        list[str] | None,
        typer.Option(
            "--exercise",
            metavar="ID",
            help="An exercise to grade (repeat for more; default: all of them).",
        ),
    ] = None,
    install: InstallOption = None,
    force: ForceOption = False,
    as_json: JsonOption = False,
) -> None:
    """Write a GitHub Classroom template: the exercises, a workflow that grades every push
    with `course grade`, and a README section for learners.

    Files a learner may have edited are never overwritten; --force rewrites only the workflow
    and the README section.
    """
    from course_cli.grader.classroom.github_classroom import init_classroom
    from course_cli.grader.classroom.scaffold import default_install_spec
    from course_cli.ui.console import get_console
    from course_cli.ui.scaffold_view import render_classroom_template

    template = init_classroom(
        directory, exercises or (), install_spec=install or default_install_spec(), force=force
    )
    if as_json:
        print_json(template.to_json())
        return
    get_console().print(render_classroom_template(template, default_install=install is None))


@gradescope_app.command("build")
def gradescope_build(
    exercise: Annotated[
        str,
        typer.Option("--exercise", metavar="ID", help="The exercise to grade, e.g. 06."),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", metavar="FILE.zip", help="Where to write (default: gradescope-ID.zip)."
        ),
    ] = None,
    install: InstallOption = None,
    force: ForceOption = False,
    as_json: JsonOption = False,
) -> None:
    """Write a Gradescope autograder zip (setup.sh, run_autograder) that grades one exercise
    with `course grade`, hidden cases included."""
    from course_cli.grader.classroom.gradescope import build_gradescope_autograder
    from course_cli.grader.classroom.scaffold import default_install_spec
    from course_cli.ui.console import get_console
    from course_cli.ui.scaffold_view import render_gradescope_autograder

    autograder = build_gradescope_autograder(
        exercise, out, install_spec=install or default_install_spec(), force=force
    )
    if as_json:
        print_json(autograder.to_json())
        return
    get_console().print(render_gradescope_autograder(autograder, default_install=install is None))
