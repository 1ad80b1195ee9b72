"""The interactive walk at 120x45: a step's live example never pushes the step's own text and
question off the first screen; the example shows what fits, and its whole output is one key
(`r`) away."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pexpect
import pytest

from course_cli.content import load_lesson
from tests.conftest import course_subprocess_env

LESSON = load_lesson("lesson-3")
ROWS, COLUMNS = 45, 120
KEY_BAR = " q  quit"
CLEAR = "\x1b[2J"  # Rich's console.clear(): each step starts a fresh screen
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _plain(markdown: str) -> str:
    """Markdown as the screen shows it, roughly: no markers, whitespace collapsed."""
    text = re.sub(r"[*`_#>]", "", markdown)
    return " ".join(text.split())


def _question(markdown: str) -> str:
    """The start of the step's last paragraph of prose: where a step asks its question."""
    prose = re.sub(r"```.*?```", "", markdown, flags=re.S)
    prose = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", prose)  # a link shows its text
    paragraphs = [p for p in prose.strip().split("\n\n") if p.strip()]
    return _plain(paragraphs[-1])[:40]


def _fits_alone(step_text_rows: int) -> bool:
    return step_text_rows + 2 <= ROWS  # the text, the key bar, and the row under it


def _text_rows(number: str) -> int:
    """How many rows the step's own screen (header, Markdown) takes at 120 columns."""
    import io

    from rich.console import Console

    from course_cli.learner.tutor import ExerciseStatus
    from course_cli.ui.console import THEME
    from course_cli.ui.lesson_view import render_step

    step = next(s for s in LESSON.steps if s.number == number)
    # As the walk shows it to a new learner: an exercise step says "not checked yet".
    exercise = (
        ExerciseStatus(step.exercise, "", "not started", None, None) if step.exercise else None
    )
    console = Console(width=COLUMNS, file=io.StringIO(), theme=THEME, color_system=None)
    shown = render_step(LESSON, step, exercise)
    return len(console.render_lines(shown, console.options, pad=False))


@pytest.mark.slow
def test_every_step_shows_its_text_and_question_on_the_first_screen(course_home: Path) -> None:
    env = course_subprocess_env(course_home)
    env.update({"TERM": "xterm", "COLUMNS": str(COLUMNS), "LINES": str(ROWS)})
    child = pexpect.spawn(
        sys.executable,
        ["-m", "course_cli", "start", "lesson-3"],
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(ROWS, COLUMNS),
    )
    screens: dict[str, str] = {}
    try:
        for index, step in enumerate(LESSON.steps):
            if index:
                child.send("n")
            child.expect_exact(KEY_BAR)
            screens[step.number] = child.before.rsplit(CLEAR, 1)[-1]
        child.send("q")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    for step in LESSON.steps:
        screen = ANSI.sub("", screens[step.number]).replace("\r", "")
        rows = screen.rstrip("\n").count("\n") + 2  # the lines drawn, and the key bar's
        text_rows = _text_rows(step.number)
        assert _fits_alone(text_rows), f"step {step.number}: its text alone takes {text_rows} rows"
        assert rows <= ROWS, f"step {step.number}: {rows} rows, the top scrolled away"
        shown = " ".join(screen.split())
        assert step.title in shown, step.number
        assert _question(step.markdown()) in _plain(shown), step.number
        if step.example and "more lines of the example" in shown:
            assert "press r" in shown


@pytest.mark.slow
def test_r_shows_the_whole_example(course_home: Path) -> None:
    env = course_subprocess_env(course_home)
    env.update({"TERM": "xterm", "COLUMNS": str(COLUMNS), "LINES": str(ROWS)})
    child = pexpect.spawn(
        sys.executable,
        ["-m", "course_cli", "goto", "2.1"],
        env=env,
        encoding="utf-8",
        timeout=60,
    )
    child.expect(pexpect.EOF)
    child.close()
    child = pexpect.spawn(
        sys.executable,
        ["-m", "course_cli", "start", "lesson-3"],
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(ROWS, COLUMNS),
    )
    try:
        child.expect_exact(KEY_BAR)
        first = ANSI.sub("", child.before)
        assert "more lines of the example: press r" in " ".join(first.split())
        child.send("r")
        child.expect_exact(KEY_BAR)
        whole = ANSI.sub("", child.before)
        assert whole.count("\n") > ROWS  # everything, scrolling as a long output does
        child.send("q")
        child.expect(pexpect.EOF)
    finally:
        child.close()
