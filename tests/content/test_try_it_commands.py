"""Every command the lesson tells a learner to type works as printed, from a fresh `course init`
workspace (issue 18, section 3).

A command is each line of a step's ```bash block, each `course ...` span in a step's prose or
hints (the step's own and its exercise's), and the `course check` / `course hint` line the walk
prints under an exercise step. Each runs in a new workspace made by `course init`, through a
shell, as the learner would type it. `course serve` is started, sent the step's own `curl`
lines (or one GET when the step has none) on 127.0.0.1, and stopped.

"Works" means the command did its job, whatever it found: `course invoke` exits 1 for a 5xx,
`course vtl` for output that is not JSON and `course check` for a failing exercise, and steps
run all three on purpose. A missing file, a usage mistake (exit 2), a traceback or an `error:`
line is what a learner must never meet (a traceback on stderr: `course invoke` rightly shows a
crashing handler's own on stdout).
"""

from __future__ import annotations

import re
import shutil
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from course_cli.content import Exercise, Step, load_lesson
from course_cli.workspace import bundled_dir
from tests.conftest import course_subprocess_env
from tests.sam.test_products_node import sdk_node_modules  # noqa: F401 - a fixture

LESSON = load_lesson("lesson-3")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
SPAN = re.compile(r"`(course [^`]+)`")
SHELLS = {"bash", "sh", "shell", "console"}
# The interactive walk needs a terminal; tests/cli/test_first_screen.py drives it in one.
INTERACTIVE = ("course start",)
SERVE_PORT = re.compile(r"127\.0\.0\.1:3000\b")
READY = "Ctrl-C stops"


@dataclass(frozen=True)
class Command:
    """One line a learner is told to type, and where the lesson prints it."""

    text: str
    where: str


def _shell_lines(block: str) -> list[str]:
    """A shell block's commands: one per line, `\\` continuations joined, comments dropped."""
    commands: list[str] = []
    pending: list[str] = []
    for line in block.splitlines():
        pending.append(line.strip())
        if pending[-1].endswith("\\"):
            pending[-1] = pending[-1][:-1].strip()
            continue
        command = " ".join(filter(None, pending))
        if command and not command.startswith("#"):
            commands.append(command)
        pending = []
    return commands


def commands_of(step: Step) -> list[Command]:
    """Every command step `step` prints, in the order a learner meets them."""
    markdown = step.markdown()
    found = [
        Command(line, f"{step.file.name} ```{language}")
        for language, block in FENCE.findall(markdown)
        if language in SHELLS
        for line in _shell_lines(block)
    ]
    found += [Command(s, f"{step.file.name} prose") for s in SPAN.findall(FENCE.sub("", markdown))]
    found += [Command(s, f"{step.number} hint") for s in SPAN.findall(step.hint or "")]
    exercise = LESSON.exercise(step.exercise) if step.exercise else None
    if exercise is not None:
        found += [
            Command(f"course check {exercise.id}", f"{step.number} exercise line"),
            Command(f"course hint {exercise.id}", f"{step.number} exercise line"),
        ]
        found += [
            Command(span, f"{exercise.id} hint {n}")
            for n, hint in enumerate(exercise.hints, 1)
            for span in SPAN.findall(hint)
        ]
    first_of_each = {c.text: c for c in reversed(found)}  # a command printed twice runs once
    return [c for c in found if first_of_each[c.text] is c and not c.text.startswith(INTERACTIVE)]


def test_the_lesson_prints_commands_of_every_kind() -> None:
    every = [c.text for step in LESSON.steps for c in commands_of(step)]
    for kind in ("course invoke ", "course vtl ", "course event ", "course serve ", "curl "):
        assert any(c.startswith(kind) for c in every), kind


def test_a_shell_block_gives_one_command_per_line() -> None:
    block = "# set up\ncourse next\n\ncourse invoke h.py \\\n  --path /x\n"
    assert _shell_lines(block) == ["course next", "course invoke h.py --path /x"]


# --- running them -----------------------------------------------------------------------------


