"""A worker's console output, kept up to a ceiling: the rest is read and discarded."""

from __future__ import annotations

import os
import threading
from typing import IO


class CappedOutput:
    """A pipe's output kept up to `limit` bytes, the rest read and discarded: by a thread
    (`threaded`), else non-blocking, drained by whoever waits for the worker's reply and once
    more after it, so what the worker wrote before answering is in hand, in order."""

    def __init__(self, stream: IO[bytes], limit: int, *, threaded: bool) -> None:
        self._stream = stream
        self.fd = stream.fileno()
        self._limit = limit
        self._kept = bytearray()
        self._taken = 0
        self.discarded = 0
        self.closed = False
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        if threaded:
            self._thread = threading.Thread(
                target=self._drain_all, name="course-worker-output", daemon=True
            )
            self._thread.start()
        else:
            os.set_blocking(self.fd, False)

    def _keep(self, chunk: bytes) -> None:
        with self._lock:
            room = self._limit - len(self._kept)
            if room > 0:
                self._kept += chunk[:room]
            self.discarded += max(0, len(chunk) - max(room, 0))

    def _drain_all(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            self._keep(chunk)
        self.closed = True

    def drain(self, max_chunks: int = 16) -> bool:
        """Read what the pipe holds now (at most `max_chunks` reads); False once it is closed."""
        if self.closed or self._thread is not None:
            return not self.closed
        for _ in range(max_chunks):
            try:
                chunk = os.read(self.fd, 65536)
            except BlockingIOError:
                return True
            except OSError:
                chunk = b""
            if not chunk:
                self.closed = True
                return False
            self._keep(chunk)
        return True

    def take_new(self) -> str:
        """What arrived since the last call (within the ceiling)."""
        self.drain(max_chunks=64)
        with self._lock:
            new = bytes(self._kept[self._taken :])
            self._taken = len(self._kept)
        return new.decode("utf-8", "replace")

    def text(self, wait_s: float = 1.0) -> tuple[str, bool]:
        """Everything kept (once the pipe closed, or `wait_s` passed); and whether any was cut."""
        if self._thread is not None:
            self._thread.join(wait_s)
        else:
            self.drain(max_chunks=64)
        with self._lock:
            return self._kept.decode("utf-8", "replace"), self.discarded > 0

    def close(self) -> None:
        """Close our end of the pipe, unless its thread still reads from it."""
        if self._thread is None or not self._thread.is_alive():
            self.closed = True  # never read the number again: it may name another file soon
            self._stream.close()
