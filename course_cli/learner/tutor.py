"""Moving through a lesson: which step is current, next/back/goto, and what the learner has done.

These functions are what `course start/next/back/goto/status` call, and what a notebook could
call: they read and update the progress store, and return plain objects for the UI to draw.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass
from typing import Any

from course_cli.content import Lesson, Step, available_lessons, load_lesson
from course_cli.errors import UnknownStepError
from course_cli.progress import ProgressStore

DEFAULT_LESSON = "lesson-3"


@dataclass(frozen=True)
class Position:
    """Where the learner is after a move, and whether the move hit an end of the lesson."""

    lesson: Lesson
    step: Step
    moved: bool = True
    at_end: bool = False
    at_start: bool = False


@dataclass(frozen=True)
class TopicStatus:
    """How much of one topic the learner has seen."""

    index: int
    title: str
    seen: int
    total: int


@dataclass(frozen=True)
class ExerciseStatus:
    """One exercise's state: never checked, failing, or passed."""

    id: str
    title: str
    status: str  # "not started" | "failed" | "passed" | ...
    score: int | None
    max_score: int | None


@dataclass(frozen=True)
class LessonStatus:
    """Everything `course status` shows."""

    lesson: Lesson
    current: Step
    topics: tuple[TopicStatus, ...]
    exercises: tuple[ExerciseStatus, ...]
    next_action: str

    def to_json(self) -> dict[str, Any]:
        """The stable `course status --json` document."""
        return {
            "lesson": self.lesson.id,
            "current_step": self.current.number,
            "current_step_id": self.current.id,
            "topics": [
                {"number": t.index, "title": t.title, "seen": t.seen, "total": t.total}
                for t in self.topics
            ],
            "exercises": [asdict(e) for e in self.exercises],
            "next": self.next_action,
        }


def resolve_lesson(store: ProgressStore, lesson_id: str | None) -> Lesson:
    """The lesson named, else the one the learner last worked on, else lesson-3."""
    if lesson_id is None:
        current = store.load().get("current_lesson")
        lesson_id = current if isinstance(current, str) and current in available_lessons() else None
    return load_lesson(lesson_id or DEFAULT_LESSON)


def find_step(lesson: Lesson, ref: str) -> Step:
    """The step a learner means by `ref`: `2.3`, `2` (the topic's first step) or a step id."""
    ref = ref.strip()
    topic_part, _, step_part = ref.partition(".")
    if topic_part.isdigit() and (step_part.isdigit() or not step_part):
        t, s = int(topic_part), int(step_part or 1)
        if 1 <= t <= len(lesson.topics) and 1 <= s <= len(lesson.topics[t - 1].steps):
            return lesson.topics[t - 1].steps[s - 1]
    for step in lesson.steps:
        if step.id == ref:
            return step
    raise UnknownStepError(f"no step '{ref}' in {lesson.id}", hint=_step_hint(lesson, ref))


def current_step(lesson: Lesson, progress: dict[str, Any]) -> Step:
    """The step the learner is on (the first step for a newcomer, or if the id is gone)."""
    entry = progress.get("lessons", {}).get(lesson.id, {})
    wanted = entry.get("current") if isinstance(entry, dict) else None
    return next((s for s in lesson.steps if s.id == wanted), lesson.steps[0])


def open_current(store: ProgressStore, lesson: Lesson) -> Position:
    """Open the learner's current step and record it as seen."""
    step = current_step(lesson, store.load())
    _record(store, lesson, step)
    return Position(lesson, step, moved=False)


def go_next(store: ProgressStore, lesson: Lesson) -> Position:
    """Advance one step; at the last step, stay and report `at_end`."""
    steps = lesson.steps
    here = lesson.position(current_step(lesson, store.load()))
    if here + 1 >= len(steps):
        _record(store, lesson, steps[here])
        return Position(lesson, steps[here], moved=False, at_end=True)
    _record(store, lesson, steps[here + 1])
    return Position(lesson, steps[here + 1])


