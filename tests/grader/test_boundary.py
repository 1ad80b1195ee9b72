"""`course grade` chooses its wall around untrusted code, says which, and refuses to grade
without one unless told to (`--trust-submissions`)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from course_cli.grader.classroom.boundary import hidden_from_workers
from course_cli.runtime.worker.isolation import namespaces_problem
from course_cli.runtime.worker.process import uid_problem
from course_cli.runtime.worker.relay import ParentEnd, WorkerEnd

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = ROOT / "solutions" / "03-fix-the-502"
FORMAT = ("--format", "json", "--out")


def grade(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, dict]:
    """Run `course grade` on a class of one honest learner; (exit code, stderr, results)."""
    klass = tmp_path / "class"
    if not klass.exists():
        shutil.copytree(SOLUTION, klass / "ada")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "course_cli", "grade", str(klass), "--exercise", "03"]
    completed = subprocess.run(
        [*command, *FORMAT, str(out), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COURSE_HOME": str(tmp_path / "home"), **(env or {})},
        check=False,
    )
    results = out / "results.json"
    document = json.loads(results.read_text()) if results.exists() else {}
    return completed.returncode, completed.stderr, document


@pytest.mark.slow
def test_the_default_is_the_strongest_wall_and_results_json_names_it(tmp_path: Path) -> None:
    code, stderr, document = grade(tmp_path)
    expected = "namespaces" if namespaces_problem() is None else "uid"
    assert code == 0, stderr
    assert f"isolation: {expected}" in stderr
    assert document["isolation"] == expected
    assert document["submissions"][0]["status"] == "passed"


@pytest.mark.slow
def test_without_namespaces_it_falls_back_to_a_user_id_or_refuses(tmp_path: Path) -> None:
    # An empty COURSE_BWRAP switches namespaces off, as a machine without them would be.
    code, stderr, document = grade(tmp_path, env={"COURSE_BWRAP": ""})
    if uid_problem() is None:
        assert code == 0 and document["isolation"] == "uid", stderr
        return
    assert code == 2 and document == {}
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "cannot isolate untrusted submissions on this machine" in stderr
    assert "Traceback" not in stderr and len(lines) <= 6
    assert "--trust-submissions" in stderr  # and what to do about it
    # Asked for namespaces by name, it says why it cannot have them.
    code, stderr, _ = grade(tmp_path, "--isolation", "namespaces", env={"COURSE_BWRAP": ""})
    assert code == 2 and "COURSE_BWRAP" in stderr


@pytest.mark.slow
def test_trust_submissions_grades_with_no_wall_and_says_so(tmp_path: Path) -> None:
    code, stderr, document = grade(tmp_path, "--trust-submissions", env={"COURSE_BWRAP": ""})
    assert code == 0, stderr
    assert "isolation: none" in stderr and "trust" in stderr
    assert document["isolation"] == "none"
    assert document["submissions"][0]["score"] == document["submissions"][0]["max_score"]


def test_an_unknown_isolation_is_a_usage_error(tmp_path: Path) -> None:
    code, stderr, _ = grade(tmp_path, "--isolation", "docker")
    assert code == 2 and "--isolation must be one of auto, namespaces, uid" in stderr


def test_hidden_paths_are_private_for_the_run_and_restored_after(tmp_path: Path) -> None:
    folder, missing = tmp_path / "solutions", tmp_path / "not-there"
    folder.mkdir(mode=0o755)
    (folder / "answer.py").write_text("x = 1\n")
    with hidden_from_workers([folder, missing]):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755


def test_the_relay_carries_a_loopback_port_through_one_unix_socket(tmp_path: Path) -> None:
    """What a namespaced worker's boto3 does: talk to 127.0.0.1:PORT, reaching the parent's
    server through the socket (both ends in this process here)."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def echo_upper() -> None:
        connection, _ = server.accept()
        with connection:
            connection.sendall(connection.recv(1024).upper())

    threading.Thread(target=echo_upper, daemon=True).start()
    parent = ParentEnd(tmp_path / "aws.sock", port)
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        inner_port = free.getsockname()[1]
    worker = WorkerEnd(inner_port, str(parent.path))
    try:
        with socket.create_connection(("127.0.0.1", inner_port), timeout=5) as client:
            client.sendall(b"get /products")
            assert client.recv(1024) == b"GET /PRODUCTS"
    finally:
        worker.close()
        parent.close()
        server.close()
