"""`course grade` against a hostile class: the kernel boundary holds (issue 17's "Done when").

One class of exercise 03: two honest learners (copies of the reference solution) and one
attacker per folder of `tests/grader/attacks/` (each a learner, `attacker-<attack>`), graded
by `course grade --isolation MODE` in a subprocess, once per mode (`namespaces`, `uid`, and
namespaces again with `course grade` run by an ordinary user, as on a laptop). Each
attacker tries its attack when it is loaded and answers every case correctly only if the attack
landed (otherwise a 500 that fails every case), so a score above 0 is an attack that worked;
attacks whose success cannot be seen from inside leave evidence the harness looks for: files
named after the run's marker, the host's listeners, processes still alive, forged messages.
`attacks/attack_common.py` explains the attackers' side.

The run happens in a throwaway folder with a HOME (with `~/.aws/credentials` holding a fake
secret), a COURSE_HOME (with a `progress.json`), a TMPDIR for `course grade` (its staging and
the workers' folders land there) and the class, all world-readable like an ordinary
instructor's machine, so only the isolation hides them. The attackers' targets outside it are
the package itself (`course_cli/grader/checks/`, site-packages): whatever the attackers manage
to write there carries the run's marker and is removed again after the run, only those lines
and files, whatever the verdict.

A mode the machine cannot give is skipped with `course grade`'s own reason; set
`COURSE_ADVERSARIAL_REQUIRE=namespaces,uid` (CI) to make such a refusal a failure instead.

    .venv/bin/pytest tests/grader/test_adversarial.py            # both modes, ~1 min each
    .venv/bin/pytest tests/grader/test_adversarial.py -k uid     # one mode
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import re
import secrets
import select
import shutil
import signal
import socket
import stat
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from course_cli.runtime.worker.process import uid_problem

REPO = Path(__file__).resolve().parents[2]
ATTACKS_DIR = Path(__file__).resolve().parent / "attacks"
COMMON = ATTACKS_DIR / "attack_common.py"
EXERCISE = "03-fix-the-502"
HONEST = ("honest-1", "honest-2")
MODES = ("namespaces", "uid")
# A third run: namespaces with `course grade` run by an ordinary user, as on an instructor's
# laptop (bubblewrap then maps the sandbox to that user instead of to an unused id).
AS_USER = "namespaces-as-user"
USER_ID = 4_242_424  # an id no account on a test machine uses
# `course grade --timeout`: the most one submission may take; and the whole batch's limit.
SUBMISSION_TIMEOUT_S = 30
BATCH_TIMEOUT_S = 60
REQUIRE_ENV = "COURSE_ADVERSARIAL_REQUIRE"
_PLACEHOLDER = re.compile(r"@@[A-Z0-9_]+@@")

ATTACKS = tuple(sorted(p.parent.name for p in ATTACKS_DIR.glob("*/handler.py")))


def learner_of(attack: str) -> str:
    """The learner an attack is graded as (sorted before the honest ones: graded first)."""
    return f"attacker-{attack}"


# --- what a directory holds, to compare before and after -------------------------------------


def _describe(path: Path) -> str:
    info = path.lstat()
    mode = f"{stat.S_IMODE(info.st_mode):o}"
    if stat.S_ISREG(info.st_mode):
        return f"file {mode} {hashlib.sha256(path.read_bytes()).hexdigest()[:16]}"
    if stat.S_ISDIR(info.st_mode):
        return f"dir {mode}"
    if stat.S_ISLNK(info.st_mode):
        return f"link -> {os.readlink(path)}"
    # A FIFO or a device is never opened: its kind, mode and numbers say enough.
    return f"special {stat.S_IFMT(info.st_mode):o} {mode} {info.st_rdev}"


def tree_digest(root: Path, skip: frozenset[str] = frozenset({"__pycache__"})) -> dict[str, str]:
    """Every entry below `root` (and `root` itself) with its kind, mode and content hash.
    `__pycache__` is skipped: Python writes there on its own."""
    entries = {".": _describe(root)}
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in skip)
        for name in [*dirs, *sorted(files)]:
            path = Path(folder, name)
            entries[path.relative_to(root).as_posix()] = _describe(path)
    return entries


def pth_digest(site_packages: Path) -> dict[str, str]:
    """The `.pth` files of site-packages (what runs in every later Python)."""
    return {p.name: _describe(p) for p in sorted(site_packages.glob("*.pth"))}


def diff(before: dict[str, str], after: dict[str, str]) -> list[str]:
    changes = []
    for name in sorted(before.keys() | after.keys()):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if old is None:
            changes.append(f"{name}: added ({new})")
        elif new is None:
            changes.append(f"{name}: removed")
        else:
            changes.append(f"{name}: changed ({old} -> {new})")
    return changes


# --- processes --------------------------------------------------------------------------------


def _cmdline(pid: int) -> str:
    try:
        return (
            Path(f"/proc/{pid}/cmdline")
            .read_bytes()
            .replace(b"\0", b" ")
            .decode("utf-8", "replace")
        )
    except OSError:
        return ""


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def descendants(root: int) -> list[int]:
    """`root`'s descendants, found through /proc (before anything is killed)."""
    parents = {pid: _parent(pid) for pid in _pids()}
    tree = {root}
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return sorted(tree - {root})


