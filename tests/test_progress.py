"""The progress store: atomic, versioned, safe with concurrent writers and corrupt files."""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from course_cli.errors import CourseError
from course_cli.progress import (
    FORMAT_VERSION,
    MAX_FILE_BYTES,
    ProgressStore,
    course_home,
    empty_progress,
)


def test_course_home_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COURSE_HOME", str(tmp_path / "elsewhere"))
    assert course_home() == tmp_path / "elsewhere"
    assert ProgressStore.default().path == tmp_path / "elsewhere" / "progress.json"


def test_missing_file_is_a_fresh_start(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "progress.json")
    assert store.load() == empty_progress()
    assert store.warnings == []


def test_update_writes_a_readable_versioned_file(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "sub" / "progress.json")
    store.update(lambda d: d["lessons"].setdefault("lesson-3", {"current": "x", "seen": ["x"]}))
    on_disk = json.loads(store.path.read_text())
    assert on_disk["format_version"] == FORMAT_VERSION
    assert on_disk["lessons"]["lesson-3"] == {"current": "x", "seen": ["x"]}
    # No temp files are left behind.
    assert sorted(p.name for p in store.path.parent.iterdir()) == [
        "progress.json",
        "progress.json.lock",
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"format_version": 99, "lessons": {}, "exercises": {}}', "format_version 99"),
        ('{"format_version": 1, "lessons": [], "exercises": {}}', "must be objects"),
        ("", "not valid JSON"),
        ('{"format_version": 1, "lessons": {}, "exercises": {"x": 5}}', "exercise 'x'"),
        (
            '{"format_version": 1, "lessons": {"l": {"seen": [[1]]}}, "exercises": {}}',
            "lesson 'l'",
        ),
        (
            '{"format_version": 1, "lessons": {}, "exercises": {"x": {"hints_shown": "2"}}}',
            "exercise 'x'",
        ),
        ("[" * 100_000, "nesting too deep"),
        ('{"format_version": ' + "1" * 6000 + "}", "a number too long"),
    ],
)
def test_corrupt_file_is_set_aside_with_a_warning(
    tmp_path: Path, content: str, reason: str
) -> None:
    path = tmp_path / "progress.json"
    path.write_text(content)
    store = ProgressStore(path)
    assert store.load() == empty_progress()
    assert len(store.warnings) == 1 and reason in store.warnings[0]
    backups = list(tmp_path.glob("progress.json.corrupt-*"))
    assert len(backups) == 1 and backups[0].read_text() == content  # the old file is kept
    assert not path.exists()


def test_corrupt_file_then_update_starts_fresh(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    path.write_text("\x00\x01garbage")
    store = ProgressStore(path)
    store.update(lambda d: d.__setitem__("current_lesson", "lesson-3"))
    assert json.loads(path.read_text())["current_lesson"] == "lesson-3"
    assert store.warnings


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda path: path.write_bytes(b"\xff\xfe\x00garbage"), "not UTF-8 text"),
        (lambda path: os.mkfifo(path), "not a regular file"),  # never waits for a writer
        (lambda path: path.symlink_to("/dev/zero"), "not a regular file"),  # never read
        (lambda path: path.write_bytes(b" " * (MAX_FILE_BYTES + 1)), "larger than 1 MB"),
    ],
)
def test_what_is_not_a_progress_file_is_set_aside(
    tmp_path: Path, make: Callable[[Path], object], reason: str
) -> None:
    path = tmp_path / "progress.json"
    make(path)
    store = ProgressStore(path)
    assert store.load() == empty_progress()
    assert len(store.warnings) == 1 and reason in store.warnings[0]
    assert len(list(tmp_path.glob("progress.json.corrupt-*"))) == 1
    assert not path.exists() and not path.is_symlink()


def test_two_bad_files_in_one_second_keep_both_backups(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    for content in ("{one", "{two"):
        path.write_text(content)
        ProgressStore(path).load()
    kept = sorted(p.read_text() for p in tmp_path.glob("progress.json.corrupt-*"))
    assert kept == ["{one", "{two"]


def test_a_failed_write_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ProgressStore(tmp_path / "progress.json")

    def full_disk(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(CourseError, match="No space left on device"):
        store.update(lambda d: d.__setitem__("current_lesson", "lesson-3"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["progress.json.lock"]


def test_unwritable_home_is_a_course_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    store = ProgressStore(blocker / "progress.json")  # parent is a file: cannot mkdir
    with pytest.raises(CourseError, match="cannot save progress"):
        store.update(lambda d: None)


def _writer(path: str, key: str, count: int) -> None:
    store = ProgressStore(Path(path))
    for i in range(count):

        def change(data: dict[str, Any], i: int = i) -> None:
            data["exercises"][f"{key}-{i}"] = {"status": "passed"}

        store.update(change)


def test_two_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    ctx = multiprocessing.get_context("fork")
    writers = [ctx.Process(target=_writer, args=(str(path), key, 40)) for key in ("a", "b")]
    for w in writers:
        w.start()
    for w in writers:
        w.join(timeout=60)
        assert w.exitcode == 0
    exercises = json.loads(path.read_text())["exercises"]
    assert len(exercises) == 80
    assert {f"a-{i}" for i in range(40)} | {f"b-{i}" for i in range(40)} == set(exercises)


def test_default_home_without_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("COURSE_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert course_home() == tmp_path / "course"
