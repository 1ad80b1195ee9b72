"""Make the README's pictures: `course start` on a step and `course check` on a failing starter.

Run it after changing what those screens show, and commit the result:

    .venv/bin/python docs/make_pictures.py            # writes docs/pictures/*.svg
    .venv/bin/python docs/make_pictures.py --out DIR  # somewhere else (the tests do)

Each picture is drawn by the code the command runs: `course start` is the interactive walk
(`ui.walkthrough.walk`) on step "The body must be a string", its live example answering 502;
`course check` is `grader.check_exercise` plus `ui.check_view.render_check` on exercise 03's
starter as `course init` hands it out. A recording Rich console in the course's theme takes the
output and `Console.export_svg` draws it. Everything runs in a throw-away `course init`
workspace with its own `COURSE_HOME`, so the repository's exercises and your progress are never
touched; where a picture names that throw-away home (the live example's handler file), it shows
the default home a learner has instead, so the pictures do not change with the temp folder.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from rich.console import Console

from course_cli.content import load_lesson
from course_cli.grader import check_exercise
from course_cli.learner.loop import record_check
from course_cli.learner.tutor import go_to
from course_cli.learner.watch import next_pending
from course_cli.progress import FILE_NAME, ProgressStore
from course_cli.ui.check_view import render_check
from course_cli.ui.console import THEME
from course_cli.ui.walkthrough import walk
from course_cli.workspace import Workspace, init_workspace

OUT = Path(__file__).resolve().parent / "pictures"
LESSON = "lesson-3"
STEP = "body-is-a-string"  # by id, not number: new steps elsewhere do not move the picture
EXERCISE = "03-fix-the-502"
# Columns: the step at the width the lesson is written for; the check's table wider, so its
# explanations take fewer rows.
START_WIDTH, CHECK_WIDTH = 100, 120
# A tall terminal, so the walk prints the step's live example in full instead of cutting it.
HEIGHT = 200
# `course_home()` on Linux when COURSE_HOME is unset.
SHOWN_HOME = "~/.local/share/course"


class _Shot(Exception):
    """Raised in place of the learner's first key press: the screen is complete."""


def _console(width: int) -> Console:
    """A terminal as a learner has one (colours on, whatever NO_COLOR or TERM say here),
    recording what is printed instead of showing it."""
    return Console(
        theme=THEME,
        width=width,
        height=HEIGHT,
        record=True,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        no_color=False,
        highlight=False,
        legacy_windows=False,
    )


def _save(console: Console, path: Path, title: str) -> None:
    """What `console` recorded, as an SVG terminal window titled `title`."""
    svg = console.export_svg(title=title)
    home = os.environ["COURSE_HOME"]  # the scratch home (see `_scratch`)
    path.write_text(svg.replace(home, SHOWN_HOME), encoding="utf-8")


@contextlib.contextmanager
def _scratch() -> Iterator[tuple[Workspace, ProgressStore]]:
    """A fresh `course init` workspace and progress home, the current directory meanwhile."""
    saved_home = os.environ.get("COURSE_HOME")
    with tempfile.TemporaryDirectory(prefix="course-pictures-") as tmp:
        home = Path(tmp) / "home"
        os.environ["COURSE_HOME"] = str(home)  # the live examples write their files there
        try:
            workspace = init_workspace(Path(tmp) / "course-workspace")
            with contextlib.chdir(workspace.root):
                yield workspace, ProgressStore(home / FILE_NAME)
        finally:
            if saved_home is None:
                os.environ.pop("COURSE_HOME", None)
            else:
                os.environ["COURSE_HOME"] = saved_home


def picture_start(store: ProgressStore, path: Path) -> None:
    """`course start lesson-3` arriving on the step, as the walk draws it before any key."""
    lesson = load_lesson(LESSON)
    go_to(store, lesson, STEP)  # so the walk resumes there

    def first_key() -> str:
        raise _Shot

    console = _console(START_WIDTH)
    with contextlib.suppress(_Shot):
        walk(console, store, lesson, read_key=first_key)
    _save(console, path, f"course start {LESSON}")


def picture_check(workspace: Workspace, store: ProgressStore, path: Path) -> None:
    """`course check 03-fix-the-502` on the untouched starter, as `course check` prints it."""
    result = check_exercise(EXERCISE, workspace)
    record_check(store, result)
    following = None
    if result.passed:  # the starter fails; kept so the picture follows the command exactly
        following = next_pending(store, after=result.exercise) or next_pending(store)
    console = _console(CHECK_WIDTH)
    console.print(render_check(result, following))
    _save(console, path, f"course check {EXERCISE}")


def make_pictures(out: Path = OUT) -> list[Path]:
    """Write both pictures into `out`; return their paths."""
    out = out.resolve()  # before the work moves into the scratch workspace
    out.mkdir(parents=True, exist_ok=True)
    start, check = out / "course-start.svg", out / "course-check.svg"
    with _scratch() as (workspace, store):
        picture_start(store, start)
        picture_check(workspace, store, check)
    return [start, check]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--out", type=Path, default=OUT, help=f"folder for the SVG files (default: {OUT})"
    )
    args = parser.parse_args()
    for path in make_pictures(args.out):
        print(path)


if __name__ == "__main__":
    main()
