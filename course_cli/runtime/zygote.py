"""A warm template for isolated workers: fork one instead of starting a fresh interpreter.

Starting a worker costs an interpreter, our worker module and - for nearly every Lambda
handler - `import boto3`: about 0.2 s of CPU before the learner's first line runs. `course
grade` starts one worker per submission, hundreds in a row, so it asks for a *zygote*: a
process started once (`python -I -B -u -m course_cli.runtime.zygote SOCKET_FD MODULE...`)
that imports the worker and the given modules, then forks a worker on demand. The fork then
becomes exactly what `worker_process.WorkerProcess` would have started: its own session, its
own user id when there is one, the submission's folder as working folder, the scrubbed
environment, the pipes it is handed - and runs the same `course_cli.runtime.worker.main`,
which lowers the limits and installs the audit hook before any learner code runs.

What a forked worker shares with its zygote is only what the zygote imported; the zygote
never runs learner code, and starts with an empty environment, so nothing of the parent's
(credentials, paths) is in the modules a worker inherits.

Protocol, on a SOCK_SEQPACKET socket pair (one message per datagram, JSON):
- parent → zygote: `{"cwd", "env", "uid"}` with five descriptors attached (stdin, stdout,
  stderr, the request pipe's read end, the reply pipe's write end);
- zygote → parent: `{"ready": true}` once, then `{"spawned": PID}` (or `{"failed": WHY}`)
  for each request, and `{"exited": PID, "status": CODE}` when a worker ends (CODE as
  `subprocess` gives it: -N for signal N). The zygote reaps its children itself.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any

_MAX_MESSAGE = 1 << 20
_DESCRIPTORS = 5
_REAP_EVERY_S = 0.02
# How long the parent waits for the zygote to start (it imports boto3), and for a fork.
_START_TIMEOUT_S = 30.0
_SPAWN_TIMEOUT_S = 10.0


# --- the parent's side ---------------------------------------------------------------------


class ZygoteGone(OSError):
    """The zygote is not running (any more): start workers the ordinary way."""


class Zygote:
    """A running zygote process, shared by the threads of this process."""

    def __init__(self, preload: tuple[str, ...] = ()) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-I",
                    "-B",
                    "-u",
                    "-m",
                    "course_cli.runtime.zygote",
                    str(theirs.fileno()),
                    *preload,
                ],
                pass_fds=(theirs.fileno(),),
                env={"PATH": os.defpath, "LANG": "C.UTF-8"},  # nothing of ours to inherit
                cwd="/",
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C is for the parent, which stops it
            )
        except OSError as exc:
            ours.close()
            raise ZygoteGone(f"cannot start the zygote: {exc}") from None
        finally:
            theirs.close()
        self._socket = ours
        self._lock = threading.Lock()
        self._exits: dict[int, int] = {}
        ready = self._receive(time.monotonic() + _START_TIMEOUT_S)
        if not ready.get("ready"):
            self.close()
            raise ZygoteGone("the zygote did not start")

    def spawn(
        self, *, cwd: str, env: dict[str, str], uid: int | None, fds: list[int]
    ) -> ForkedWorker:
        """Fork a worker with these settings and descriptors (see the module docstring)."""
        message = json.dumps({"cwd": cwd, "env": env, "uid": uid}).encode()
        with self._lock:
            try:
                socket.send_fds(self._socket, [message], fds)
            except OSError as exc:
                raise ZygoteGone(f"the zygote is gone: {exc}") from None
            deadline = time.monotonic() + _SPAWN_TIMEOUT_S
            while True:
                reply = self._receive(deadline)
                if "spawned" in reply:
                    return ForkedWorker(self, int(reply["spawned"]))
                if "failed" in reply:
                    raise OSError(str(reply["failed"]))

    def exit_status(self, pid: int, timeout_s: float | None) -> int | None:
        """The worker's exit status once it has ended (waiting up to `timeout_s`), or None."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        with self._lock:
            while pid not in self._exits:
                if not self.running():
                    return -signal.SIGKILL  # its parent-death signal took it with the zygote
                wait = _REAP_EVERY_S * 5
                if deadline is not None:
                    wait = min(wait, deadline - time.monotonic())
                    if wait <= 0:
                        return None
                try:
                    self._receive(time.monotonic() + wait, quiet=True)
                except ZygoteGone:
                    continue
            return self._exits[pid]

    def running(self) -> bool:
        """Whether the zygote process is alive."""
        return self.process.poll() is None

    def _receive(self, deadline: float, *, quiet: bool = False) -> dict[str, Any]:
        """The next message that is not an exit note (exit notes are filed as they come);
        `{}` at the deadline when `quiet`, else `ZygoteGone`."""
        while True:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._socket], [], [], max(0.0, left))
            if not ready:
                if quiet:
                    return {}
                raise ZygoteGone("the zygote did not answer")
            data = self._socket.recv(_MAX_MESSAGE)
            if not data:
                raise ZygoteGone("the zygote closed its socket")
            message = json.loads(data)
            if "exited" in message:
                self._exits[int(message["exited"])] = int(message["status"])
                if quiet:
                    return {}
                continue
            return dict(message)

    def close(self) -> None:
        """Stop the zygote; its workers die with it (their parent-death signal)."""
        with contextlib.suppress(OSError):
            self._socket.close()
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            self.process.wait()


