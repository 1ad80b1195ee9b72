"""Whether a folder may have changed since we last looked, without a `stat` per file.

The handler cache must notice an edit on the very next invocation, so it used to `stat` the
handler's file before each one. That has a blind spot: two saves of the same size within one
tick of the file system's clock (a few milliseconds) leave size and modification time as
they were, and the second edit was missed. And a `stat` walks the path in the kernel on
every call.

On Linux, inotify does better. The kernel queues an event for every change in a watched
folder while the changing system call runs, so once an editor's write has returned the event
is already waiting, naming the file. An epoll set holding the inotify descriptor, polled
with no timeout, then tells whether anything changed anywhere since the last look: one system
call for every handler at once (measured alone: 0.33 µs a poll, against 0.66 µs for a
`select` on the descriptor and 1.5-1.7 µs for the `stat`).

`generation(folder)` numbers what has been seen: the number moves on whenever events are
read, and a folder that is not watched has none. A caller that `stat`s a file after reading
the generation, finds it unchanged and keeps the number, may trust the file for as long as
the number stays the same. Where inotify is unavailable (not Linux, a file system whose
changes may come from another machine, the system's limits reached) there is never a
number, and callers `stat` every time as before.
"""

from __future__ import annotations

import itertools
import os
import select
import struct
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import ctypes

# inotify(7): what counts as a change in a watched folder (any file in it, or the folder).
_IN_MODIFY: Final = 0x002
_IN_ATTRIB: Final = 0x004
_IN_CLOSE_WRITE: Final = 0x008
_IN_MOVED_FROM: Final = 0x040
_IN_MOVED_TO: Final = 0x080
_IN_CREATE: Final = 0x100
_IN_DELETE: Final = 0x200
_IN_DELETE_SELF: Final = 0x400
_IN_MOVE_SELF: Final = 0x800
_IN_UNMOUNT: Final = 0x2000
_IN_Q_OVERFLOW: Final = 0x4000
_IN_IGNORED: Final = 0x8000
_IN_ONLYDIR: Final = 0x01000000
_WATCHED: Final = (
    _IN_MODIFY
    | _IN_ATTRIB
    | _IN_CLOSE_WRITE
    | _IN_MOVED_FROM
    | _IN_MOVED_TO
    | _IN_CREATE
    | _IN_DELETE
    | _IN_DELETE_SELF
    | _IN_MOVE_SELF
)
# Events after which a watch no longer covers its folder (moved, deleted, unmounted) or some
# events were lost: every watch is dropped, and callers `stat` until they watch again.
_LOST: Final = _IN_DELETE_SELF | _IN_MOVE_SELF | _IN_UNMOUNT | _IN_Q_OVERFLOW | _IN_IGNORED
_EVENT: Final = struct.Struct("iIII")  # wd, mask, cookie, len (then `len` bytes of name)

# File systems whose every change passes through this kernel, so inotify sees it (statfs(2)
# magic numbers). Others may change underneath us - NFS, SMB, a VM's shared folder (WSL's
# /mnt/c, Docker Desktop's mounts), FUSE - and are always `stat`-ed.
_LOCAL_FILE_SYSTEMS: Final = frozenset(
    {
        0xEF53,  # ext2, ext3, ext4
        0x58465342,  # xfs
        0x9123683E,  # btrfs
        0x01021994,  # tmpfs
        0x858458F6,  # ramfs
        0xF2F52010,  # f2fs
        0x2FC12FC1,  # zfs
        0x794C7630,  # overlayfs (a container's own files)
    }
)


