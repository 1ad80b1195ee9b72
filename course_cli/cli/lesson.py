"""Lesson commands: `start`, `next`, `back`, `goto`, `status`, `lessons`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from course_cli.cli.common import JsonOption, flush_warnings, print_json
from course_cli.progress import ProgressStore

if TYPE_CHECKING:
    from course_cli.learner.tutor import Position

LessonOption = Annotated[
    str | None,
    typer.Option("--lesson", "-l", help="Lesson id (default: the lesson you last worked on)."),
]


def start(
    lesson_id: Annotated[
        str | None, typer.Argument(metavar="[LESSON]", help="Lesson id, e.g. lesson-3.")
    ] = None,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Print the current step and exit; no key loop.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Walk through the lesson, resuming where you stopped (keys: n b r h q)."""
    from course_cli.learner import tutor

    store = ProgressStore.default()
    lesson = tutor.resolve_lesson(store, lesson_id)
    flush_warnings(store)
    interactive = not (no_input or as_json) and sys.stdin.isatty() and sys.stdout.isatty()
    if interactive:
        from course_cli.ui.console import get_console
        from course_cli.ui.walkthrough import walk

        walk(get_console(), store, lesson)
    else:
        _show_position(tutor.open_current(store, lesson), as_json, store)
    flush_warnings(store)


def next_step(lesson_id: LessonOption = None, as_json: JsonOption = False) -> None:
    """Move to the next step and print it."""
    from course_cli.learner import tutor

    store = ProgressStore.default()
    _show_position(tutor.go_next(store, tutor.resolve_lesson(store, lesson_id)), as_json, store)
    flush_warnings(store)


def back(lesson_id: LessonOption = None, as_json: JsonOption = False) -> None:
    """Move to the previous step and print it."""
    from course_cli.learner import tutor

    store = ProgressStore.default()
    _show_position(tutor.go_back(store, tutor.resolve_lesson(store, lesson_id)), as_json, store)
    flush_warnings(store)


def goto(
    step: Annotated[
        str, typer.Argument(help="topic.step (e.g. 2.3), a topic number, or a step id.")
    ],
    lesson_id: LessonOption = None,
    as_json: JsonOption = False,
) -> None:
    """Jump to a step and print it."""
    from course_cli.learner import tutor

    store = ProgressStore.default()
    _show_position(tutor.go_to(store, tutor.resolve_lesson(store, lesson_id), step), as_json, store)
    flush_warnings(store)


def status(lesson_id: LessonOption = None, as_json: JsonOption = False) -> None:
    """Steps seen per topic, exercises passed, and what to do next."""
    from course_cli.learner import tutor

    store = ProgressStore.default()
    result = tutor.lesson_status(store, tutor.resolve_lesson(store, lesson_id))
    flush_warnings(store)
    if as_json:
        print_json(result.to_json())
        return
    from course_cli.ui.console import get_console
    from course_cli.ui.lesson_view import render_status

    get_console().print(render_status(result))


def lessons(as_json: JsonOption = False) -> None:
    """List the lessons and their topics."""
    from course_cli.content import available_lessons, load_lesson

    found = [load_lesson(lesson_id) for lesson_id in available_lessons()]
    if as_json:
        print_json(
            [
                {
                    "id": lesson.id,
                    "title": lesson.title,
                    "topics": [
                        {"number": t.index, "id": t.id, "title": t.title, "steps": len(t.steps)}
                        for t in lesson.topics
                    ],
                    "exercises": [e.id for e in lesson.exercises],
                }
                for lesson in found
            ]
        )
        return
    from course_cli.ui.console import get_console
    from course_cli.ui.lesson_view import render_lessons

    get_console().print(render_lessons(found))


def _show_position(position: Position, as_json: bool, store: ProgressStore) -> None:
    from course_cli.learner.tutor import exercise_status

    lesson, step = position.lesson, position.step
    exercise = exercise_status(store, lesson, step.exercise) if step.exercise else None
    if as_json:
        topic = lesson.topic_of(step)
        document: dict[str, Any] = {
            "lesson": lesson.id,
            "step": step.number,
            "id": step.id,
            "title": step.title,
            "topic": {"number": topic.index, "id": topic.id, "title": topic.title},
            "markdown": step.markdown(),
            "hint": step.hint,
            "example": step.example,
            "exercise": step.exercise,
            "exercise_status": exercise.status if exercise is not None else None,
            "moved": position.moved,
            "at_end": position.at_end,
            "at_start": position.at_start,
        }
        print_json(document)
        return
    from course_cli.ui.console import get_console
    from course_cli.ui.lesson_view import render_continue_help, render_position_note, render_step

    console = get_console()
    console.print(render_step(lesson, step, exercise))
    note = render_position_note(position)
    if note is not None:
        console.print(note)
    console.print(render_continue_help(lesson, step))