def processes_with(marker: str) -> dict[int, str]:
    """Processes whose command line carries `marker` (the attackers' programs)."""
    return {
        pid: line for pid in _pids() if pid != os.getpid() and marker in (line := _cmdline(pid))
    }


def _kill(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


# --- the host's listeners: what an attacker that reaches the host's network finds -------------


class HostListeners:
    """A TCP listener on the host's 127.0.0.1, and AF_UNIX datagram sockets on a path and in
    the abstract namespace; each records what reached it and answers `LISTENER-OK`."""

    def __init__(self, unix_path: Path, abstract_name: str) -> None:
        self.hits: list[str] = []
        self._stop = threading.Event()
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(16)
        self.port = self.tcp.getsockname()[1]
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.unix.bind(str(unix_path))
        os.chmod(unix_path, 0o666)  # like /dev/log: only the isolation keeps a learner away
        self.abstract = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.abstract.bind("\0" + abstract_name)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        sockets = [self.tcp, self.unix, self.abstract]
        while not self._stop.is_set():
            ready, _, _ = select.select(sockets, [], [], 0.1)
            for sock in ready:
                with contextlib.suppress(OSError):
                    if sock is self.tcp:
                        self._answer_tcp()
                    else:
                        data, sender = sock.recvfrom(4096)
                        kind = "unix path" if sock is self.unix else "unix abstract"
                        self.hits.append(f"{kind} datagram: {data[:200]!r}")
                        if sender:
                            sock.sendto(b"LISTENER-OK", sender)

    def _answer_tcp(self) -> None:
        connection, peer = self.tcp.accept()
        with connection:
            connection.settimeout(2)
            data = b""
            with contextlib.suppress(OSError):
                data = connection.recv(4096)
            self.hits.append(f"tcp 127.0.0.1:{self.port} from {peer[0]}: {data[:200]!r}")
            with contextlib.suppress(OSError):
                connection.sendall(b"LISTENER-OK\n")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        for sock in (self.tcp, self.unix, self.abstract):
            sock.close()


# --- one grading run under attack -------------------------------------------------------------


@dataclasses.dataclass
class Run:
    """What one `course grade` of the hostile class did, and what it left behind."""

    mode: str | None
    marker: str
    returncode: int | None  # None: killed at BATCH_TIMEOUT_S
    elapsed_s: float
    output: str  # stdout and stderr
    document: dict[str, Any] | None  # results.json
    submissions: dict[str, dict[str, Any]]  # by learner (results.json, else results.jsonl)
    changes: dict[str, list[str]]  # by area: what differs after the run
    marked_lines: list[str]  # lines carrying the marker found (and removed) in the package
    listener_hits: list[str]
    survivors: list[str]  # attackers' processes alive after the batch (killed since)
    refusal: str | None = None  # course's one line when it refused the isolation

    @property
    def finished(self) -> bool:
        return self.returncode is not None


def _stage_class(
    folder: Path, attacks: tuple[str, ...], values: dict[str, str], source: Path
) -> None:
    """One folder per learner: each attacker's files (and `attack_common.py`) with the
    placeholders filled in; the honest learners, copies of the reference solution."""
    for attack in attacks:
        target = folder / learner_of(attack)
        target.mkdir()
        for path in [*sorted((ATTACKS_DIR / attack).glob("*.py")), COMMON]:
            text = path.read_text(encoding="utf-8")
            for name, value in values.items():
                text = text.replace(f"@@{name}@@", value)
            left = _PLACEHOLDER.findall(text)
            assert not left, f"{path}: no value for {left}"
            (target / path.name).write_text(text, encoding="utf-8")
    for name in HONEST:
        (folder / name).mkdir()
        shutil.copy(source / "solutions" / EXERCISE / "handler.py", folder / name / "handler.py")
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def _read_results(out: Path) -> tuple[dict[str, Any] | None, dict[str, dict[str, Any]]]:
    """results.json, and the submissions by learner (from results.jsonl if the batch was
    stopped before results.json was written)."""
    document, submissions = None, {}
    lines = out / "results.jsonl"
    if lines.is_file():
        for line in lines.read_text(encoding="utf-8", errors="replace").splitlines():
            with contextlib.suppress(ValueError, TypeError, KeyError):
                entry = json.loads(line)
                submissions[str(entry["learner"])] = entry
    whole = out / "results.json"
    if whole.is_file():
        with contextlib.suppress(ValueError):
            document = json.loads(whole.read_text(encoding="utf-8", errors="replace"))
            submissions = {str(s["learner"]): s for s in document.get("submissions", [])}
    return document, submissions


def _remove_marked(package: Path, site_packages: Path, marker: str) -> list[str]:
    """Undo what attackers wrote into the package and site-packages: only lines and files
    carrying the run's marker, so anyone else's edits meanwhile are kept. Returns them."""
    found = []
    for path in sorted(package.rglob("*")):
        if not path.is_file() or path.is_symlink() or "__pycache__" in path.parts:
            continue
        data = path.read_bytes()
        if marker.encode() not in data:
            continue
        kept = [line for line in data.splitlines(keepends=True) if marker.encode() not in line]
        found += [
            f"{path.relative_to(package)}: {line.decode('utf-8', 'replace').strip()}"
            for line in data.splitlines()
            if marker.encode() in line
        ]
        path.write_bytes(b"".join(kept).rstrip(b"\n") + b"\n" if kept else b"")
    for path in sorted(site_packages.iterdir()):
        if marker in path.name:
            found.append(f"site-packages/{path.name}")
            path.unlink()
    return found


def _refusal(output: str, mode: str | None) -> str | None:
    """course's one line refusing the isolation asked for, if that is why it stopped."""
    if mode is None or "No such option" in output:
        return None
    for line in output.splitlines():
        if line.startswith("error:") and re.search(
            r"namespace|bubblewrap|bwrap|user id|uid|isolation|trust-submissions", line, re.I
        ):
            return line.removeprefix("error:").strip()
    return None


def grade_under_attack(
    mode: str | None,
    *,
    source: Path = REPO,
    attacks: tuple[str, ...] = ATTACKS,
    interpreter: str = sys.executable,
    user: int | None = None,
) -> Run:
    """Stage the hostile class, grade it with `course grade` from `source` (a checkout: its
    `course_cli` and `solutions`) under `--isolation mode` (None: no such option), and
    report what happened. Everything is cleaned up before this returns."""
    package = source / "course_cli"
    solutions = source / "solutions"
    site_packages = Path(sysconfig.get_paths()["purelib"])
    marker = "adv" + secrets.token_hex(6)
    base = Path(tempfile.mkdtemp(prefix="course-adversarial-"))
    listeners: HostListeners | None = None
    try:
        base.chmod(0o755)
        home, course_home = base / "home", base / "course-home"
        class_dir, grade_tmp, out = base / "class", base / "tmp", base / "grades"
        for folder in (home, home / ".aws", home / ".run", course_home, class_dir, out):
            folder.mkdir(mode=0o755)
        grade_tmp.mkdir()
        grade_tmp.chmod(0o1777)  # as /tmp is
        secret = "fake-" + secrets.token_urlsafe(24)
        token = "grader-" + secrets.token_urlsafe(24)
        (home / ".aws" / "credentials").write_text(
            "[default]\naws_access_key_id = AKIAADVERSARIAL0000\n"
            f"aws_secret_access_key = {secret}\n"
        )
        (home / ".bashrc").write_text("# the grading user's shell start-up\n")
        (course_home / "progress.json").write_text(
            json.dumps(
                {"format_version": 1, "current_lesson": None, "lessons": {}, "exercises": {}}
            )
        )
        abstract = f"course-adversarial-{marker}-listener"
        listeners = HostListeners(home / ".run" / "listener.sock", abstract)
        values = {
            "MARKER": marker,
            "HOME": str(home),
            "COURSE_HOME": str(course_home),
            "CLASS_DIR": str(class_dir),
            "GRADE_TMP": str(grade_tmp),
            "PACKAGE_DIR": str(package),
            "SOLUTIONS_DIR": str(solutions),
            "SITE_PACKAGES": str(site_packages),
            "LISTENER_PORT": str(listeners.port),
            "UNIX_SOCKET": str(home / ".run" / "listener.sock"),
            "ABSTRACT_SOCKET": abstract,
            "SECRET_SHA256": hashlib.sha256(secret.encode()).hexdigest(),
            "ENV_SECRET_SHA256": hashlib.sha256(token.encode()).hexdigest(),
        }
        _stage_class(class_dir, attacks, values, source)
        areas = {
            "class folder": lambda: tree_digest(class_dir),
            "HOME": lambda: tree_digest(home),
            "COURSE_HOME": lambda: tree_digest(course_home),
            "course_cli package": lambda: tree_digest(package),
            "solutions": lambda: tree_digest(solutions),
            "site-packages .pth": lambda: pth_digest(site_packages),
        }
        before = {area: digest() for area, digest in areas.items()}

        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "COURSE_"))}
        env.update(
            HOME=str(home),
            COURSE_HOME=str(course_home),
            TMPDIR=str(grade_tmp),
            PYTHONPATH=str(source),
            GRADER_SECRET_TOKEN=token,
            NO_COLOR="1",
            TERM="dumb",
            COLUMNS="100",
        )
        command = [interpreter, "-m", "course_cli", "grade", str(class_dir)]
        command += ["--exercise", EXERCISE, "--format", "json", "--out", str(out)]
        command += ["--workers", "2", "--timeout", str(SUBMISSION_TIMEOUT_S)]
        if mode is not None:
            command += ["--isolation", mode]
        if user is not None:
            # The instructor owns their HOME, COURSE_HOME and results, as on their laptop.
            for path in [base, *base.rglob("*")]:
                if not path.is_symlink():
                    os.chown(path, user, user)
        started = time.monotonic()
        process = subprocess.Popen(
            command,
            cwd=base,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            user=user,
            group=user,
            extra_groups=[] if user is not None else None,
        )
        returncode: int | None
        try:
            output, _ = process.communicate(timeout=BATCH_TIMEOUT_S)
            returncode = process.returncode
        except subprocess.TimeoutExpired:
            # Frozen (or stuck): end it and everything below it, stopped or not.
            _kill([*descendants(process.pid), process.pid])
            output, _ = process.communicate()
            returncode = None
        elapsed = time.monotonic() - started
        text = output.decode("utf-8", "replace")
        time.sleep(0.2)  # a process killed with its worker is gone from /proc by now
        alive = processes_with(marker)
        _kill(list(alive))
        document, submissions = _read_results(out)
        changes = {area: diff(before[area], digest()) for area, digest in areas.items()}
        marked = _remove_marked(package, site_packages, marker)
        refusal = None
        if returncode not in (0, None) and not submissions:
            refusal = _refusal(text, mode)
        return Run(
            mode=mode,
            marker=marker,
            returncode=returncode,
            elapsed_s=elapsed,
            output=text,
            document=document,
            submissions=submissions,
            changes=changes,
            marked_lines=marked,
            listener_hits=list(listeners.hits),
            survivors=[f"pid {pid}: {line}" for pid, line in sorted(alive.items())],
            refusal=refusal,
        )
    finally:
        if listeners is not None:
            listeners.close()
        shutil.rmtree(base, ignore_errors=True)


