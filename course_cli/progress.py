"""The learner's progress: one small, versioned, human-readable JSON file in `course_home()`.

```json
{"format_version": 1,
 "current_lesson": "lesson-3",
 "lessons": {"lesson-3": {"current": "event-fields", "seen": ["welcome", "five-types"]}},
 "exercises": {"03-fix-the-502": {"status": "passed", "score": 5, "max_score": 5,
                                  "hints_shown": 2, "checked_at": "2026-11-26T13:05:00+00:00"}}}
```

Writes are atomic and serialised between processes by a lock. A file that cannot be read is
set aside as `progress.json.corrupt-<time>`, with a warning, and the learner starts fresh.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from course_cli.errors import CourseError
from course_cli.textfile import UnusableFile, read_small_text

FORMAT_VERSION = 1
FILE_NAME = "progress.json"
# A lesson's progress is a few KB: anything much larger is not ours.
MAX_FILE_BYTES = 1024 * 1024


def course_home() -> Path:
    """The folder holding the progress file: `$COURSE_HOME`, else the user data directory."""
    override = os.environ.get("COURSE_HOME")
    if override:
        return Path(override).expanduser()
    import platformdirs  # small, but only needed here

    return Path(platformdirs.user_data_dir("course", appauthor=False))


def empty_progress() -> dict[str, Any]:
    document = {"format_version": FORMAT_VERSION, "current_lesson": None}
    return {**document, "lessons": {}, "exercises": {}}


@dataclass
class ProgressStore:
    """Reads and updates the progress file; `warnings` collects what the learner should be told."""

    path: Path
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def default(cls) -> ProgressStore:
        """The store at the standard location (see module docstring)."""
        return cls(course_home() / FILE_NAME)

    def load(self) -> dict[str, Any]:
        """The current progress (a fresh document if there is none, or it was set aside)."""
        try:
            text = read_small_text(self.path, MAX_FILE_BYTES)
        except FileNotFoundError:
            return empty_progress()
        except UnusableFile as exc:
            self._set_aside(str(exc))
            return empty_progress()
        except OSError as exc:
            self.warnings.append(
                f"could not read progress file {self.path} ({exc.strerror}); starting fresh"
            )
            return empty_progress()
        problem = _validate(text)
        if problem is None:
            data: dict[str, Any] = json.loads(text)
            return data
        self._set_aside(problem)
        return empty_progress()

    def update(self, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        """Apply `change` to the progress document and save it atomically, under a lock that
        keeps concurrent updates from losing each other's changes; return the result."""
        with self._locked():
            data = self.load()
            before = copy.deepcopy(data)
            change(data)
            if data != before or not self.path.exists():
                self._write(data)
            return data

    def _set_aside(self, problem: str) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        backup = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        for number in range(2, 100):  # never over an earlier backup of the same second
            if not backup.exists() and not backup.is_symlink():
                break
            backup = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{number}")
        try:
            os.replace(self.path, backup)
        except OSError:
            self.warnings.append(
                f"progress file {self.path} is unusable ({problem}); starting fresh"
            )
            return
        self.warnings.append(
            f"progress file was unusable ({problem}); kept it as {backup.name} and started fresh"
        )

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            lock = open(self.path.with_name(self.path.name + ".lock"), "a+b")
        except OSError as exc:
            raise CourseError(
                f"cannot save progress in {self.path.parent}: {exc.strerror}",
                hint="set COURSE_HOME to a folder you can write to",
            ) from None
        with lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def _write(self, data: dict[str, Any]) -> None:
        text = json.dumps(data, indent=2, sort_keys=True) + "\n"
        tmp: str | None = None
        try:
            fd, tmp = tempfile.mkstemp(prefix=".progress-", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except OSError as exc:
            if tmp is not None:  # a full disk must not also collect half-written copies
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
            raise CourseError(
                f"cannot save progress to {self.path}: {exc.strerror or exc}",
                hint="free some disk space, or set COURSE_HOME to a folder you can write to",
            ) from None


def _validate(text: str) -> str | None:
    """Why `text` is not a usable progress document, or None if it is."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return f"not valid JSON: {exc.msg} at line {exc.lineno}"
    except (ValueError, RecursionError):  # a number of 5,000 digits; arrays nested too deep
        return "a number too long or nesting too deep"
    if not isinstance(data, dict):
        return "not a JSON object"
    if data.get("format_version") != FORMAT_VERSION:
        return f"format_version {data.get('format_version')!r}, expected {FORMAT_VERSION}"
    if not isinstance(data.get("lessons"), dict) or not isinstance(data.get("exercises"), dict):
        return "'lessons' and 'exercises' must be objects"
    for lesson_id, entry in data["lessons"].items():
        if (
            not isinstance(entry, dict)
            or not isinstance(seen := entry.get("seen", []), list)
            or not all(isinstance(item, str) for item in seen)
            or not isinstance(entry.get("current", ""), str)
        ):
            return f"lesson '{lesson_id}' has an unexpected shape"
    for exercise_id, entry in data["exercises"].items():
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("hints_shown", 0), int)
            or not isinstance(entry.get("last_failure"), dict | None)
            or not isinstance(entry.get("practice", {}), dict)
        ):
            return f"exercise '{exercise_id}' has an unexpected shape"
    return None
