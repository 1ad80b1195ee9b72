"""Reading a small text file a user named: without waiting, and within a size.

A path can name a FIFO (opening it for reading waits for a writer, for ever), a device such as
/dev/zero (endless), or a file far larger than anything the command expects. `read_small_text`
reads only a regular file (a symlink to one is fine) of at most `max_bytes` bytes of UTF-8,
and says in a few words why it will not read anything else.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class UnusableFile(Exception):
    """The path holds something that is not a small UTF-8 text file; `str()` says why."""


def read_small_text(path: Path, max_bytes: int) -> str:
    """The text of the regular file `path`, of at most `max_bytes` bytes of UTF-8.

    `UnusableFile` for a FIFO, a device, a folder, a larger file or bytes that are not UTF-8;
    `OSError` (`FileNotFoundError`...) when it cannot be opened at all. Opening does not wait
    for a FIFO's writer, and a device is never read.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise UnusableFile("a folder, not a file")
        if not stat.S_ISREG(mode):
            raise UnusableFile("not a regular file")
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UnusableFile(f"larger than {_size(max_bytes)}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UnusableFile(f"byte {error.start} is not UTF-8 text") from None


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):g} MB"
    return f"{count / 1024:g} KB"
