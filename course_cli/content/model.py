"""The lesson model: a lesson has topics, a topic has steps, and exercises hang off topics.

Steps are addressed the way learners type them: `2.3` is the third step of the second topic
(both 1-based). These objects are frozen; progress lives elsewhere (`course_cli.progress`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Step:
    """One short screen of the lesson, with an optional live example, hint and exercise."""

    id: str
    title: str
    file: Path
    topic_index: int  # 1-based
    index: int  # 1-based, within its topic
    hint: str | None = None
    example: str | None = None
    exercise: str | None = None

    @property
    def number(self) -> str:
        """The address a learner types: `topic.step`, e.g. `2.3`."""
        return f"{self.topic_index}.{self.index}"

    def markdown(self) -> str:
        return self.file.read_text(encoding="utf-8")


@dataclass(frozen=True)
class Topic:
    """One of the lesson's five topics."""

    id: str
    title: str
    summary: str
    index: int  # 1-based
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Exercise:
    """A graded exercise: what the learner edits in `exercises/<id>/`, and escalating hints."""

    id: str
    topic: str
    title: str
    summary: str
    files: tuple[str, ...]
    hints: tuple[str, ...]
    # The same levels in JavaScript's words, for an exercise that also grades a handler.mjs.
    js_hints: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lesson:
    """A whole lesson, validated on load."""

    id: str
    title: str
    summary: str
    topics: tuple[Topic, ...]
    exercises: tuple[Exercise, ...]

    @property
    def steps(self) -> tuple[Step, ...]:
        return tuple(step for topic in self.topics for step in topic.steps)

    def topic_of(self, step: Step) -> Topic:
        return self.topics[step.topic_index - 1]

    def position(self, step: Step) -> int:
        """The step's 0-based position in reading order."""
        return self.steps.index(step)

    def exercise(self, exercise_id: str) -> Exercise | None:
        return next((e for e in self.exercises if e.id == exercise_id), None)
