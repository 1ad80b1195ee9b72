"""Moving through a lesson and reporting status, on a small lesson built for the test."""

from __future__ import annotations

from pathlib import Path

import pytest

from course_cli.content import Lesson, load_lesson
from course_cli.errors import UnknownStepError
from course_cli.learner.tutor import find_step, go_back, go_next, go_to, lesson_status, open_current
from course_cli.progress import ProgressStore
from tests.content.lesson_factory import write_lesson


@pytest.fixture
def lesson(tmp_path: Path) -> Lesson:
    write_lesson(tmp_path / "lessons", steps_per_topic=(2, 3))
    return load_lesson("lesson-x", tmp_path / "lessons")


@pytest.fixture
def store(tmp_path: Path) -> ProgressStore:
    return ProgressStore(tmp_path / "home" / "progress.json")


def test_a_newcomer_starts_at_the_first_step(lesson: Lesson, store: ProgressStore) -> None:
    position = open_current(store, lesson)
    assert position.step.number == "1.1"
    assert store.load()["lessons"]["lesson-x"] == {"current": "step-1-1", "seen": ["step-1-1"]}


def test_next_crosses_topics_and_stops_at_the_end(lesson: Lesson, store: ProgressStore) -> None:
    numbers = [go_next(store, lesson).step.number for _ in range(4)]
    assert numbers == ["1.2", "2.1", "2.2", "2.3"]
    end = go_next(store, lesson)
    assert end.step.number == "2.3" and end.at_end and not end.moved


def test_back_stops_at_the_start(lesson: Lesson, store: ProgressStore) -> None:
    go_to(store, lesson, "2.1")
    assert go_back(store, lesson).step.number == "1.2"
    assert go_back(store, lesson).step.number == "1.1"
    start = go_back(store, lesson)
    assert start.at_start and start.step.number == "1.1"


def test_progress_resumes_in_a_new_store(lesson: Lesson, store: ProgressStore) -> None:
    go_to(store, lesson, "2.2")
    again = ProgressStore(store.path)
    assert open_current(again, lesson).step.number == "2.2"


@pytest.mark.parametrize(
    ("ref", "number"), [("2.3", "2.3"), ("2", "2.1"), ("step-1-2", "1.2"), (" 1.1 ", "1.1")]
)
def test_find_step_accepts_numbers_topics_and_ids(lesson: Lesson, ref: str, number: str) -> None:
    assert find_step(lesson, ref).number == number


@pytest.mark.parametrize(
    ("ref", "hint"),
    [
        ("9.1", "topic 1 has 2, topic 2 has 3"),
        ("1.7", "topic 1 has 2"),
        ("0.1", "use topic.step"),
        ("step-1-9", "did you mean 'step-1-"),
        ("", "use topic.step"),
    ],
)
def test_unknown_step_suggests(lesson: Lesson, ref: str, hint: str) -> None:
    with pytest.raises(UnknownStepError) as info:
        find_step(lesson, ref)
    assert f"no step '{ref.strip()}' in lesson-x" == info.value.message
    assert hint in (info.value.hint or "")


def test_status_counts_seen_steps_and_exercises(lesson: Lesson, store: ProgressStore) -> None:
    assert lesson_status(store, lesson).next_action.startswith("start the lesson")
    for _ in range(2):
        go_next(store, lesson)  # sees 1.2 and 2.1 (not 1.1: it was never opened)
    store.update(
        lambda d: d["exercises"].__setitem__(
            "01-first", {"status": "failed", "score": 1, "max_score": 3}
        )
    )
    status = lesson_status(store, lesson)
    assert [(t.seen, t.total) for t in status.topics] == [(1, 2), (1, 3)]
    assert status.current.number == "2.1"
    assert status.exercises[0].status == "failed" and status.exercises[0].score == 1
    assert "continue at step 2.1" in status.next_action
    for ref in ("1.1", "2.2", "2.3"):
        go_to(store, lesson, ref)
    assert (
        lesson_status(store, lesson).next_action == "solve the next exercise: course check 01-first"
    )
    doc = lesson_status(store, lesson).to_json()
    assert doc["current_step"] == "2.3" and doc["topics"][1] == {
        "number": 2,
        "title": "Topic 2",
        "seen": 3,
        "total": 3,
    }
