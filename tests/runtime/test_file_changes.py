"""Noticing handler edits without a `stat` per call: the folder watch, and its fallbacks.

Every kind of edit must show on the very next call, whether the cache trusts the folder's
watch or `stat`s the file; an unchanged handler on a watched folder costs no `stat` at all.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from course_cli.runtime import HandlerCache, file_changes, handler_loader, parse_handler_spec
from course_cli.runtime.file_changes import FolderChanges

watch_works = pytest.mark.skipif(
    sys.platform != "linux", reason="folders are watched with Linux's inotify"
)

Stats = list[str]


@pytest.fixture
def changes(monkeypatch: pytest.MonkeyPatch) -> Iterator[FolderChanges]:
    """A fresh folder watch for the handler cache, closed after the test."""
    fresh = FolderChanges()
    monkeypatch.setattr(handler_loader, "changes", fresh)
    yield fresh
    fresh._stop()


@pytest.fixture
def stats(monkeypatch: pytest.MonkeyPatch) -> Stats:
    """The paths `os.stat` is called on from now on."""
    seen: Stats = []
    real_stat = os.stat

    def counting_stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        seen.append(os.fsdecode(path) if isinstance(path, str | bytes) else repr(path))
        return real_stat(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "stat", counting_stat)
    return seen


def answer(cache: HandlerCache, path: Path) -> object:
    loaded, _ = cache.get(parse_handler_spec(str(path)))
    return loaded.function({}, None)


def handler_source(value: str) -> str:
    return f"def handler(event, context):\n    return {value!r}\n"


@watch_works
def test_an_unchanged_handler_on_a_watched_folder_costs_no_stat(
    tmp_path: Path, changes: FolderChanges, stats: Stats
) -> None:
    path = tmp_path / "app.py"
    path.write_text(handler_source("v1"))
    cache = HandlerCache()
    answer(cache, path)
    answer(cache, path)  # the first warm call starts the watch and stats once more
    assert changes.generation(str(tmp_path)) is not None
    stats.clear()
    for _ in range(50):
        assert answer(cache, path) == "v1"
    assert stats == []


def in_place(path: Path, value: str) -> None:
    path.write_text(handler_source(value))


def same_size_same_time(path: Path, value: str) -> None:
    before = path.stat()
    path.write_text(handler_source(value))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # as if in the same tick


def atomic_replace(path: Path, value: str) -> None:
    # How many editors save: a new file renamed over the old one.
    spare = path.with_suffix(".tmp")
    spare.write_text(handler_source(value))
    os.replace(spare, path)


def deleted_then_written(path: Path, value: str) -> None:
    path.unlink()
    path.write_text(handler_source(value))


def folder_replaced(path: Path, value: str) -> None:
    # The watched folder itself goes away and a new one takes its name.
    shutil.rmtree(path.parent)
    path.parent.mkdir()
    path.write_text(handler_source(value))


Edit = Callable[[Path, str], None]
EDITS = [in_place, same_size_same_time, atomic_replace, deleted_then_written, folder_replaced]


@watch_works
@pytest.mark.parametrize("edit", EDITS, ids=lambda edit: edit.__name__)
def test_every_kind_of_edit_shows_on_the_next_call(
    tmp_path: Path, changes: FolderChanges, edit: Edit
) -> None:
    path = tmp_path / "src" / "app.py"
    path.parent.mkdir()
    path.write_text(handler_source("v1"))
    cache = HandlerCache()
    for round_ in range(3):
        assert answer(cache, path) == f"v{round_ + 1}"
        assert answer(cache, path) == f"v{round_ + 1}"
        edit(path, f"v{round_ + 2}")  # the same size each time, as an edit can be
    assert answer(cache, path) == "v4"


# (An edit that keeps size and modification time is beyond `stat`: only a watch sees it.)
@pytest.mark.parametrize(
    "edit", [in_place, atomic_replace, deleted_then_written], ids=lambda edit: edit.__name__
)
def test_a_folder_that_cannot_be_watched_is_stat_ed_every_call(
    tmp_path: Path,
    changes: FolderChanges,
    stats: Stats,
    edit: Edit,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As a network share or a VM's shared folder would be: changes made elsewhere never
    # reach this kernel's inotify.
    monkeypatch.setattr("course_cli.runtime.file_changes._LOCAL_FILE_SYSTEMS", frozenset())
    path = tmp_path / "app.py"
    path.write_text(handler_source("v1"))
    cache = HandlerCache()
    for _ in range(3):
        assert answer(cache, path) == "v1"
    assert changes.generation(str(tmp_path)) is None
    stats.clear()
    assert answer(cache, path) == "v1"
    assert stats == [str(path)]
    edit(path, "v2")
    assert answer(cache, path) == "v2"


def test_a_symlinked_handler_is_stat_ed_and_its_target_s_edits_show(
    tmp_path: Path, changes: FolderChanges, stats: Stats
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "real.py"
    target.write_text(handler_source("v1"))
    link = tmp_path / "app.py"
    link.symlink_to(target)
    cache = HandlerCache()
    for _ in range(3):
        assert answer(cache, link) == "v1"
    stats.clear()
    in_place(target, "v2")  # the link's folder sees nothing of this
    assert answer(cache, link) == "v2"
    assert stats  # found by stat-ing the link


def test_a_hard_linked_handler_is_stat_ed_and_edits_through_the_other_link_show(
    tmp_path: Path, changes: FolderChanges
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    path = tmp_path / "a" / "app.py"
    path.write_text(handler_source("v1"))
    other = tmp_path / "b" / "same.py"
    os.link(path, other)
    cache = HandlerCache()
    for _ in range(3):
        assert answer(cache, path) == "v1"
    with open(other, "r+") as file:  # written through the link in the other folder
        file.write(handler_source("v2"))
    assert answer(cache, path) == "v2"


@watch_works
def test_a_forked_child_watches_afresh_and_sees_edits(tmp_path: Path) -> None:
    changes = file_changes.changes  # the process's own watch, reset in a forked child
    path = tmp_path / "app.py"
    path.write_text(handler_source("v1"))
    cache = HandlerCache()
    for _ in range(3):
        answer(cache, path)
    assert changes.generation(str(tmp_path)) is not None
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its answers before and after an edit, then leave at once
        try:
            before = answer(cache, path)
            again = answer(cache, path)
            in_place(path, "v2")
            after = answer(cache, path)
            os.write(write, f"{before} {again} {after}".encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        reported = pipe.read()
    os.waitpid(pid, 0)
    assert reported == "v1 v1 v2"
    # The parent's watch was not drained by the child: it sees the child's edit too.
    assert answer(cache, path) == "v2"


@watch_works
def test_threads_poll_the_watch_at_once_and_each_sees_the_edits(
    tmp_path: Path, changes: FolderChanges
) -> None:
    # `course serve` answers on several threads: each polls the same watch before its call.
    path = tmp_path / "app.py"
    path.write_text(handler_source("v0"))
    cache = HandlerCache()
    answer(cache, path)
    answer(cache, path)
    assert changes.generation(str(tmp_path)) is not None
    failures: list[BaseException] = []
    stop = threading.Event()

    spec = parse_handler_spec(str(path))

    def poll() -> None:
        try:
            while not stop.is_set():
                cache.get(spec)
        except BaseException as error:  # reported by the main thread
            failures.append(error)

    pollers = [threading.Thread(target=poll) for _ in range(2)]
    # Threads take turns at the interpreter often: the file operations below each wait for
    # their turn, and the default 5 ms turns would make this test take half a minute.
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)
    for thread in pollers:
        thread.start()
    try:
        for round_ in range(1, 30):
            # Renamed into place: a poller never loads a half-written file.
            atomic_replace(path, f"v{round_}")
            assert answer(cache, path) == f"v{round_}"  # seen at once, while others poll
    finally:
        stop.set()
        for thread in pollers:
            thread.join()
        sys.setswitchinterval(switch_interval)
    assert failures == []
    assert changes.generation(str(tmp_path)) is not None  # still watching
