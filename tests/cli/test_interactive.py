"""`course start` in a real pseudo-terminal: keys move, quitting saves, restarting resumes."""

from __future__ import annotations

import sys
from pathlib import Path

import pexpect
import pytest

from course_cli.content import load_lesson
from tests.conftest import course_subprocess_env

LESSON = load_lesson("lesson-3")


def _spawn(home: Path) -> pexpect.spawn:
    env = course_subprocess_env(home)
    env.update({"TERM": "xterm", "COLUMNS": "100", "LINES": "40"})
    return pexpect.spawn(
        sys.executable,
        ["-m", "course_cli", "start", "lesson-3"],
        env=env,
        encoding="utf-8",
        timeout=20,
        dimensions=(40, 100),
    )


# Only the key bar has this text (no colour in tests: NO_COLOR is set), so seeing it means the
# screen is fully drawn and the app waits for a key. Step text may mention "quit" too.
KEY_BAR = " q  quit"


def _header(number: str) -> str:
    topic_index, step_index = (int(x) for x in number.split("."))
    topic = LESSON.topics[topic_index - 1]
    return (
        f"{topic_index}/{len(LESSON.topics)} {topic.title} · step {step_index}/{len(topic.steps)}"
    )


@pytest.mark.slow
def test_walk_three_steps_quit_and_resume(course_home: Path) -> None:
    child = _spawn(course_home)
    child.expect_exact(_header("1.1"))
    child.expect_exact(KEY_BAR)  # the key bar is drawn
    expected = [s.number for s in LESSON.steps[1:4]]
    for number in expected:
        child.send("n")
        child.expect_exact(_header(number))
        child.expect_exact(KEY_BAR)
    child.send("h")
    child.expect_exact("hint")
    child.send("b")
    child.expect_exact(_header(expected[1]))
    child.expect_exact(KEY_BAR)
    child.send("n")
    child.expect_exact(_header(expected[2]))
    child.expect_exact(KEY_BAR)
    child.send("q")
    child.expect_exact(f"resumes at step {expected[2]}")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    again = _spawn(course_home)
    again.expect_exact(_header(expected[2]))
    again.expect_exact(KEY_BAR)
    again.send("q")
    again.expect(pexpect.EOF)
    again.close()
    assert again.exitstatus == 0


@pytest.mark.slow
def test_arrow_keys_and_ctrl_c(course_home: Path) -> None:
    child = _spawn(course_home)
    child.expect_exact(KEY_BAR)
    child.send("\x1b[C")  # right arrow
    child.expect_exact(_header(LESSON.steps[1].number))
    child.expect_exact(KEY_BAR)
    child.send("\x03")  # Ctrl-C quits cleanly, progress kept
    child.expect_exact(f"resumes at step {LESSON.steps[1].number}")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
