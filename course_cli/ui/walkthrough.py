"""The interactive walk through a lesson: one step per screen, driven by single keys.

Keys: `n`/space/→/Enter next, `b`/← back, `r` run the example again, `h` hint, `q`/Esc quit.
Every move is saved at once, so quitting (or closing the terminal) and starting again lands on
the same step.
"""

from __future__ import annotations

from collections.abc import Callable

import click
from rich.console import Console
from rich.text import Text

from course_cli.content import Lesson, Step
from course_cli.learner.tutor import Position, exercise_status, go_back, go_next, open_current
from course_cli.progress import ProgressStore
from course_cli.ui.examples import available_examples
from course_cli.ui.lesson_view import (
    fit_example,
    render_example,
    render_hint,
    render_key_bar,
    render_position_note,
    render_step,
)

NEXT_KEYS = {"n", "N", " ", "\r", "\n", "\x1b[C", "l"}
BACK_KEYS = {"b", "B", "\x1b[D", "p"}
QUIT_KEYS = {"q", "Q", "\x1b", "\x03", "\x04"}


def walk(
    console: Console,
    store: ProgressStore,
    lesson: Lesson,
    read_key: Callable[[], str] = click.getchar,
) -> Step:
    """Run the interactive loop until the learner quits; return the step they stopped on."""
    position = open_current(store, lesson)
    _show(console, store, position, run=True)
    while True:
        try:
            key = read_key()
        except (KeyboardInterrupt, EOFError):
            key = "q"
        if key in QUIT_KEYS:
            console.print(
                Text.assemble(
                    "\nSaved. ",
                    ("course start", "command"),
                    f" resumes at step {position.step.number}.",
                )
            )
            return position.step
        if key in NEXT_KEYS:
            position = go_next(store, lesson)
            _show(console, store, position, run=position.moved)
        elif key in BACK_KEYS:
            position = go_back(store, lesson)
            _show(console, store, position, run=False)
        elif key in {"r", "R"}:
            console.print(render_example(position.step))
            console.print(render_key_bar())
        elif key in {"h", "H", "?"}:
            console.print(render_hint(position.step))
            console.print(render_key_bar())


def _show(console: Console, store: ProgressStore, position: Position, *, run: bool) -> None:
    console.clear()
    lesson, exercise = position.lesson, position.step.exercise
    status = exercise_status(store, lesson, exercise) if exercise else None
    step = render_step(lesson, position.step, status)
    console.print(step)
    note = render_position_note(position)
    # Run the live example on arrival only when this version can run it; otherwise the code
    # in the step text is the example, and `r` explains why there is no live run. It gets the
    # rows the step leaves on the screen, so the step's text and question stay in view; `r`
    # prints all of it.
    if run and position.step.example in available_examples():
        shown = [part for part in (step, note, render_key_bar()) if part]
        used = sum(len(console.render_lines(part, console.options, pad=False)) for part in shown)
        room = console.height - used - 1  # the key bar's newline moves the cursor one row down
        example = fit_example(console, render_example(position.step), room)
        if example is not None:
            console.print(example)
    if note is not None:
        console.print(note)
    console.print(render_key_bar())