def go_back(store: ProgressStore, lesson: Lesson) -> Position:
    """Go back one step; at the first step, stay and report `at_start`."""
    steps = lesson.steps
    here = lesson.position(current_step(lesson, store.load()))
    if here == 0:
        _record(store, lesson, steps[0])
        return Position(lesson, steps[0], moved=False, at_start=True)
    _record(store, lesson, steps[here - 1])
    return Position(lesson, steps[here - 1])


def go_to(store: ProgressStore, lesson: Lesson, ref: str) -> Position:
    """Jump to the step `ref` (see `find_step`)."""
    step = find_step(lesson, ref)
    _record(store, lesson, step)
    return Position(lesson, step)


def lesson_status(store: ProgressStore, lesson: Lesson) -> LessonStatus:
    """Steps seen per topic, exercise results, and the most useful next thing to do."""
    progress = store.load()
    entry = progress.get("lessons", {}).get(lesson.id, {})
    seen = set(entry.get("seen", [])) if isinstance(entry, dict) else set()
    topics = tuple(
        TopicStatus(t.index, t.title, sum(s.id in seen for s in t.steps), len(t.steps))
        for t in lesson.topics
    )
    exercises = tuple(_exercise_status(e.id, e.title, progress) for e in lesson.exercises)
    current = current_step(lesson, progress)
    return LessonStatus(
        lesson, current, topics, exercises, _next_action(lesson, current, seen, exercises)
    )


def exercise_status(store: ProgressStore, lesson: Lesson, exercise_id: str) -> ExerciseStatus:
    """Where the learner stands on one exercise (for the step that introduces it)."""
    exercise = lesson.exercise(exercise_id)
    title = exercise.title if exercise is not None else exercise_id
    return _exercise_status(exercise_id, title, store.load())


def _exercise_status(exercise_id: str, title: str, progress: dict[str, Any]) -> ExerciseStatus:
    raw = progress.get("exercises", {}).get(exercise_id)
    if not isinstance(raw, dict):
        return ExerciseStatus(exercise_id, title, "not started", None, None)
    score, max_score = raw.get("score"), raw.get("max_score")
    return ExerciseStatus(
        exercise_id,
        title,
        str(raw.get("status", "not started")),
        score if isinstance(score, int) else None,
        max_score if isinstance(max_score, int) else None,
    )


def _next_action(
    lesson: Lesson, current: Step, seen: set[str], exercises: tuple[ExerciseStatus, ...]
) -> str:
    if not seen:
        return f"start the lesson: course start {lesson.id}"
    unseen = [s for s in lesson.steps if s.id not in seen]
    if unseen:
        return f"continue at step {current.number} ({current.title}): course start"
    pending = [e for e in exercises if e.status != "passed"]
    if pending:
        return f"solve the next exercise: course check {pending[0].id}"
    return "all steps seen and every exercise passed: well done"


def _record(store: ProgressStore, lesson: Lesson, step: Step) -> None:
    def change(data: dict[str, Any]) -> None:
        data["current_lesson"] = lesson.id
        entry = data["lessons"].setdefault(lesson.id, {})
        entry["current"] = step.id
        seen = entry.setdefault("seen", [])
        if step.id not in seen:
            seen.append(step.id)

    store.update(change)


def _step_hint(lesson: Lesson, ref: str) -> str:
    close = difflib.get_close_matches(ref, [s.id for s in lesson.steps], n=1)
    last = lesson.topics[-1]
    span = f"steps run from 1.1 to {last.index}.{len(last.steps)}"
    if close:
        return f"did you mean '{close[0]}'? ({span}; `course status` lists topics)"
    counts = ", ".join(f"topic {t.index} has {len(t.steps)}" for t in lesson.topics)
    return f"use topic.step, e.g. 2.3 — {counts}"
