"""One long-lived `node` process running one Lambda function, spoken to over pipes.

Requests go down one pipe and replies come up another, a JSON document per line, on file
descriptors of their own (`bootstrap.mjs` says which); the handler's stdout and stderr share a
third pipe, which is the function's log. What the handler prints therefore never reaches the
protocol, however much it looks like a reply.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import subprocess
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Replies are at most Lambda's 6 MB response plus its framing; more is a broken runtime.
_MAX_REPLY_BYTES = 16 * 1024 * 1024
# What a function may print per invocation before the rest is dropped from its log.
_MAX_OUTPUT_BYTES = 1024 * 1024
_READ_CHUNK = 65536
# The JavaScript half of the runtime, shipped inside this package.
BOOTSTRAP = Path(__file__).with_name("bootstrap.mjs")


class NodeGone(Exception):
    """The node process ended (or broke the protocol) before it replied."""

    def __init__(self, status: int | None, output: str) -> None:
        super().__init__(f"node ended with status {status}")
        self.status = status
        self.output = output  # what it printed before it went


@dataclass
class Exchange:
    """One reply and what the function printed while it was awaited."""

    reply: dict[str, Any] | None  # None: no reply before the deadline
    output: str
    elapsed_ms: float = 0.0


class NodeProcess:
    """A `node bootstrap.mjs` child; `ask` sends a request and waits for its reply."""

    def __init__(
        self,
        node: str,
        environment: Mapping[str, str],
        *,
        own_session: bool = True,
        inspect: str | None = None,
    ) -> None:
        """Start `node bootstrap.mjs`; with `own_session`, in a session of its own (a
        terminal's Ctrl-C reaches course, which ends it), else in the caller's process group
        (an isolated worker's, so that ending the worker's group ends node too). `inspect`
        (`HOST:PORT`): node waits there for a debugger before it runs anything (`--debug`)."""
        request_read, self._request_write = os.pipe()
        self._reply_read, reply_write = os.pipe()
        debugging = [f"--inspect-brk={inspect}"] if inspect is not None else []
        self._process = subprocess.Popen(
            [node, *debugging, str(BOOTSTRAP), str(request_read), str(reply_write)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=(request_read, reply_write),
            env=dict(environment),
            start_new_session=own_session,
        )
        os.close(request_read)
        os.close(reply_write)
        assert self._process.stdout is not None
        self._output = self._process.stdout.fileno()
        os.set_blocking(self._output, False)
        os.set_blocking(self._reply_read, False)
        self._replies = b""
        self._cut = False  # output past _MAX_OUTPUT_BYTES was dropped since the last exchange
        self._reply_open = True
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._reply_read, selectors.EVENT_READ, "reply")
        self._selector.register(self._output, selectors.EVENT_READ, "output")
        self._finalizer = weakref.finalize(
            self, _end, self._process, self._selector, (self._request_write, self._reply_read)
        )

    @property
    def alive(self) -> bool:
        """Whether the process still runs and its reply pipe is open."""
        return self._reply_open and self._process.poll() is None

    @property
    def pid(self) -> int:
        """The node process's id."""
        return self._process.pid

    def ask(self, request: dict[str, Any], wait_s: float | None) -> Exchange:
        """Send `request`, then wait up to `wait_s` (None: for ever) for the reply.

        `NodeGone` when the process ends first; what it printed is on the exception's
        `output` attribute.
        """
        started = time.monotonic()
        line = json.dumps(request, separators=(",", ":"), ensure_ascii=False) + "\n"
        output = bytearray()
        try:
            _write_all(self._request_write, line.encode())
        except OSError:  # BrokenPipeError: it is gone already
            return self._gone(output)
        deadline = None if wait_s is None else started + wait_s
        while True:
            reply = self._next_reply()
            if reply is not None:
                self._drain(output)
                elapsed = (time.monotonic() - started) * 1000
                return Exchange(reply, self._text(output), elapsed)
            if not self._reply_open:
                return self._gone(output)
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                self._drain(output)
                return Exchange(None, self._text(output), (time.monotonic() - started) * 1000)
            for key, _ in self._selector.select(left):
                if key.data == "reply":
                    self._read_replies()
                else:
                    self._read_output(output)

    def take_output(self) -> str:
        """What the process printed since it was last asked (after it ended, for one)."""
        output = bytearray()
        self._drain(output)
        return self._text(output)

    def end(self) -> int | None:
        """Kill the process if it still runs; its exit status (-N: signal N)."""
        self._finalizer()
        return self._process.returncode

    def status(self, wait_s: float = 1.0) -> int | None:
        """The exit status of a process that is ending, waiting up to `wait_s`; None if it
        still runs."""
        try:
            return self._process.wait(wait_s)
        except subprocess.TimeoutExpired:
            return None

    def _gone(self, output: bytearray) -> Exchange:
        self._drain(output)
        raise NodeGone(self.status(), self._text(output))

    def _next_reply(self) -> dict[str, Any] | None:
        newline = self._replies.find(b"\n")
        if newline < 0:
            if len(self._replies) > _MAX_REPLY_BYTES:
                self._reply_open = False
            return None
        line, self._replies = self._replies[:newline], self._replies[newline + 1 :]
        try:
            reply = json.loads(line)
        except ValueError:
            self._reply_open = False
            return None
        return reply if isinstance(reply, dict) else None

    def _read_replies(self) -> None:
        try:
            chunk = os.read(self._reply_read, _READ_CHUNK)
        except BlockingIOError:
            return
        if chunk:
            self._replies += chunk
        else:
            self._reply_open = False

    def _read_output(self, output: bytearray) -> bool:
        """Read what is there now; False at the end of the stream or when nothing is there."""
        try:
            chunk = os.read(self._output, _READ_CHUNK)
        except OSError:  # nothing there now (EAGAIN), or the pipe is closed already
            return False
        room = _MAX_OUTPUT_BYTES - len(output)
        output += chunk[: max(room, 0)]
        self._cut = self._cut or len(chunk) > room
        return bool(chunk)

    def _text(self, output: bytearray) -> str:
        text = output.decode("utf-8", errors="replace")
        if self._cut:  # the words the Python runtime uses for its own cap
            self._cut = False
            text += "\n[output truncated: the rest was discarded]\n"
        return text

    def _drain(self, output: bytearray) -> None:
        # node writes to a pipe synchronously, so what it printed before replying is there now.
        while self._read_output(output):
            pass


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _end(
    process: subprocess.Popen[bytes], selector: selectors.BaseSelector, fds: tuple[int, ...]
) -> None:
    """Kill the process and close our ends of its pipes (also when garbage collected)."""
    selector.close()
    if process.poll() is None:
        process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(5)
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)
    if process.stdout is not None:
        process.stdout.close()
