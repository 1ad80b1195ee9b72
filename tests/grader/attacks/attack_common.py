"""Shared by every attacker: copied next to each attacker's `handler.py` when the adversarial
suite stages its class (`tests/grader/test_adversarial.py`), with the placeholders below
replaced by the host's paths, a real attacker could know them.

Each attacker tries its attack once, when its module is imported, and answers every request
with `answer(event, landed)`: the correct answer (a full score) only if the attack landed,
otherwise a 500 that fails every case (a score of 0). So an attacker that passes proves that
its attack worked; attacks whose success cannot be seen from inside leave evidence the harness
looks for instead (files named after `MARKER`, the host's listeners, processes alive after).

Everything here is careful to touch only what belongs to the one grading run under test: the
processes are found from the `course grade` whose command line names this run's class folder.
"""

import hashlib
import json
import os
from decimal import Decimal

MARKER = "@@MARKER@@"
HOME = "@@HOME@@"
COURSE_HOME = "@@COURSE_HOME@@"
CLASS_DIR = "@@CLASS_DIR@@"
GRADE_TMP = "@@GRADE_TMP@@"
PACKAGE_DIR = "@@PACKAGE_DIR@@"
SOLUTIONS_DIR = "@@SOLUTIONS_DIR@@"
SITE_PACKAGES = "@@SITE_PACKAGES@@"
LISTENER_PORT = int("@@LISTENER_PORT@@")
UNIX_SOCKET = "@@UNIX_SOCKET@@"
ABSTRACT_SOCKET = "@@ABSTRACT_SOCKET@@"
SECRET_SHA256 = "@@SECRET_SHA256@@"  # of the fake aws_secret_access_key in HOME
ENV_SECRET_SHA256 = "@@ENV_SECRET_SHA256@@"  # of GRADER_SECRET_TOKEN in `course grade`'s env
EXERCISE = "03-fix-the-502"


def evidence_name(attack):
    """The name of a file an attack leaves behind: the harness looks for `MARKER`."""
    return f".course-adversarial-{MARKER}-{attack}"


def sha256(text):
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def attempt(attack):
    """Run `attack()`; whatever it raises (a refusal, most likely) means it did not land."""
    try:
        return bool(attack())
    except BaseException:  # SystemExit included: a refusal is a failed attack
        return False


# --- the answers ------------------------------------------------------------------------------

ITEMS = {
    "i1": {"id": "i1", "name": "lamp", "price": Decimal("19.99"), "stock": 3},
    "i2": {"id": "i2", "name": "desk", "price": Decimal("120"), "stock": 0},
}
UPDATED = {"i1": "2026-01-15T09:30:00", "i2": "2026-02-01T18:05:00"}


def _number(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(type(value).__name__)


def _respond(status, payload, headers=None):
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", **(headers or {})},
        "body": json.dumps(payload, default=_number),
    }


def correct(event):
    """What exercise 03 asks for (the reward of an attack that landed)."""
    if event["httpMethod"] == "POST":
        try:
            data = json.loads(event.get("body") or "")
        except ValueError:
            return _respond(400, {"message": "body must be JSON"})
        if not isinstance(data, dict) or not data.get("name"):
            return _respond(400, {"message": "name is required"})
        return _respond(201, {"id": "i3", "name": data["name"], "price": 0})
    item_id = (event.get("pathParameters") or {}).get("itemId")
    item = ITEMS.get(item_id)
    if item is None:
        return _respond(404, {"message": "item not found"})
    public = {"id": item["id"], "name": item["name"], "price": item["price"]}
    resource = event["resource"]
    if resource == "/items/{itemId}":
        return _respond(200, public)
    if resource == "/items/{itemId}/stock":
        return _respond(200, {"id": item["id"], "inStock": item["stock"] > 0})
    if resource == "/items/{itemId}/count":
        return _respond(200, {"count": item["stock"]}, {"X-Updated-At": UPDATED[item_id]})
    return _respond(200, {"id": item["id"], "price": item["price"]})


def blocked(event):
    """What an attacker answers when its attack did not land: every case fails."""
    return {"statusCode": 500, "body": json.dumps({"message": "attack blocked"})}


def answer(event, landed):
    return correct(event) if landed else blocked(event)


# --- the processes of this grading run (found through /proc) ----------------------------------


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as file:
            return [part.decode("utf-8", "replace") for part in file.read().split(b"\0") if part]
    except OSError:
        return []


def parent_of(pid):
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as file:
            return int(file.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def pids():
    try:
        return [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return []


def ancestors():
    """This process's ancestors, nearest first."""
    found, pid = [], os.getppid()
    while pid > 1 and pid not in found:
        found.append(pid)
        pid = parent_of(pid)
    return found


def grading_runs():
    """The `course grade` processes grading this run's class (normally one)."""
    runs = []
    for pid in pids():
        args = cmdline(pid)
        if "course_cli" in " ".join(args) and "grade" in args and CLASS_DIR in args:
            runs.append(pid)
    return runs


def run_tree():
    """Every process of this grading run: `course grade` and all its descendants."""
    parents = {pid: parent_of(pid) for pid in pids()}
    tree = set(grading_runs())
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return tree


def grading_processes():
    """(pid, reply fd) of this run's grading processes (`grading_process REQUEST REPLY`)."""
    found = []
    for pid in run_tree():
        args = cmdline(pid)
        if "course_cli.grader.classroom.grading_process" in args and args[-1].isdigit():
            found.append((pid, int(args[-1])))
    return found


# --- starting a program without `subprocess` (no audit event) ---------------------------------


def fork_exec(argv, *, executable, setsid=False, stdout=-1, env=None):
    """`_posixsubprocess.fork_exec` called directly: the pid of `argv` run by `executable`."""
    import _posixsubprocess

    env_list = [f"{k}={v}".encode() for k, v in (env or {"PATH": "/usr/bin:/bin"}).items()]
    errpipe_read, errpipe_write = os.pipe()
    common = (
        [os.fsencode(a) for a in argv],
        [os.fsencode(executable)],
        True,  # close_fds
        tuple(sorted({errpipe_write} | ({stdout} if stdout != -1 else set()))),
        None,  # cwd
        env_list,
        -1,
        -1,
        -1,
        stdout,
        -1,
        -1,
        errpipe_read,
        errpipe_write,
        True,  # restore_signals
        setsid,  # call_setsid
        -1,  # pgid_to_set
        None,  # gid
        None,  # extra_groups
        None,  # uid
        -1,  # child_umask
        None,  # preexec_fn
    )
    try:
        try:
            pid = _posixsubprocess.fork_exec(*common, False)  # 3.11-3.13: allow_vfork
        except TypeError:
            pid = _posixsubprocess.fork_exec(*common)
    finally:
        os.close(errpipe_write)
    failure = os.read(errpipe_read, 4096)
    os.close(errpipe_read)
    if failure:
        raise OSError(f"exec failed: {failure!r}")
    return pid
