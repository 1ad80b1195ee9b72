"""Builds small lessons on disk for loader and navigation tests."""

from __future__ import annotations

from pathlib import Path


def write_lesson(
    root: Path,
    lesson_id: str = "lesson-x",
    steps_per_topic: tuple[int, ...] = (2, 3),
    extra: str = "",
) -> Path:
    """Write `root/<lesson_id>/lesson.toml` with one step file per step; return the folder."""
    folder = root / lesson_id
    (folder / "steps").mkdir(parents=True)
    lines = [
        "format_version = 1",
        f'id = "{lesson_id}"',
        'title = "A test lesson"',
        'summary = "For tests."',
    ]
    for t, count in enumerate(steps_per_topic, start=1):
        lines += ["[[topics]]", f'id = "topic-{t}"', f'title = "Topic {t}"', 'summary = "s"']
        for s in range(1, count + 1):
            name = f"{t}-{s}-step-{t}-{s}.md"
            (folder / "steps" / name).write_text(f"Step {t}.{s} text\n\n```python\nx = {t}\n```\n")
            lines += [
                "[[topics.steps]]",
                f'id = "step-{t}-{s}"',
                f'title = "Step {t}.{s}"',
                f'file = "{name}"',
                f'hint = "hint {t}.{s}"',
            ]
    lines += [
        "[[exercises]]",
        'id = "01-first"',
        'topic = "topic-1"',
        'title = "First"',
        'summary = "Do it."',
        'files = ["handler.py"]',
        'hints = ["one", "two"]',
    ]
    (folder / "lesson.toml").write_text("\n".join(lines) + "\n" + extra)
    return folder
