"""`course grade` on a class with a hostile `handler.mjs`: its node runs behind the same wall
as Python code (`runtime.worker.isolation`, namespaces). It cannot read a classmate's files,
the solutions or the grader's staging folder, reaches no network beyond its own loopback, and
neither its node nor what that node started outlives the grading. The honest classmate's
JavaScript still gets full marks."""

from __future__ import annotations

import ast
import json
import secrets
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from course_cli.grader.classroom.batch import grade_class
from course_cli.runtime.worker.isolation import namespaces_problem
from course_cli.workspace import bundled_dir
from tests.node_processes import marked, node_children

EXERCISE = "02-proxy-event"

# Placeholders: @@NAME@@, filled in by the test.
HOSTILE = """\
import fs from "node:fs";
import net from "node:net";
import { spawn } from "node:child_process";

process.title = "@@MARKER@@-main";
// A daemon of its own, which must not outlive the grading either.
spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)", "@@MARKER@@-child"], {
  detached: true,
  stdio: "ignore",
}).unref();

function attempt(read) {
  try {
    return JSON.stringify(read()).slice(0, 200);
  } catch (error) {
    return error.code ?? String(error);
  }
}

function connect(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (what) => {
      socket.destroy();
      resolve(what);
    };
    socket.setTimeout(1000, () => done("timeout"));
    socket.on("connect", () => done("connected"));
    socket.on("error", (error) => done(error.code ?? String(error)));
  });
}

export const handler = async () => {
  const found = {
    classmate: attempt(() => fs.readFileSync("@@CLASSMATE@@", "utf8")),
    solutions: attempt(() => fs.readdirSync("@@SOLUTIONS@@")),
    staging: attempt(() => fs.readdirSync("@@STAGING@@")),
    loopback: await connect("127.0.0.1", @@PORT@@),
    host: await connect("@@HOST_IP@@", @@PORT@@),
  };
  return { statusCode: 200, body: JSON.stringify({ userId: JSON.stringify(found) }) };
};
"""


def host_address() -> str:
    """This machine's address on its way out (no packet is sent), else loopback's."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: routing only
            return str(probe.getsockname()[0])
        except OSError:
            return "127.0.0.1"


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A TCP listener on every host address: nothing from the sandbox may reach it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("0.0.0.0", 0))
    server.listen(8)
    server.setblocking(False)
    try:
        yield server
    finally:
        server.close()


def accepted(server: socket.socket) -> int:
    count = 0
    while True:
        try:
            connection, _ = server.accept()
        except BlockingIOError:
            return count
        connection.close()
        count += 1


def findings(result: dict[str, Any]) -> dict[str, str]:
    """What the hostile handler reported, from the first case's message ("..., got '...'")."""
    message = result["cases"][0]["message"]
    reported = ast.literal_eval(message.rpartition(", got ")[2])
    found: dict[str, str] = json.loads(reported)
    return found


@pytest.mark.slow
def test_a_hostile_handler_mjs_stays_behind_the_wall(
    tmp_path: Path, listener: socket.socket, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem = namespaces_problem()
    if problem is not None:
        pytest.skip(f"no namespaces on this machine: {problem}")
    staging = tmp_path / "grader-tmp"
    staging.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(staging))  # where course grade stages
    klass = tmp_path / "class"
    (klass / "alice").mkdir(parents=True)
    (klass / "mallory").mkdir()
    solution = bundled_dir("solutions") / "javascript" / EXERCISE / "handler.mjs"
    shutil.copy(solution, klass / "alice" / "handler.mjs")
    marker = "h23-" + secrets.token_hex(6)
    values = {
        "MARKER": marker,
        "CLASSMATE": str(klass / "alice" / "handler.mjs"),
        "SOLUTIONS": str(bundled_dir("solutions")),
        "STAGING": str(staging),
        "PORT": str(listener.getsockname()[1]),
        "HOST_IP": host_address(),
    }
    source = HOSTILE
    for name, value in values.items():
        source = source.replace(f"@@{name}@@", value)
    (klass / "mallory" / "handler.mjs").write_text(source, encoding="utf-8")

    report = grade_class(klass, EXERCISE, tmp_path / "out", workers=1, isolation="namespaces")

    lines = (tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    results = {s["learner"]: s for s in map(json.loads, lines)}
    alice = results["alice"]
    assert alice["status"] == "passed" and alice["score"] == alice["max_score"], alice
    seen = findings(results["mallory"])
    assert seen == {
        "classmate": "ENOENT",
        "solutions": "ENOENT",
        "staging": "ENOENT",
        "loopback": "ECONNREFUSED",  # its own loopback, where nothing listens
        "host": "ENETUNREACH",
    }, seen
    assert accepted(listener) == 0
    assert marked(marker) == []  # neither its node nor the daemon it started lives on
    assert node_children() == []
    assert report.graded_now == 2
