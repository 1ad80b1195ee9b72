"""The lesson loader validates the TOML and names the place of every problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from course_cli.content import load_lesson
from course_cli.content.loader import available_lessons
from course_cli.errors import ContentError, UnknownLessonError
from tests.content.lesson_factory import write_lesson


def test_loads_topics_steps_and_exercises(tmp_path: Path) -> None:
    write_lesson(tmp_path, steps_per_topic=(2, 3))
    lesson = load_lesson("lesson-x", tmp_path)
    assert [t.title for t in lesson.topics] == ["Topic 1", "Topic 2"]
    assert [s.number for s in lesson.steps] == ["1.1", "1.2", "2.1", "2.2", "2.3"]
    assert lesson.steps[3].hint == "hint 2.2"
    assert "Step 2.2 text" in lesson.steps[3].markdown()
    assert lesson.exercises[0].hints == ("one", "two")
    assert lesson.exercises[0].js_hints == ()  # none unless the exercise has them
    assert available_lessons(tmp_path) == ["lesson-x"]


def test_unknown_lesson_lists_what_exists(tmp_path: Path) -> None:
    write_lesson(tmp_path)
    with pytest.raises(UnknownLessonError, match="no lesson 'lesson-9'; available: lesson-x"):
        load_lesson("lesson-9", tmp_path)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda t: t.replace("format_version = 1", "format_version = 2"), "format_version is 2"),
        (lambda t: t.replace('hints = ["one", "two"]', 'hints = ["one"]'), "at least two hints"),
        (
            lambda t: t.replace(
                'hints = ["one", "two"]', 'hints = ["one", "two"]\njs_hints = ["1"]'
            ),
            "js_hints must have as many levels as hints",
        ),
        (
            lambda t: t.replace('id = "step-2-1"', 'id = "step-1-1"'),
            "step id 'step-1-1' is used twice",
        ),
        (lambda t: t.replace('file = "1-1-step-1-1.md"', 'file = "nope.md"'), "does not exist"),
        (
            lambda t: t.replace('title = "Topic 1"', "title = 3"),
            "'title' must be a non-empty string",
        ),
        (lambda t: t.replace('topic = "topic-1"', 'topic = "topic-9"'), "unknown topic 'topic-9'"),
        (lambda t: t + "[[broken", "invalid TOML"),
        (
            lambda t: t.replace('hint = "hint 1.1"', 'exercise = "99-nope"'),
            "unknown exercise '99-nope'",
        ),
    ],
)
def test_invalid_content_names_the_problem(tmp_path: Path, mutate: object, message: str) -> None:
    folder = write_lesson(tmp_path)
    toml = folder / "lesson.toml"
    toml.write_text(mutate(toml.read_text()))  # type: ignore[operator]
    with pytest.raises(ContentError, match=message):
        load_lesson("lesson-x", tmp_path)