class ForkedWorker:
    """The part of `subprocess.Popen` a `WorkerProcess` uses, for a worker the zygote forked."""

    def __init__(self, zygote: Zygote, pid: int) -> None:
        self.zygote = zygote
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        """The exit status, or None while it runs."""
        if self.returncode is None:
            self.returncode = self.zygote.exit_status(self.pid, 0.0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Wait for it to end; `subprocess.TimeoutExpired` past `timeout`."""
        if self.returncode is None:
            self.returncode = self.zygote.exit_status(self.pid, timeout)
        if self.returncode is None:
            raise subprocess.TimeoutExpired(f"worker {self.pid}", timeout or 0.0)
        return self.returncode


# --- the zygote's side ---------------------------------------------------------------------


def main(argv: list[str]) -> None:
    """`zygote SOCKET_FD MODULE...`: import, say ready, fork workers until the socket closes."""
    from course_cli.runtime import guard, worker  # noqa: F401  (imported to be inherited)

    guard.set_parent_death_signal()  # never outlive the process that uses it
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    control = socket.socket(fileno=int(argv[1]))
    for module in argv[2:]:
        with contextlib.suppress(Exception):  # a module that fails here fails in the worker
            importlib.import_module(module)
    control.send(json.dumps({"ready": True}).encode())
    children: set[int] = set()
    while True:
        ready, _, _ = select.select([control], [], [], _REAP_EVERY_S)
        _reap(control, children)
        if not ready:
            continue
        try:
            data, fds, _, _ = socket.recv_fds(control, _MAX_MESSAGE, _DESCRIPTORS)
        except OSError:
            break
        if not data:
            break
        try:
            request = json.loads(data)
            if len(fds) != _DESCRIPTORS:
                raise ValueError(f"{len(fds)} descriptors instead of {_DESCRIPTORS}")
            pid = _fork_worker(control, request, fds)
        except (ValueError, OSError) as exc:
            for fd in fds:
                with contextlib.suppress(OSError):
                    os.close(fd)
            control.send(json.dumps({"failed": str(exc)}).encode())
            continue
        children.add(pid)
        control.send(json.dumps({"spawned": pid}).encode())
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)


def _reap(control: socket.socket, children: set[int]) -> None:
    for pid in list(children):
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done, status = pid, 0
        if done:
            children.discard(pid)
            code = os.waitstatus_to_exitcode(status)
            with contextlib.suppress(OSError):
                control.send(json.dumps({"exited": pid, "status": code}).encode())


def _fork_worker(control: socket.socket, request: dict[str, Any], fds: list[int]) -> int:
    pid = os.fork()
    if pid:
        for fd in fds:
            os.close(fd)
        return pid
    code = 70
    try:
        control.close()
        stdin, stdout, stderr, request_fd, reply_fd = fds
        os.setsid()
        for fd, target in ((stdin, 0), (stdout, 1), (stderr, 2)):
            os.dup2(fd, target)
            os.close(fd)
        uid = request.get("uid")
        if uid is not None:  # as Popen(user=, group=, extra_groups=[]) does
            os.setgroups([])
            os.setgid(int(uid))
            os.setuid(int(uid))
        os.chdir(str(request["cwd"]))
        os.environ.clear()
        os.environ.update({str(k): str(v) for k, v in dict(request["env"]).items()})
        code = _run_worker(request_fd, reply_fd)
    finally:
        os._exit(code)


def _run_worker(request_fd: int, reply_fd: int) -> int:
    """`worker.main`, then the interpreter's own way out (threads, atexit, flush)."""
    import atexit
    import traceback

    from course_cli.runtime import worker

    sys.argv = [str(worker.__file__), str(request_fd), str(reply_fd)]
    try:
        code = worker.main([str(request_fd), str(reply_fd)])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
    except BaseException:
        traceback.print_exc()
        code = 1
    with contextlib.suppress(BaseException):
        threading._shutdown()  # type: ignore[attr-defined]  # wait for its threads, as exit does
    with contextlib.suppress(BaseException):
        atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BaseException):
            stream.flush()
    return code


if __name__ == "__main__":
    main(sys.argv)