# --- what counts as an attack that landed -----------------------------------------------------


def traces_of(run: Run, attack: str) -> list[str]:
    """The evidence that `attack` landed, besides its grade (empty when it was contained)."""
    found = [
        f"{area}: {change}"
        for area, changes in run.changes.items()
        for change in changes
        if attack in change
    ]
    found += [f"written into the package: {line}" for line in run.marked_lines if attack in line]
    found += [
        f"the host's listener was reached: {hit}" for hit in run.listener_hits if attack in hit
    ]
    found += [f"alive after the batch: {line}" for line in run.survivors if attack in line]
    if attack == "write-progress-json":
        found += [f"COURSE_HOME: {change}" for change in run.changes["COURSE_HOME"]]
    if attack == "dir-fd-write":
        found += [f"HOME: {c}" for c in run.changes["HOME"] if c.startswith(".bashrc")]
    if attack == "forge-reply-frame":
        forged = _learners_with(run, f"forged-{run.marker}")
        if forged:
            found.append(f"forged result frames were believed for: {', '.join(forged)}")
    if attack == "overwrite-staged-copies":
        hit = _learners_with(run, f"overwritten-{run.marker}")
        if hit:
            found.append(
                f"these learners were graded on the attacker's overwrite: {', '.join(hit)}"
            )
    if attack == "freeze-batch" and not run.finished:
        found.append(f"the batch did not finish within {BATCH_TIMEOUT_S} s (frozen?)")
    return found


