"""Node.js handlers in the isolated worker: `node` runs inside the worker (its child, in its
namespaces, under its limits), answers as the Node runtime does, and ends with the worker.

As `test_isolated.py`, every test runs in both product modes: `none` (`course check`) and,
in the full suite, `namespaces` (`course grade`).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from course_cli.runtime.node.process import BOOTSTRAP
from course_cli.runtime.worker import mounts
from course_cli.runtime.worker.functions import IsolatedRuntime
from course_cli.runtime.worker.guard import Guard
from course_cli.runtime.worker.isolation import namespaces_problem
from course_cli.runtime.worker.node_functions import NODE_RESERVE_MB
from course_cli.runtime.worker.process import Limits, uid_problem
from course_cli.runtime.worker.results import ResultKind
from tests.node_processes import node_children

LIMITS = Limits(memory_mb=256, cpu_s=10, processes=32, grace_s=0.5)
TIMEOUT_S = 2.0

WHO_AM_I = """\
import fs from "node:fs";

export const handler = async () => ({
  cwd: process.cwd(),
  uid: process.getuid(),
  ppid: process.ppid,
  leaked: process.env.H23_PARENT_SECRET ?? null,
  home: process.env.HOME,
  pids: fs.readdirSync("/proc").filter((name) => /^\\d+$/.test(name)).length,
});
"""


@pytest.fixture(params=["none", pytest.param("namespaces", marks=pytest.mark.slow)])
def mode(request: pytest.FixtureRequest) -> str:
    if request.param == "namespaces" and (problem := namespaces_problem()) is not None:
        pytest.skip(f"no namespaces on this machine: {problem}")
    return str(request.param)


def make_runtime(folder: Path, mode: str, source: str, **limits: object) -> IsolatedRuntime:
    folder.mkdir(exist_ok=True)
    (folder / "handler.mjs").write_text(textwrap.dedent(source), encoding="utf-8")
    chosen = dataclasses.replace(LIMITS, isolation=mode, **limits)  # type: ignore[arg-type]
    return IsolatedRuntime({"js": "handler.mjs"}, limits=chosen, workdir=folder)


@pytest.fixture
def who(tmp_path: Path, mode: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[IsolatedRuntime]:
    monkeypatch.setenv("H23_PARENT_SECRET", "the grader's")
    runtime = make_runtime(tmp_path / "submission", mode, WHO_AM_I)
    try:
        yield runtime
    finally:
        runtime.close()


def test_node_runs_inside_the_worker_with_the_worker_s_folder_and_environment(
    who: IsolatedRuntime, mode: str
) -> None:
    result = who.invoke("js", {}, TIMEOUT_S, TIMEOUT_S)
    assert result.kind is ResultKind.OK, result
    assert result.language == "javascript"
    seen = result.value
    assert isinstance(seen, dict)
    worker = who._worker
    assert worker is not None
    assert seen["cwd"] == str(worker.folder.task)
    assert seen["home"] == str(worker.folder.home)
    assert seen["leaked"] is None  # the worker's scrubbed environment, not the grader's
    if mode == "namespaces":
        # Its own pid namespace: the worker (pid 2, below bubblewrap's init) is its parent,
        # and it sees only the sandbox's few processes.
        assert seen["uid"] == 1000 and seen["ppid"] == 2 and seen["pids"] < 8
    else:
        assert seen["ppid"] == worker.process.pid
    children = node_children()
    assert len(children) == 1
    who.close()
    assert node_children() == []


def test_a_syntax_error_is_a_load_error_of_one_line(tmp_path: Path, mode: str) -> None:
    runtime = make_runtime(tmp_path / "s", mode, "export const handler = async () => {\n")
    with runtime:
        problem = runtime.load("js")
    assert problem is not None and problem.kind is ResultKind.LOAD_ERROR
    assert problem.message == (
        "loading handler.mjs (line 2) failed: Runtime.UserCodeSyntaxError: "
        "SyntaxError: Unexpected end of input"
    )
    assert node_children() == []


@pytest.mark.slow
def test_an_endless_loop_is_a_timeout_and_the_next_invocation_starts_afresh(
    tmp_path: Path, mode: str
) -> None:
    source = """\
    export const handler = async (event) => {
      while (event.spin) {}
      return { ok: true };
    };
    """
    with make_runtime(tmp_path / "s", mode, source) as runtime:
        stuck = runtime.invoke("js", {"spin": True}, 1.0, 5.0)
        assert stuck.kind is ResultKind.TIMEOUT, stuck
        again = runtime.invoke("js", {"spin": False}, TIMEOUT_S, TIMEOUT_S)
        assert again.kind is ResultKind.OK and again.value == {"ok": True}
    assert node_children() == []


@pytest.mark.slow
def test_node_gets_about_the_python_limit_to_use_beyond_v8_s_reservations(
    tmp_path: Path, mode: str
) -> None:
    source = """\
    export const handler = async (event) => {
      const kept = [];
      for (let i = 0; i < event.mb / 8; i++) kept.push(Buffer.alloc(8 << 20, 1));
      return { held: kept.length * 8 };
    };
    """
    with make_runtime(tmp_path / "s", mode, source) as runtime:
        fits = runtime.invoke("js", {"mb": 160}, 5.0, 5.0)
        assert fits.kind is ResultKind.OK and fits.value == {"held": 160}, fits
        # V8 refuses the buffer (a RangeError the handler could catch) or, short of memory
        # for itself, ends the process: either way the limit holds and grading goes on.
        too_much = runtime.invoke("js", {"mb": LIMITS.memory_mb + NODE_RESERVE_MB}, 5.0, 5.0)
        if too_much.kind is ResultKind.CRASHED:
            assert too_much.message.startswith("the node process running the submission ended")
        else:
            assert too_much.kind is ResultKind.FUNCTION_ERROR, too_much
            assert too_much.error is not None and too_much.error["errorType"] == "RangeError"
        # A node left at its limit may still die on its next allocation (before its garbage
        # is collected): that invocation is a crash, and the one after runs on a fresh node.
        after = runtime.invoke("js", {"mb": 8}, 5.0, 5.0)
        if after.kind is ResultKind.CRASHED:
            after = runtime.invoke("js", {"mb": 8}, 5.0, 5.0)
        assert after.value == {"held": 8}, after


# --- the audit hook lets the runtime's own node through, and nothing else ----------------------


def guard_for(node: str) -> Guard:
    guard = Guard(
        writable_root="/tmp",
        denied_reads=[],
        max_processes=4,
        allow_programs=False,
        allowed_sockets=[],
        writable_also=[],
    )
    guard.allow_command([node, str(BOOTSTRAP)])
    return guard


def test_the_guard_allows_exactly_the_runtime_s_node_command() -> None:
    node = shutil.which("node") or "/usr/bin/node"
    guard = guard_for(node)
    guard.hook("subprocess.Popen", (node, [node, str(BOOTSTRAP), "3", "4"], None, None))
    assert guard.processes_left == 3  # still counted
    for executable, argv in (
        (node, [node, "-e", "require('child_process').execSync('id')"]),
        ("/bin/sh", [node, str(BOOTSTRAP)]),  # another program under the command's name
        ("/bin/sh", ["/bin/sh", "-c", f"{node} {BOOTSTRAP}"]),
    ):
        with pytest.raises(PermissionError, match="starting other programs is switched off"):
            guard.hook("subprocess.Popen", (executable, argv, None, None))
    with pytest.raises(PermissionError):
        guard.hook("os.system", (f"{node} {BOOTSTRAP}".encode(),))


def test_python_code_in_a_worker_serving_node_is_still_refused_other_programs(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "handler.mjs").write_text("export const handler = async () => 1;\n")
    (folder / "spawn.py").write_text(
        textwrap.dedent(
            """\
            import subprocess

            def handler(event, context):
                try:
                    subprocess.run(["/bin/true"], check=False)
                except PermissionError as error:
                    return str(error)
                return "ran"
            """
        )
    )
    runtime = IsolatedRuntime(
        {"js": "handler.mjs", "py": "spawn.py"}, limits=LIMITS, workdir=folder
    )
    with runtime:
        assert runtime.invoke("js", {}, TIMEOUT_S, TIMEOUT_S).value == 1
        said = runtime.invoke("py", {}, TIMEOUT_S, TIMEOUT_S).value
    # With a user id of its own (as root, where one can run Python) programs are allowed.
    own_uid = os.geteuid() == 0 and uid_problem() is None
    refused = "[Errno 1] starting other programs is switched off while grading"
    assert said == ("ran" if own_uid else refused)


def test_a_node_outside_the_system_folders_is_bound_alone(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    node = tmp_path / "home" / ".nvm" / "versions" / "node" / "v20.0.0" / "bin" / "node"
    monkeypatch.setattr(shutil, "which", lambda name: str(node))
    binds = mounts.node_binds()
    # Never its folder, which may be a home's bin: only empty folders lead to it.
    bound = [binds[i + 1] for i, word in enumerate(binds) if word.endswith("bind")]
    assert bound == [str(node)] and binds[-3:] == ["--ro-bind", str(node), str(node)]
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/node")
    assert mounts.node_binds() == []
