"""`course init`: a workspace for a pip-installed course, never overwriting a learner's files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from course_cli.workspace import MARKER, bundled_dir, find_workspace
from tests.conftest import REPO, CliResult

Run = Callable[..., CliResult]


def test_init_copies_the_exercises_and_marks_the_folder(run_cli: Run, tmp_path: Path) -> None:
    target = tmp_path / "my-course"
    result = run_cli("init", str(target))
    assert result.exit_code == 0, result.stderr
    assert "Workspace ready" in result.stdout
    shipped = sorted(
        p.relative_to(bundled_dir("exercises"))
        for p in bundled_dir("exercises").rglob("*")
        if "__pycache__" not in p.parts
    )
    copied = sorted(p.relative_to(target / "exercises") for p in (target / "exercises").rglob("*"))
    assert copied == shipped and copied
    assert json.loads((target / MARKER).read_text())["format_version"] == 1
    # Commands run anywhere inside it find it.
    inner = target / "exercises"
    found = find_workspace(inner)
    assert found is not None and found.root == target and found.kind == "workspace"


def test_init_twice_keeps_the_learners_files(run_cli: Run, tmp_path: Path) -> None:
    target = tmp_path / "ws"
    run_cli("init", str(target))
    learner_file = target / "exercises" / "mine.py"
    learner_file.write_text("my work")
    result = run_cli("init", str(target))
    assert result.exit_code == 1
    assert "already holds a workspace; nothing was changed" in result.stderr
    assert learner_file.read_text() == "my work"


def test_init_on_a_file_is_refused(run_cli: Run, tmp_path: Path) -> None:
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    result = run_cli("init", str(a_file))
    assert result.exit_code == 1 and "is not a folder" in result.stderr


def test_the_clone_is_its_own_workspace() -> None:
    found = find_workspace(REPO / "tests")
    assert found is not None and found.kind == "clone" and found.root == REPO


def test_outside_any_workspace(tmp_path: Path) -> None:
    assert find_workspace(tmp_path) is None


def test_init_leaves_installed_node_packages_behind(tmp_path: Path) -> None:
    from course_cli.workspace import _starters_ignored

    ignored = _starters_ignored(None)(str(tmp_path), ["index.mjs", "node_modules", "__pycache__"])
    assert ignored == {"node_modules", "__pycache__"}
