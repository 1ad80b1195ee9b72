"""Exercise commands: `check`, `hint`, `watch`, `reset`, `solution`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from course_cli.cli.common import JsonOption, flush_warnings, print_json
from course_cli.progress import ProgressStore

if TYPE_CHECKING:
    from course_cli.content.model import Exercise

ExerciseArgument = Annotated[
    str, typer.Argument(metavar="EXERCISE", help="Exercise id, e.g. 03-fix-the-502 (or 3).")
]


def _exercise(exercise_id: str) -> Exercise:
    from course_cli.content import load_lesson
    from course_cli.grader.checking import resolve_exercise_id, unknown_exercise

    full_id = resolve_exercise_id(exercise_id)
    exercise = load_lesson("lesson-3").exercise(full_id)
    if exercise is None:
        raise unknown_exercise(exercise_id)
    return exercise


def check(exercise_id: ExerciseArgument, as_json: JsonOption = False) -> None:
    """Check your exercise files: one line per case; exit 0 when all pass, 1 otherwise."""
    from course_cli.grader import check_exercise
    from course_cli.learner.loop import record_check
    from course_cli.workspace import require_workspace

    exercise = _exercise(exercise_id)
    result = check_exercise(exercise.id, require_workspace())
    store = ProgressStore.default()
    record_check(store, result)
    flush_warnings(store)
    if as_json:
        print_json(result.to_json())
    else:
        from course_cli.learner.watch import next_pending
        from course_cli.ui.check_view import render_check
        from course_cli.ui.console import get_console

        following = None
        if result.passed:
            following = next_pending(store, after=exercise.id) or next_pending(store)
        get_console().print(render_check(result, following))
    if not result.passed:
        raise typer.Exit(1)


def hint(
    exercise_id: ExerciseArgument,
    show_all: Annotated[bool, typer.Option("--all", help="Show every hint level.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Show the next hint for an exercise, a little more direct each time."""
    from course_cli.grader.handler_files import HANDLER_IN_EITHER_LANGUAGE, grades_javascript
    from course_cli.learner.loop import next_hint
    from course_cli.workspace import find_workspace

    store = ProgressStore.default()
    exercise = _exercise(exercise_id)
    workspace = find_workspace()
    # Hints in the language of the handler the check grades, when there is a workspace.
    javascript = workspace is not None and grades_javascript(
        workspace.exercises_dir / exercise.id, HANDLER_IN_EITHER_LANGUAGE
    )
    view = next_hint(store, exercise, show_all=show_all, javascript=javascript)
    flush_warnings(store)
    if as_json:
        print_json(view.to_json())
    else:
        from course_cli.ui.check_view import render_hint
        from course_cli.ui.console import get_console

        get_console().print(render_hint(view))


def watch(
    exercise_id: Annotated[
        str | None,
        typer.Argument(
            metavar="[EXERCISE]",
            help="Start here (default: the first not passed, or changed since it passed).",
        ),
    ] = None,
) -> None:
    """Re-check on every save and move on when one passes; once all pass, watch them all."""
    from course_cli.learner.watch import watch_exercises
    from course_cli.ui.check_view import render_check
    from course_cli.ui.console import get_console
    from course_cli.workspace import require_workspace

    start = _exercise(exercise_id).id if exercise_id else None
    watch_exercises(
        require_workspace(), ProgressStore.default(), get_console(), render_check, start
    )


def reset(exercise_id: ExerciseArgument) -> None:
    """Put the starter files back; your version is kept as a timestamped backup."""
    from course_cli.learner.loop import reset_exercise
    from course_cli.ui.check_view import render_reset
    from course_cli.ui.console import get_console
    from course_cli.workspace import require_workspace

    get_console().print(render_reset(reset_exercise(require_workspace(), _exercise(exercise_id))))


def solution(exercise_id: ExerciseArgument) -> None:
    """Show the reference solution; it opens once your own version has passed."""
    from course_cli.learner.loop import solution_files
    from course_cli.ui.check_view import render_solution
    from course_cli.ui.console import get_console

    store = ProgressStore.default()
    files = solution_files(store, _exercise(exercise_id))
    flush_warnings(store)
    get_console().print(render_solution(files))
