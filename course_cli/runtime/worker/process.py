"""The parent's side of one worker process: start it, talk to it, end it and all it started.

A fresh interpreter through `subprocess`, never `multiprocessing` (which re-imports or forks
the grader, and unpickles what the child sends): the parent only ever decodes JSON frames.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from course_cli.errors import CourseError
from course_cli.runtime.worker.folder import (
    make_sandbox_folder,
    real_aws_files,
    scrubbed_environment,
)
from course_cli.runtime.worker.framing import PeerGone, ProtocolError, read_frame, write_frame
from course_cli.runtime.worker.isolation import (
    SOURCE_MOUNT,
    Isolation,
    IsolationUnavailable,
    start_namespaced,
    unused_id,
)
from course_cli.runtime.worker.output import CappedOutput
from course_cli.runtime.worker.relay import ParentEnd

_MB = 1024 * 1024
_WORKER_COMMAND = (sys.executable, "-I", "-B", "-u", "-m", "course_cli.runtime.worker.child")
# The worker's arguments after its pipes, in its namespaces: `--enter-sandbox FOLDER TASK`.
_ENTER_FLAG = "--enter-sandbox"
# Replies bigger than this are a protocol violation (Lambda's own response limit is 6 MB).
MAX_REPLY_BYTES = 16 * _MB


class WorkerStartError(CourseError):
    """The isolated worker could not be started (our environment, not the learner's code)."""


@dataclass(frozen=True)
class Limits:
    """What one isolated worker may use. The defaults suit one learner's exercise."""

    memory_mb: int = 1024  # RLIMIT_AS; going over is a MemoryError, reported as a crash
    cpu_s: int = 60  # RLIMIT_CPU for the worker's life; a restarted worker gets a fresh budget
    processes: int = 64  # RLIMIT_NPROC (with a user id of its own) and the audit hook's count
    output_bytes: int = 256 * 1024  # kept per invocation log, and per stream of a script
    file_size_mb: int = 64  # RLIMIT_FSIZE
    open_files: int = 256  # RLIMIT_NOFILE
    grace_s: float = 1.0  # how much longer than a function's timeout the parent waits
    start_timeout_s: float = 15.0  # wall clock for a worker to start
    script_timeout_s: float = 60.0  # wall clock for a whole script (`run_script`)
    copy_mb: int = 20  # largest submission folder copied into the worker's folder
    # The walls (`isolation.Isolation`): `none` for the learner's own code, `namespaces` or
    # `uid` for untrusted submissions (`course grade`).
    isolation: str = Isolation.NONE


def _worker_user(limits: Limits) -> int | None:
    """The worker's user id outside any namespace, when it gets one of its own. As root, an
    unused one, so RLIMIT_NPROC applies and the worker can neither write other users' files
    nor signal the parent or other workers."""
    if limits.isolation == Isolation.NAMESPACES:
        return unused_id() if os.geteuid() == 0 else None
    problem = uid_problem()
    if limits.isolation == Isolation.UID and problem is not None:
        raise WorkerStartError(f"cannot run the worker under a user id of its own: {problem}")
    return None if problem is not None else unused_id()


@functools.cache
def uid_problem() -> str | None:
    """None when workers can run under a user id of their own here, else why not (checked
    once, by trying: an interpreter under `/root` cannot be run by another user)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "only root can start a worker under another user id"
    uid = unused_id()
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        probe = subprocess.run(
            [sys.executable, "-I", "-c", "import course_cli.runtime.worker.child"],
            user=uid,
            group=uid,
            extra_groups=[],
            cwd="/",
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=30,
            check=False,
        )
        if probe.returncode == 0:
            return None
    return (
        f"an unprivileged user cannot run {sys.executable} "
        "(is it installed in a folder only its owner can enter, such as /root?)"
    )


class WorkerProcess:
    """One running worker: its process, pipes, captured console output and folder."""

    def __init__(
        self,
        *,
        mode: str,
        source: Path,
        limits: Limits,
        env: Mapping[str, str],
        config: dict[str, Any],
        separate_stderr: bool = False,
    ) -> None:
        self.limits = limits
        self.uid = _worker_user(limits)
        self.folder = make_sandbox_folder(source, limits.copy_mb, self.uid)
        request_read, self._request_fd = os.pipe()
        self._reply_fd, reply_write = os.pipe()
        environment = scrubbed_environment(self.folder, env)
        self.isolation = limits.isolation
        self.relay: ParentEnd | None = None
        relay_config = None
        try:
            if self.isolation == Isolation.NAMESPACES:
                relay_config = self._open_relay(environment)
            self.process = self._start(environment, request_read, reply_write, separate_stderr)
        except (OSError, WorkerStartError) as exc:
            for fd in (self._request_fd, self._reply_fd):
                os.close(fd)
            if self.relay is not None:
                self.relay.close()
            shutil.rmtree(self.folder.root, ignore_errors=True)
            if isinstance(exc, WorkerStartError):
                raise
            raise WorkerStartError(f"cannot start the grading worker: {exc}") from None
        finally:
            os.close(request_read)
            os.close(reply_write)
        assert self.process.stdout is not None
        stderr = self.process.stderr
        # Functions mode: the parent drains stdout while it waits for replies (no thread).
        self.stdout = CappedOutput(
            self.process.stdout, limits.output_bytes, threaded=separate_stderr
        )
        self.stderr = (
            CappedOutput(stderr, limits.output_bytes, threaded=True) if stderr is not None else None
        )
        full_config = {
            "mode": mode,
            "limits": {
                **asdict(limits),
                # Namespaced, the worker is alone with its user id even when it is ours.
                "own_user": self.uid is not None or self.isolation == Isolation.NAMESPACES,
            },
            "writable_root": str(self.folder.root),
            "relay": relay_config,
            "denied_reads": real_aws_files(),
            "max_log_chars": limits.output_bytes,
            **config,
        }
        # If the worker died at once, the caller finds out when it reads.
        with contextlib.suppress(OSError):
            write_frame(self._request_fd, full_config)
        self.closed = False

    def _start(
        self, env: dict[str, str], request_read: int, reply_write: int, separate_stderr: bool
    ) -> subprocess.Popen[bytes]:
        """Start the worker process, in its namespaces for `Isolation.NAMESPACES`; its stderr
        is None when merged into stdout."""
        command = [*_WORKER_COMMAND, str(request_read), str(reply_write)]
        stderr = subprocess.PIPE if separate_stderr else subprocess.STDOUT
        if self.isolation == Isolation.NAMESPACES:
            command += [_ENTER_FLAG, str(self.folder.root), str(self.folder.task)]
            try:
                return start_namespaced(
                    command,
                    folder=self.folder.root,
                    env=env,
                    outside_id=self.uid,
                    pass_fds=(request_read, reply_write),
                    stdout=subprocess.PIPE,
                    stderr=stderr,
                )
            except IsolationUnavailable as error:
                raise WorkerStartError(f"cannot start the grading worker: {error}") from None
        # -I: a learner's `json.py` shadows nothing of ours; -B: no .pyc written; -u: what
        # a script prints reaches the parent even if it ends with os._exit.
        return subprocess.Popen(
            command,
            cwd=self.folder.task,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            pass_fds=(request_read, reply_write),
            start_new_session=True,
            user=self.uid,
            group=self.uid,
            extra_groups=[] if self.uid is not None else None,
        )

    def _open_relay(self, environment: dict[str, str]) -> dict[str, Any] | None:
        """The one way out of a namespaced worker: its `AWS_ENDPOINT_URL`'s loopback port."""
        from urllib.parse import urlsplit

        endpoint = environment.get("AWS_ENDPOINT_URL")
        if not endpoint:
            return None
        parts = urlsplit(endpoint)
        if parts.hostname not in {"127.0.0.1", "localhost"} or parts.port is None:
            return None
        environment["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{parts.port}"
        folder = self.folder.root / "relay"
        folder.mkdir(mode=0o755)
        self.relay = ParentEnd(folder / "aws.sock", parts.port)
        return {"port": parts.port, "path": str(SOURCE_MOUNT / "relay" / "aws.sock")}

    def alive(self) -> bool:
        """True while the worker process has not exited."""
        return self.process.poll() is None

    def send(self, message: dict[str, Any]) -> None:
        """Send one request; raises `PeerGone` if the worker is gone."""
        try:
            write_frame(self._request_fd, message)
        except (BrokenPipeError, OSError):
            raise PeerGone("the worker is gone") from None

    def receive(self, deadline: float) -> dict[str, Any] | None:
        """The next reply, or `None` at the deadline; `ProtocolError`/`PeerGone` otherwise."""
        return read_frame(
            self._reply_fd,
            max_bytes=MAX_REPLY_BYTES,
            deadline=deadline,
            alive=self.alive,
            side=self.stdout,
        )

    def wait_ready(self) -> None:
        """Wait for the worker's first frame; `WorkerStartError` if it does not come."""
        deadline = time.monotonic() + self.limits.start_timeout_s
        try:
            ready = self.receive(deadline)
        except ProtocolError:
            ready = None
        if ready is None or not ready.get("ready"):
            self.close()
            output, _ = self.stdout.text()
            raise WorkerStartError(
                "the grading worker did not start" + (f":\n{output.strip()}" if output else ""),
                "check that course is installed where an unprivileged user can read it",
            )

    def kill(self) -> int | None:
        """Kill the worker and everything it started; returns its exit status (-N: signal N)."""
        # Even when the worker itself has exited, processes it forked may live on in its group.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self._kill_user_processes()
        try:
            return self._status(self.process.wait(timeout=5))
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL cannot be ignored
            return None

    def ended(self, wait_s: float = 0.5) -> int | None:
        """The worker's exit status (-N: signal N) if it ends by itself within `wait_s`, else
        None (bubblewrap reports a moment after the pipes close)."""
        try:
            return self._status(self.process.wait(timeout=wait_s))
        except subprocess.TimeoutExpired:
            return None

    def _status(self, status: int) -> int:
        # bubblewrap exits with 128 + N when the worker died of signal N, as a shell does.
        if self.isolation == Isolation.NAMESPACES and 128 < status <= 128 + 64:
            return -(status - 128)
        return status

    def _kill_user_processes(self) -> None:
        """Kill what left the worker's group (`setsid`) by its user id: `kill(-1)` as that
        user. A namespaced worker's pid namespace ends with it."""
        if self.uid is None or self.isolation == Isolation.NAMESPACES:
            return
        subprocess.run(
            [sys.executable, "-S", "-I", "-c", "import os; os.kill(-1, 9)"],
            user=self.uid,
            group=self.uid,
            extra_groups=[],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
            timeout=10,
        )

    def close(self) -> int | None:
        """Kill the worker (if running), close the pipes and remove its folder; idempotent."""
        if self.closed:
            code = self.process.returncode
            return None if code is None else self._status(code)
        self.closed = True
        status = self.kill()
        for fd in (self._request_fd, self._reply_fd):
            with contextlib.suppress(OSError):
                os.close(fd)
        if self.relay is not None:
            self.relay.close()
        self.stdout.text(wait_s=1.0)  # what is left, before our end closes
        self.stdout.close()
        if self.stderr is not None:
            self.stderr.text(wait_s=1.0)
            self.stderr.close()
        shutil.rmtree(self.folder.root, ignore_errors=True)
        return status
