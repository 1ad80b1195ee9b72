"""Reads `lessons/<id>/lesson.toml` and its step files into a validated `Lesson`.

The TOML format (`format_version = 1`):

```toml
id = "lesson-3"            title = "..."            summary = "..."
[[topics]]                 id, title, summary
[[topics.steps]]           id, title, file (in steps/), and optional hint, example, exercise
[[exercises]]              id, topic, title, summary, files = [...], hints = [...] (two or more),
                           and js_hints = [...] (as many) where a handler.mjs is graded too
```

Anything off is a `ContentError` naming the place: a bug in the package, a one-minute fix.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Any

from course_cli.content.model import Exercise, Lesson, Step, Topic
from course_cli.errors import ContentError, UnknownLessonError

LESSONS_DIR = Path(__file__).parent / "lessons"
FORMAT_VERSION = 1


def available_lessons(root: Path = LESSONS_DIR) -> list[str]:
    """Ids of the lessons in `root` (default: those shipped with the package), sorted."""
    return sorted(p.parent.name for p in root.glob("*/lesson.toml"))


@functools.cache
def load_lesson(lesson_id: str, root: Path = LESSONS_DIR) -> Lesson:
    """The lesson `lesson_id`, validated; `UnknownLessonError` (exit 2) if there is none."""
    path = root / lesson_id / "lesson.toml"
    if not path.is_file():
        available = ", ".join(available_lessons(root)) or "none"
        raise UnknownLessonError(
            f"no lesson '{lesson_id}'; available: {available}",
            hint="run `course lessons` to see every lesson and its topics",
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(f"{path}: invalid TOML: {exc}") from None
    return _parse_lesson(data, path)


def _parse_lesson(data: dict[str, Any], path: Path) -> Lesson:
    where = str(path)
    version = data.get("format_version")
    if version != FORMAT_VERSION:
        raise ContentError(f"{where}: format_version is {version!r}, expected {FORMAT_VERSION}")
    exercises = tuple(
        _parse_exercise(raw, f"{where}: exercises[{i}]")
        for i, raw in enumerate(_table_list(data, "exercises", where))
    )
    _check_unique([e.id for e in exercises], f"{where}: exercise id")
    exercise_ids = {e.id for e in exercises}

    topics: list[Topic] = []
    for t_index, raw_topic in enumerate(_table_list(data, "topics", where), start=1):
        t_where = f"{where}: topics[{t_index - 1}]"
        steps = tuple(
            _parse_step(
                raw_step, path.parent / "steps", t_index, s_index, f"{t_where}.steps[{s_index - 1}]"
            )
            for s_index, raw_step in enumerate(_table_list(raw_topic, "steps", t_where), start=1)
        )
        if not steps:
            raise ContentError(f"{t_where}: a topic needs at least one step")
        for step in steps:
            if step.exercise is not None and step.exercise not in exercise_ids:
                raise ContentError(
                    f"{t_where}: step '{step.id}' names unknown exercise '{step.exercise}'"
                )
        topics.append(
            Topic(
                id=_str(raw_topic, "id", t_where),
                title=_str(raw_topic, "title", t_where),
                summary=_str(raw_topic, "summary", t_where),
                index=t_index,
                steps=steps,
            )
        )
    if not topics:
        raise ContentError(f"{where}: a lesson needs at least one topic")
    _check_unique([t.id for t in topics], f"{where}: topic id")
    _check_unique([s.id for t in topics for s in t.steps], f"{where}: step id")
    topic_ids = {t.id for t in topics}
    for exercise in exercises:
        if exercise.topic not in topic_ids:
            raise ContentError(
                f"{where}: exercise '{exercise.id}' names unknown topic '{exercise.topic}'"
            )
    return Lesson(
        id=_str(data, "id", where),
        title=_str(data, "title", where),
        summary=_str(data, "summary", where),
        topics=tuple(topics),
        exercises=exercises,
    )


def _parse_step(raw: dict[str, Any], steps_dir: Path, topic: int, index: int, where: str) -> Step:
    file = steps_dir / _str(raw, "file", where)
    if not file.is_file():
        raise ContentError(f"{where}: step file {file} does not exist")
    return Step(
        id=_str(raw, "id", where),
        title=_str(raw, "title", where),
        file=file,
        topic_index=topic,
        index=index,
        hint=_optional_str(raw, "hint", where),
        example=_optional_str(raw, "example", where),
        exercise=_optional_str(raw, "exercise", where),
    )


def _parse_exercise(raw: dict[str, Any], where: str) -> Exercise:
    hints = _str_list(raw, "hints", where)
    if len(hints) < 2:
        raise ContentError(f"{where}: an exercise needs at least two hints, found {len(hints)}")
    js_hints = _str_list(raw, "js_hints", where) if "js_hints" in raw else []
    if js_hints and len(js_hints) != len(hints):
        raise ContentError(f"{where}: js_hints must have as many levels as hints ({len(hints)})")
    return Exercise(
        id=_str(raw, "id", where),
        topic=_str(raw, "topic", where),
        title=_str(raw, "title", where),
        summary=_str(raw, "summary", where),
        files=tuple(_str_list(raw, "files", where)),
        hints=tuple(hints),
        js_hints=tuple(js_hints),
    )


def _table_list(data: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ContentError(f"{where}: '{key}' must be an array of tables")
    return value


def _str(data: dict[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ContentError(f"{where}: '{key}' must be a non-empty string, got {value!r}")
    return value


def _optional_str(data: dict[str, Any], key: str, where: str) -> str | None:
    return _str(data, key, where) if key in data else None


def _str_list(data: dict[str, Any], key: str, where: str) -> list[str]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ContentError(f"{where}: '{key}' must be a list of non-empty strings")
    return value


def _check_unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ContentError(f"{what} '{item}' is used twice")
        seen.add(item)