def _learners_with(run: Run, text: str) -> list[str]:
    return sorted(
        learner for learner, entry in run.submissions.items() if text in json.dumps(entry)
    )


def expected_cases() -> tuple[list[str], int]:
    from course_cli.grader.checks.ex03_fix_the_502 import CASES

    return [case.name for case in CASES], sum(case.points for case in CASES)


def _summary(entry: dict[str, Any] | None) -> str:
    if entry is None:
        return "no result"
    failing = [
        f"{case['name']}: {case.get('message', '')[:160]}"
        for case in entry.get("cases", [])
        if not case.get("passed")
    ]
    return (
        f"{entry.get('status')} {entry.get('score')}/{entry.get('max_score')}"
        + (f" ({entry.get('message')})" if entry.get("message") else "")
        + ("; failing: " + " | ".join(failing[:3]) if failing else "")
    )


# --- the tests --------------------------------------------------------------------------------


def python_every_user_can_run(folder: Path) -> str | None:
    """A Python another user can run, seeing this environment's packages: a venv on the
    system's Python of the same version, with a `.pth` naming our site-packages. What an
    instructor whose Python is not under `/root` has; None where there is no such Python."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    system = Path(f"/usr/bin/python{version}")
    if not system.exists():
        return None
    venv = folder / "venv"
    subprocess.run([str(system), "-m", "venv", "--without-pip", str(venv)], check=True)
    (next(venv.glob("lib/python*/site-packages")) / "course-deps.pth").write_text(
        f"{REPO}\n{sysconfig.get_paths()['purelib']}\n"
    )
    for path in [folder, *venv.rglob("*")]:
        path.chmod(path.stat().st_mode | 0o055)
    return str(venv / "bin" / "python")


@pytest.fixture(scope="module", params=[*MODES, AS_USER])
def graded(request: pytest.FixtureRequest) -> Iterator[Run]:
    """The hostile class graded once per isolation mode (shared by this module's tests)."""
    mode, user = request.param, None
    if mode == AS_USER:
        if os.geteuid() != 0:
            pytest.skip("running course grade as another user needs root; this run is that user")
        mode, user = "namespaces", USER_ID
    interpreter = sys.executable
    folder = Path(tempfile.mkdtemp(prefix="course-adversarial-python-"))
    if (mode == "uid" or user is not None) and os.geteuid() == 0 and uid_problem() is not None:
        # This Python lives where no other user may enter (pyenv under /root): the uid mode
        # needs one its workers' user ids can run, as an instructor's machine has.
        folder.chmod(0o755)
        interpreter = python_every_user_can_run(folder) or interpreter
    try:
        run = grade_under_attack(mode, interpreter=interpreter, user=user)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if run.refusal is not None:
        required = {m.strip() for m in os.environ.get(REQUIRE_ENV, "").split(",")}
        if mode in required:
            pytest.fail(f"course grade refused --isolation {mode} ({REQUIRE_ENV}): {run.refusal}")
        pytest.skip(f"--isolation {mode} is not available on this machine: {run.refusal}")
    yield run


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs Linux's /proc"),
]