@pytest.fixture
def shell_env(course_home: Path, tmp_path: Path) -> dict[str, str]:
    """A learner's shell: `course` on the PATH (this checkout, this Python), a fresh progress
    home, and a terminal as wide as the one the lesson is written for."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "course"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m course_cli "$@"\n')
    shim.chmod(0o755)
    env = course_subprocess_env(course_home)
    env["PATH"] = f"{bin_dir}:{env.get('PATH', '/usr/bin:/bin')}"
    env["COLUMNS"] = "100"
    return env


def fresh_workspace(tmp_path: Path, env: dict[str, str]) -> Path:
    done = subprocess.run(
        ["course", "init", "ws"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return tmp_path / "ws"


def in_shell(
    line: str, cwd: Path, env: dict[str, str], timeout_s: float = 300
) -> subprocess.CompletedProcess[str]:
    """`line` run through bash, as the learner types it, with what it printed."""
    return subprocess.run(
        ["bash", "-c", line],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


def assert_worked(command: Command, done: subprocess.CompletedProcess[str]) -> None:
    shown = f"{command.where}: {command.text}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
    if command.text.startswith("curl "):
        assert done.returncode == 0, shown
        assert done.stdout.strip(), shown
        return
    assert done.returncode in (0, 1), shown
    # On stderr only: `course invoke` shows a crashing handler's own traceback on stdout.
    assert "Traceback" not in done.stderr, shown
    assert not any(line.startswith("error:") for line in done.stderr.splitlines()), shown


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def serve_and_call(
    command: Command, requests: list[Command], cwd: Path, env: dict[str, str]
) -> None:
    """Start `course serve`, send it the step's curl lines (on the port it got) or one GET,
    and stop it (SIGTERM, which course serve takes as Ctrl-C)."""
    port = free_port()
    # The only change to the printed line: port 3000 may be taken by another test on this machine.
    process = subprocess.Popen(
        ["bash", "-c", f"exec {command.text} --port {port}"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    try:
        for line in process.stdout:
            lines.append(line)
            if READY in line:
                break
        else:
            pytest.fail(f"{command.where}: {command.text} ended: {''.join(lines)}")
        for request in requests:
            curl = SERVE_PORT.sub(f"127.0.0.1:{port}", request.text)
            assert_worked(request, in_shell(curl, cwd, env, timeout_s=60))
        if not requests:
            path = "/products" if "--sandbox" in command.text else "/"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as got:
                    status = got.status
            except urllib.error.HTTPError as answered:  # any HTTP answer is an answer
                status = answered.code
            assert 200 <= status < 600
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            _out, err = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            _out, err = process.communicate()
    assert "Traceback" not in err, err


STEPS_WITH_COMMANDS = [step for step in LESSON.steps if commands_of(step)]


@pytest.mark.slow
@pytest.mark.parametrize("step", STEPS_WITH_COMMANDS, ids=lambda s: s.number)
def test_every_command_of_the_step_works_as_printed(
    step: Step, tmp_path: Path, shell_env: dict[str, str]
) -> None:
    workspace = fresh_workspace(tmp_path, shell_env)
    commands = commands_of(step)
    serving = [c for c in commands if c.text.startswith("course serve")]
    curls = [c for c in commands if c.text.startswith("curl ")]
    assert not curls or serving, f"step {step.number}: curl with nothing serving"
    for command in commands:
        if command in curls:
            continue
        if command in serving:
            after = curls if command == serving[0] else []
            serve_and_call(command, after, workspace, shell_env)
            continue
        assert_worked(command, in_shell(command.text, workspace, shell_env))


# The exercises whose hints in JavaScript's words print commands.
JS_EXERCISES = [e for e in LESSON.exercises if any(SPAN.search(h) for h in e.js_hints)]


@pytest.mark.slow
@pytest.mark.parametrize("exercise", JS_EXERCISES, ids=lambda e: e.id)
def test_the_javascript_hints_commands_work_as_printed(
    exercise: Exercise,
    tmp_path: Path,
    shell_env: dict[str, str],
    sdk_node_modules: Path,  # noqa: F811 - a fixture
) -> None:
    # A learner who wrote the handler in JavaScript, with the SDK installed for course.
    workspace = fresh_workspace(tmp_path, shell_env)
    answer = bundled_dir("solutions") / "javascript" / exercise.id / "handler.mjs"
    shutil.copy(answer, workspace / "exercises" / exercise.id / "handler.mjs")
    shell_env["COURSE_NODE_SDK"] = str(sdk_node_modules.parent)
    commands = [
        Command(span, f"{exercise.id} js hint {n}")
        for n, hint in enumerate(exercise.js_hints, 1)
        for span in SPAN.findall(hint)
    ]
    assert all("handler.mjs" in c.text for c in commands)
    for command in commands:
        if command.text.startswith("course serve"):
            serve_and_call(command, [], workspace, shell_env)
            continue
        assert_worked(command, in_shell(command.text, workspace, shell_env))
