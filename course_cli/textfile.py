"""Reading a small text file a user named, without waiting on a FIFO or reading a device or
a file far larger than expected.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class UnusableFile(Exception):
    """The path holds something that is not a small UTF-8 text file; `str()` says why."""


def read_small_text(path: Path, max_bytes: int) -> str:
    """The text of the regular file `path`, of at most `max_bytes` bytes of UTF-8.
    `UnusableFile` for anything else; `OSError` when it cannot be opened at all."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise UnusableFile("a folder, not a file")
        if not stat.S_ISREG(mode):
            raise UnusableFile("not a regular file")
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        size = f"{max_bytes / 2**20:g} MB" if max_bytes >= 2**20 else f"{max_bytes / 1024:g} KB"
        raise UnusableFile(f"larger than {size}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UnusableFile(f"byte {error.start} is not UTF-8 text") from None