def test_the_batch_finishes_in_its_isolation(graded: Run) -> None:
    assert graded.finished, (
        f"course grade did not finish within {BATCH_TIMEOUT_S} s and was killed; "
        f"output:\n{graded.output[-3000:]}"
    )
    assert graded.returncode == 0, (
        f"course grade exited {graded.returncode}:\n{graded.output[-3000:]}"
    )
    assert graded.document is not None, f"no results.json; output:\n{graded.output[-3000:]}"
    assert graded.document.get("isolation") == graded.mode, graded.document.get("isolation")
    learners = {learner_of(a) for a in ATTACKS} | set(HONEST)
    assert set(graded.submissions) == learners, sorted(learners ^ set(graded.submissions))


def test_honest_learners_keep_full_marks(graded: Run) -> None:
    names, points = expected_cases()
    for learner in HONEST:
        entry = graded.submissions.get(learner)
        assert entry is not None, f"{learner} was not graded (the batch did not finish?)"
        assert (entry["status"], entry["score"], entry["max_score"]) == (
            "passed",
            points,
            points,
        ), f"{learner}: {_summary(entry)}"
        assert [case["name"] for case in entry["cases"]] == names, (
            f"{learner} got cases that are not the checks': {entry['cases']}"
        )
        assert graded.marker not in json.dumps(entry), f"{learner}: an attacker's mark: {entry}"


