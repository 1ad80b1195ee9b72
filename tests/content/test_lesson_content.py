"""The shipped lesson: complete, renderable, and every snippet in it is real code."""

from __future__ import annotations

import json
import re

import pytest

from course_cli.content import Step, load_lesson
from course_cli.ui.console import recording_console
from course_cli.ui.lesson_view import render_step

LESSON = load_lesson("lesson-3")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
EXPECTED_EXERCISES = {
    "01-integration-types",
    "02-proxy-event",
    "03-fix-the-502",
    "04-vtl-request",
    "05-vtl-response",
    "06-crud-handler",
    "07-wire-the-api",
}


def test_five_topics_in_the_lessons_order() -> None:
    assert [t.id for t in LESSON.topics] == [
        "integration-types",
        "proxy-event",
        "proxy-response",
        "vtl",
        "crud",
    ]


def test_every_topic_has_at_least_four_steps_and_the_lesson_25_to_40() -> None:
    assert all(len(t.steps) >= 4 for t in LESSON.topics)
    assert 25 <= len(LESSON.steps) <= 40


def test_exercises_are_unique_and_have_escalating_hints() -> None:
    ids = [e.id for e in LESSON.exercises]
    assert len(ids) == len(set(ids))
    assert set(ids) == EXPECTED_EXERCISES
    for exercise in LESSON.exercises:
        assert len(exercise.hints) >= 2, exercise.id
        assert len(set(exercise.hints)) == len(exercise.hints), exercise.id


def test_every_exercise_is_introduced_by_a_step() -> None:
    introduced = {s.exercise for s in LESSON.steps if s.exercise}
    assert introduced == EXPECTED_EXERCISES


def test_step_files_are_named_after_their_place() -> None:
    for step in LESSON.steps:
        assert step.file.name == f"{step.topic_index}-{step.index}-{step.id}.md", step.file.name


@pytest.mark.parametrize("step", LESSON.steps, ids=lambda s: s.number)
def test_every_step_renders(step: Step) -> None:
    console = recording_console()
    console.print(render_step(LESSON, step))
    text = console.export_text()
    assert step.title in text
    assert len(text.strip().splitlines()) > 3
    assert step.hint, "every step has a hint"


@pytest.mark.parametrize("step", LESSON.steps, ids=lambda s: s.number)
def test_every_snippet_is_valid(step: Step) -> None:
    for language, body in FENCE.findall(step.markdown()):
        assert language, f"{step.file.name}: a code block without a language"
        if language == "python":
            compile(body, str(step.file), "exec")
        elif language == "json":
            json.loads(body)


def test_steps_with_examples_show_their_code() -> None:
    with_examples = [s for s in LESSON.steps if s.example]
    assert len(with_examples) >= 8
    for step in with_examples:
        assert FENCE.search(step.markdown()), f"{step.id} has an example but shows no code"
