"""The isolated worker's wire format: length-prefixed JSON frames over a private pipe.

A frame is a 4-byte big-endian length followed by that many bytes of ASCII JSON (non-ASCII
and lone surrogates escaped, so anything a learner prints survives the trip). The pipes are
created by the parent and handed to the worker as extra file descriptors; the learner's
stdout and stderr are other pipes, so printing something that looks like a frame (or like a
passing result) changes nothing. Frames are never pickled: the parent only ever decodes JSON
from the child, so a hostile child cannot run code in the parent.
"""

from __future__ import annotations

import base64
import json
import os
import select
import struct
import time
from collections.abc import Callable
from typing import Any, Protocol

_HEADER = struct.Struct(">I")
# How often a parent waiting for a frame checks that the worker is still alive: a worker that
# died while a forked grandchild keeps the pipe open never produces an end-of-file.
_ALIVE_CHECK_S = 0.05


class ProtocolError(Exception):
    """The other side sent something that is not a well-formed frame."""


class PeerGone(ProtocolError):
    """The other side closed the pipe (or died) before a whole frame arrived."""


def write_frame(fd: int, message: dict[str, Any]) -> None:
    """Write one frame, blocking until all of it is written."""
    body = json.dumps(message, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    data = memoryview(_HEADER.pack(len(body)) + body)
    while data:
        written = os.write(fd, data)
        data = data[written:]


class SideChannel(Protocol):
    """Another pipe to empty while waiting for a frame (the worker's stdout), so a child that
    prints more than a pipe holds never blocks before it answers."""

    fd: int

    def drain(self) -> bool:
        """Read what is there now; False once the pipe is closed (stop watching it)."""


def read_frame(
    fd: int,
    *,
    max_bytes: int,
    deadline: float | None = None,
    alive: Callable[[], bool] | None = None,
    side: SideChannel | None = None,
) -> dict[str, Any] | None:
    """Read one frame; `None` if `deadline` (a `time.monotonic()` value) passes first.

    Raises `PeerGone` at end of file or when `alive()` turns false with nothing to read, and
    `ProtocolError` for a frame longer than `max_bytes` or not a JSON object. `side` is
    drained whenever it has something to read meanwhile.
    """
    watch = [side] if side is not None else []
    header = _read_exact(fd, _HEADER.size, deadline, alive, watch)
    if header is None:
        return None
    (length,) = _HEADER.unpack(header)
    if length > max_bytes:
        raise ProtocolError(f"frame of {length} bytes is over the limit of {max_bytes}")
    # Once a header arrived, the body follows at once: give it a little beyond the deadline.
    body_deadline = None if deadline is None else max(deadline, time.monotonic() + 1.0)
    body = _read_exact(fd, length, body_deadline, alive, watch)
    if body is None:
        raise ProtocolError("frame cut short")
    try:
        message = json.loads(body)
    except ValueError as exc:
        raise ProtocolError(f"frame is not JSON: {exc}") from None
    if not isinstance(message, dict):
        raise ProtocolError("frame is not a JSON object")
    return message


def _read_exact(
    fd: int,
    size: int,
    deadline: float | None,
    alive: Callable[[], bool] | None,
    watch: list[SideChannel],
) -> bytes | None:
    chunks: list[bytes] = []
    missing = size
    while missing:
        wait = _ALIVE_CHECK_S if alive is not None else None
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            wait = left if wait is None else min(wait, left)
        ready, _, _ = select.select([fd, *(side.fd for side in watch)], [], [], wait)
        for side in list(watch):
            if side.fd in ready and not side.drain():
                watch.remove(side)
        if fd not in ready:
            if not ready and alive is not None and not alive():
                raise PeerGone("the other side exited")
            continue
        chunk = os.read(fd, min(missing, 1 << 20))
        if not chunk:
            raise PeerGone("the other side closed the pipe")
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def encode_value(value: Any) -> Any:
    """`value` as JSON-able data, bytes tagged as `{"__bytes__": base64}`; TypeError otherwise."""

    def tag(item: Any) -> Any:
        if isinstance(item, bytes | bytearray):
            return {"__bytes__": base64.b64encode(bytes(item)).decode("ascii")}
        raise TypeError(f"{type(item).__name__} is not JSON")

    return json.loads(json.dumps(value, default=tag))


def decode_value(value: Any) -> Any:
    """The inverse of `encode_value`."""
    if isinstance(value, dict):
        if set(value) == {"__bytes__"} and isinstance(value["__bytes__"], str):
            return base64.b64decode(value["__bytes__"])
        return {key: decode_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decode_value(item) for item in value]
    return value