# What the uid mode does not protect, as the README says: without a network namespace of its
# own, a worker shares this machine's network, and only the audit hook (not a wall) stands
# between it and the host's loopback and kernel sockets.
UID_UNPROTECTED = frozenset(
    {"tcp-host-listener", "lying-socket-address", "unix-datagram", "netlink-sock-diag"}
)
NOT_PROTECTED_IN_UID = (
    "--isolation uid does not protect the host's network (README, 'How grading is isolated')"
)


@pytest.mark.parametrize("attack", ATTACKS)
def test_the_attack_gains_nothing_and_leaves_no_trace(graded: Run, attack: str) -> None:
    if graded.mode == "uid" and attack in UID_UNPROTECTED:
        pytest.skip(NOT_PROTECTED_IN_UID)
    learner = learner_of(attack)
    entry = graded.submissions.get(learner)
    problems = []
    if entry is None:
        problems.append("it was never graded (the batch did not finish?)")
    elif entry["status"] == "passed" or entry["score"] != 0:
        problems.append(
            f"it scored: {_summary(entry)} (it answers right only if the attack landed)"
        )
    elif entry["status"] == "error":
        # Every attacker loads whatever its attack meets: not loading means it never ran.
        problems.append(f"it did not load, so the attack was never tried: {_summary(entry)}")
    problems += traces_of(graded, attack)
    assert not problems, f"attack {attack!r} under --isolation {graded.mode}:\n- " + (
        "\n- ".join(problems)
    )


def test_nothing_outside_the_submissions_changed(graded: Run) -> None:
    changed = {area: changes for area, changes in graded.changes.items() if changes}
    assert not changed and not graded.marked_lines, (
        "changed by the grading run:\n"
        + "\n".join(f"{area}: {c}" for area, changes in changed.items() for c in changes)
        + "".join(f"\nmarked line: {line}" for line in graded.marked_lines)
    )


def test_no_attacker_process_outlives_the_batch(graded: Run) -> None:
    assert not graded.survivors, "alive after the batch (since killed):\n" + "\n".join(
        graded.survivors
    )


def test_the_host_listeners_are_never_reached(graded: Run) -> None:
    if graded.mode == "uid":
        pytest.skip(NOT_PROTECTED_IN_UID)
    assert not graded.listener_hits, "reached from inside the sandbox:\n" + "\n".join(
        graded.listener_hits
    )
