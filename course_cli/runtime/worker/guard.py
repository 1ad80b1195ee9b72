"""What the isolated worker does to itself before any learner code runs (child side only).

Resource limits, soft and hard (`apply_limits`); death with its parent; captured output with a
ceiling; and an audit hook (`Guard`, PEP 578) that is a teacher, not a wall (an audit hook
cannot sandbox code; `isolation` is the wall): it refuses, and says why, network use beyond
loopback (recorded, so a check can say the handler tried), writes outside the worker's folder,
reading the real AWS files, signals outside its process group, `ctypes`, too many processes,
and other programs unless the worker has a user id of its own (the runtime's own `node`
excepted: `Guard.allow_command`). It sees only what Python does: a `node` it lets start is
beyond it.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import os
import resource
import sys
from typing import Any

from course_cli.runtime import logs

_MB = 1024 * 1024
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
# Events naming a path that is changed: (event, index of each path argument).
_PATH_CHANGES = {
    "os.remove": (0,),
    "os.rmdir": (0,),
    "os.mkdir": (0,),
    "os.rename": (0, 1),
    "os.link": (0, 1),
    "os.symlink": (1,),
    "os.chmod": (0,),
    "os.chown": (0,),
    "os.truncate": (0,),
    "os.utime": (0,),
    "shutil.rmtree": (0,),
    "os.chflags": (0,),
    "os.setxattr": (0,),
    "os.removexattr": (0,),
}
_PROCESS_EVENTS = frozenset(
    {"os.fork", "os.forkpty", "os.posix_spawn", "os.spawn", "os.system", "subprocess.Popen"}
)
# Events that run another program, which the hook cannot follow.
_PROGRAM_EVENTS = frozenset(
    {"os.posix_spawn", "os.spawn", "os.system", "subprocess.Popen", "os.exec", "pty.spawn"}
)
_NETWORK_ADDRESS_EVENTS = frozenset({"socket.connect", "socket.sendto", "socket.sendmsg"})
_NAME_LOOKUPS = frozenset(
    {"socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr", "socket.getnameinfo"}
)
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def apply_limits(limits: dict[str, Any]) -> None:
    """Lower this process's resource limits (soft and hard) to what the parent asked."""

    def lower(which: int, value: int) -> None:
        _soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, value))

    lower(resource.RLIMIT_AS, int(limits["memory_mb"]) * _MB)
    # SIGXCPU at the soft limit (Python dies of it), SIGKILL one second later.
    cpu = int(limits["cpu_s"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    lower(resource.RLIMIT_FSIZE, int(limits["file_size_mb"]) * _MB)
    lower(resource.RLIMIT_NOFILE, int(limits["open_files"]))
    lower(resource.RLIMIT_CORE, 0)
    # Counts every thread of the user id system-wide: only with a user id of its own.
    if limits.get("own_user"):
        lower(resource.RLIMIT_NPROC, int(limits["processes"]))


def set_parent_death_signal() -> None:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux only; best effort)."""
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    with contextlib.suppress(OSError, AttributeError):  # no `prctl` outside Linux
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)


class Guard:
    """The audit hook's state: what is allowed, and every network use it refused."""

    def __init__(
        self,
        *,
        writable_root: str,
        denied_reads: list[str],
        max_processes: int,
        allow_programs: bool,
        allowed_sockets: list[str],
        writable_also: list[str],
    ) -> None:
        self.writable_roots = [os.path.realpath(writable_root), *writable_also]
        self.allowed_sockets = frozenset(allowed_sockets)
        self.denied_reads = [os.path.realpath(path) for path in denied_reads]
        self.processes_left = max_processes
        self.allow_programs = allow_programs
        self.pgid = os.getpgid(0)
        self.pid = os.getpid()
        self.refused_connections: list[str] = []
        self.allowed_commands: list[list[str]] = []

    def allow_command(self, prefix: list[str]) -> None:
        """Let the worker's own runtime start programs whose command line begins with
        `prefix` (`node bootstrap.mjs`) even where other programs are refused; they still
        count towards the process limit."""
        self.allowed_commands.append(list(prefix))

    def install(self) -> None:
        """Add the audit hook (for the rest of this process's life)."""
        sys.addaudithook(self.hook)

    def take_refused(self) -> list[str]:
        """The network uses refused since the last call."""
        refused, self.refused_connections = self.refused_connections, []
        return refused

    # --- called for every audit event: the common case is one lookup ---

    def hook(self, event: str, args: tuple[Any, ...]) -> None:
        if event == "open":
            self._check_open(args)
        elif event in _PATH_CHANGES:
            for index in _PATH_CHANGES[event]:
                if index < len(args):
                    self._check_write(args[index], event)
        elif event in _NETWORK_ADDRESS_EVENTS or event == "socket.bind":
            self._check_address(event, args[1] if len(args) > 1 else None)
        elif event in _NAME_LOOKUPS:
            self._check_lookup(event, args)
        elif event in _PROCESS_EVENTS or event in _PROGRAM_EVENTS:
            if event in _PROGRAM_EVENTS and not self.allow_programs and not self._allowed(args):
                raise PermissionError(
                    errno.EPERM, "starting other programs is switched off while grading"
                )
            self.processes_left -= 1
            if self.processes_left < 0:
                raise BlockingIOError(
                    errno.EAGAIN, "too many processes started while grading (limit reached)"
                )
        elif event in {"os.kill", "os.killpg"}:
            self._check_signal(event, args)
        elif event == "ctypes.dlsym" or (event == "ctypes.dlopen" and args and args[0]):
            raise PermissionError(errno.EPERM, "ctypes is not available while grading")

    def _allowed(self, args: tuple[Any, ...]) -> bool:
        """Whether `subprocess.Popen`'s (executable, args, cwd, env) is an allowed command."""
        argv = args[1] if len(args) > 1 else None
        if not self.allowed_commands or not isinstance(argv, (list, tuple)) or not argv:
            return False
        try:
            words = [os.fsdecode(word) for word in argv]
            # The program run is `executable` when given: it must be the command's own.
            program = words[0] if args[0] is None else os.fsdecode(args[0])
        except TypeError:
            return False
        return program == words[0] and any(
            words[: len(prefix)] == prefix for prefix in self.allowed_commands
        )

    def _check_open(self, args: tuple[Any, ...]) -> None:
        path, mode, flags = (*args, None, None, None)[:3]
        if path is None or isinstance(path, int):
            return  # an already-open file descriptor
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & _WRITE_FLAGS
        )
        if writing:
            self._check_write(path, "open")
            return
        if self.denied_reads:
            real = _real(path)
            if real is not None and any(_inside(real, denied) for denied in self.denied_reads):
                raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))

    def _check_write(self, path: Any, event: str) -> None:
        if path is None or isinstance(path, int):
            return
        real = _real(path)
        if real is None or real == os.devnull:
            return
        if any(_inside(real, root) for root in self.writable_roots):
            return
        raise OSError(errno.EROFS, "Read-only file system", os.fsdecode(os.fspath(path)))

    def _check_address(self, event: str, address: Any) -> None:
        if not isinstance(address, tuple) or not address:
            if event == "socket.connect" and isinstance(address, (str, bytes)):
                if os.fsdecode(address) in self.allowed_sockets:
                    return  # the relay to the grader's moto
                self._refuse(event, f"unix:{os.fsdecode(address)}")
            return  # sendto/sendmsg on a connected socket (no address): connect was checked
        host = address[0]
        if isinstance(host, str) and _is_loopback(host):
            return
        self._refuse(event, f"{host}:{address[1] if len(address) > 1 else ''}")

    def _check_lookup(self, event: str, args: tuple[Any, ...]) -> None:
        host = args[0] if args else None
        if event == "socket.getnameinfo" and isinstance(host, tuple):
            host = host[0] if host else None
        if host is None:
            return
        if isinstance(host, bytes):
            host = host.decode("ascii", "replace")
        if isinstance(host, str) and (_is_loopback(host) or _address(host) is not None):
            return  # a numeric address needs no lookup: `connect` decides about it
        self._refuse(event, str(host))

    def _refuse(self, event: str, target: str) -> None:
        self.refused_connections.append(f"{event.removeprefix('socket.')} {target}")
        raise PermissionError(
            errno.EACCES, f"network access beyond 127.0.0.1 is switched off while grading: {target}"
        )

    def _check_signal(self, event: str, args: tuple[Any, ...]) -> None:
        target = int(args[0]) if args else 0
        if event == "os.killpg" or target < 0:
            group = abs(target)
            if group in {0, self.pgid}:
                return
        elif target in {0, self.pid}:
            return
        else:
            with contextlib.suppress(OSError):
                if os.getpgid(target) == self.pgid:
                    return
        raise PermissionError(errno.EPERM, "Operation not permitted")


def _real(path: Any) -> str | None:
    try:
        return os.path.realpath(os.fsdecode(os.fspath(path)))
    except (TypeError, ValueError):
        return None


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None


def _is_loopback(host: str) -> bool:
    address = _address(host)
    return host.lower() in _LOOPBACK_NAMES or (address is not None and address.is_loopback)


def cap_captured_output(max_chars: int) -> None:
    """Make every capture made from now on keep `max_chars` at most (worker processes only)."""
    logs.capture_limit = max_chars
