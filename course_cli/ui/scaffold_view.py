"""How `course classroom init` and `course gradescope build` report what they wrote, and what
the teacher does next."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from course_cli.grader.classroom.github_classroom import ClassroomTemplate
    from course_cli.grader.classroom.gradescope import GradescopeAutograder
    from course_cli.grader.classroom.scaffold import GradedExercise


def _points_table(exercises: tuple[GradedExercise, ...]) -> Table:
    table = Table(box=None, padding=(0, 2), show_header=True, header_style="muted")
    table.add_column("exercise")
    table.add_column("step")
    table.add_column("points", justify="right")
    for e in exercises:
        table.add_row(e.exercise, e.runner_id, str(e.max_points))
    table.add_row(
        Text("total", "bold"), "", Text(str(sum(e.max_points for e in exercises)), "bold")
    )
    return table


def _install_note(what: str, spec: str, default_install: bool) -> Text:
    if default_install and spec.startswith("course @ "):
        return Text(f"Installs {spec}: where this course was installed from.", "muted")
    if default_install:
        return Text(
            f"The {what} installs `{spec}` from PyPI. If your course comes from elsewhere, "
            "run again with --install SPEC --force (e.g. --install "
            "'course @ git+https://github.com/ORG/course').",
            "warning",
        )
    return Text(f"Installs: {spec}", "muted")


def render_classroom_template(
    template: ClassroomTemplate, *, default_install: bool
) -> RenderableType:
    """The template's folder, its grading table, the files written and kept, and next steps."""
    from course_cli.grader.classroom.github_classroom import WORKFLOW

    parts: list[RenderableType] = [
        Text.assemble(("GitHub Classroom template ready: ", "ok"), str(template.root)),
        _points_table(template.exercises),
        Text(f"wrote {len(template.written)} files, including {WORKFLOW.name}", "muted"),
    ]
    if template.kept:
        parts.append(Text("kept as they were: " + ", ".join(template.kept), "muted"))
    parts += [
        _install_note("workflow", template.install_spec, default_install),
        Text.assemble(
            "Next: push this folder to a GitHub repository, mark it as a template, and create "
            "the assignment from it in GitHub Classroom ",
            ("without autograding tests of its own", "bold"),
            " (they would replace the workflow).",
        ),
    ]
    return Group(*parts)


def render_gradescope_autograder(
    autograder: GradescopeAutograder, *, default_install: bool
) -> RenderableType:
    """The zip's path, what it grades, and where to upload it."""
    exercise = autograder.exercise
    return Group(
        Text.assemble(("Gradescope autograder ready: ", "ok"), str(autograder.path)),
        Text(
            f"grades {exercise.exercise} (up to {exercise.max_points} points, hidden cases "
            f"included); contains {', '.join(autograder.entries)}",
            "muted",
        ),
        _install_note("autograder", autograder.install_spec, default_install),
        Text(
            "Next: in the Gradescope assignment's Configure Autograder page, choose "
            f"'Zip file upload' and upload this file. Students submit "
            f"{', '.join(exercise.files)} (or their whole workspace)."
        ),
    )