class FolderChanges:
    """One inotify instance, shared by every handler cache in the process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._libc: ctypes.CDLL | None = None
        self._fd = -1
        # An epoll set holding the inotify descriptor, while watching: polling it costs half a
        # `select` on the descriptor, and threads may poll it at once (a `poll` object refuses).
        self._epoll: select.epoll | None = None
        self._ready: Callable[[float], list[tuple[int, int]]] | None = None  # its `poll`
        self._folders: set[str] = set()  # the folders watched
        self._by_descriptor: dict[int, str] = {}  # watch descriptor -> its folder
        self._refused: set[str] = set()  # folders found unfit to watch: never asked again
        # path -> the number under which an event last named it (see `touched_after`)
        self._touched: dict[str, int] = {}
        self._counter = itertools.count(1)
        self._generation = 0
        self._broken = sys.platform != "linux"  # inotify unavailable: no numbers, ever

    def generation(self, folder: str) -> int | None:
        """The current number if `folder` is watched, None if it is not.

        Reads any waiting events first, which moves the number on.
        """
        ready = self._ready
        if ready is None:
            return None
        try:
            changed = ready(0)
        except (OSError, ValueError):  # another thread stopped watching meanwhile
            return None
        if changed:
            self._read_events()
        elif self._lock.locked():
            # Another thread may have drained the events (under the lock) and not yet set the
            # new number: wait for it, or this call would miss an edit already made.
            with self._lock:
                pass
        return self._generation if folder in self._folders else None

    def watch(self, folder: str) -> int | None:
        """Start watching `folder` (kept until its events are lost); the current number, or
        None when it cannot be watched. Call it before the `stat` (or the read) the number
        will vouch for."""
        with self._lock:
            if folder not in self._folders and not self._add_watch(folder):
                return None
        return self.generation(folder)

    def touched_after(self, path: str, generation: int) -> bool:
        """Whether an event read after `generation` named the file at `path`: it was written,
        replaced or deleted then, even if its size and modification time did not change
        (two saves within one tick of the file system's clock)."""
        return self._touched.get(path, 0) > generation

    def _add_watch(self, folder: str) -> bool:
        if self._broken or folder in self._refused:
            return False
        if self._fd < 0 and not self._start():
            return False
        libc = self._libc
        assert libc is not None
        if os.path.realpath(folder) != folder or not _is_local(libc, folder):
            self._refused.add(folder)
            return False
        descriptor = libc.inotify_add_watch(self._fd, os.fsencode(folder), _WATCHED | _IN_ONLYDIR)
        if descriptor < 0:  # no such folder, or the system's limit on watches reached
            self._refused.add(folder)
            return False
        self._folders.add(folder)
        self._by_descriptor[descriptor] = folder
        return True

    def _start(self) -> bool:
        fd = -1
        try:
            libc = _libc()
            libc.statfs  # noqa: B018 - looked up now, while ctypes may still be used
            fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        except (OSError, AttributeError):
            pass  # no inotify here, or ctypes refused (an isolated grading worker forbids it)
        if fd < 0:  # also: the limit on inotify instances reached
            self._broken = True
            return False
        try:
            epoll = select.epoll()
            epoll.register(fd, select.EPOLLIN)
        except OSError:  # the limit on open files reached
            os.close(fd)
            return False
        self._libc, self._fd, self._epoll = libc, fd, epoll
        self._ready = epoll.poll
        return True

    def _read_events(self) -> None:
        with self._lock:
            generation = next(self._counter)
            lost = False
            while True:
                try:
                    data = os.read(self._fd, 65536)
                except BlockingIOError:
                    break
                except OSError:  # the instance itself failed (or another thread closed it)
                    lost = True
                    break
                offset = 0
                while offset < len(data):
                    descriptor, mask, _, length = _EVENT.unpack_from(data, offset)
                    offset += _EVENT.size
                    lost = lost or bool(mask & _LOST)
                    folder = self._by_descriptor.get(descriptor)
                    if length and folder is not None:
                        name = os.fsdecode(data[offset : offset + length].rstrip(b"\0"))
                        if len(self._touched) >= _MAX_TOUCHED:
                            self._touched.clear()  # then `stat` alone judges older edits
                        self._touched[os.path.join(folder, name)] = generation
                    offset += length
            if lost:
                self._stop()
            # Set last: a reader that sees the new number also sees what it touched.
            self._generation = generation

    def _stop(self) -> None:
        """Drop every watch: callers `stat` until they watch again."""
        self._ready = None
        if self._epoll is not None:
            self._epoll.close()
        if self._fd >= 0:
            os.close(self._fd)
        self._fd, self._epoll = -1, None
        self._folders.clear()
        self._by_descriptor.clear()

    def _after_fork(self) -> None:
        # The child shares the parent's inotify instance: reading it would take the parent's
        # events. The child starts afresh, with nothing watched.
        self._lock = threading.Lock()
        self._stop()
        self._generation = next(self._counter)


# Paths remembered as touched, at most (a folder where a program writes many files).
_MAX_TOUCHED: Final = 4096


def _is_local(libc: ctypes.CDLL, folder: str) -> bool:
    """Whether `folder` is on a file system in `_LOCAL_FILE_SYSTEMS` (statfs(2))."""
    import ctypes

    buffer = ctypes.create_string_buffer(256)  # struct statfs: f_type comes first
    if libc.statfs(os.fsencode(folder), buffer) != 0:
        return False
    kind = ctypes.c_long.from_buffer(buffer).value & 0xFFFFFFFF
    return kind in _LOCAL_FILE_SYSTEMS


def _libc() -> ctypes.CDLL:
    # ctypes is imported on first use: most commands never watch a file.
    import ctypes

    return ctypes.CDLL(None, use_errno=True)  # the C library this process already uses


changes = FolderChanges()
os.register_at_fork(after_in_child=changes._after_fork)
