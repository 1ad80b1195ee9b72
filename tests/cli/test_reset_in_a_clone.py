"""`course reset` in the README's set-up: a clone of the course, installed with `pip install -e .`.

There the bundled starters *are* the learner's files (the package reads `exercises/` from the
clone), so the starter must come from what git committed. The clone here is a copy of this
source tree, committed in a fresh repository, and `course` runs from it the way an editable
install does: its own folder first on `sys.path`, no `_bundled/` package data.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import PYTHON, REPO

EXERCISE = "02-proxy-event"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "learner",
    "GIT_AUTHOR_EMAIL": "learner@example.com",
    "GIT_COMMITTER_NAME": "learner",
    "GIT_COMMITTER_EMAIL": "learner@example.com",
}


def _copy_source_tree(target: Path) -> None:
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", ".course-backups")
    for name in ("course_cli", "exercises", "solutions"):
        shutil.copytree(REPO / name, target / name, ignore=skip)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, target / name)
    # A wheel's package data would make this an ordinary install; a clone has none.
    shutil.rmtree(target / "course_cli" / "_bundled", ignore_errors=True)


def _git(clone: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(clone), *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **GIT_ENV},
    )
    return done.stdout


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A committed clone of the course, as `git clone` leaves it."""
    root = tmp_path / "course"
    _copy_source_tree(root)
    _git(root, "init", "--quiet")
    _git(root, "add", ".")
    _git(root, "commit", "--quiet", "-m", "the course as published")
    return root


def _course(clone: Path, course_home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COURSE_HOME": str(course_home), "PYTHONPATH": str(clone)}
    return subprocess.run(
        [PYTHON, "-m", "course_cli", *args],
        cwd=clone,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.mark.slow
def test_reset_in_an_editable_clone_restores_the_committed_starter(
    clone: Path, course_home: Path
) -> None:
    mine = clone / "exercises" / EXERCISE / "handler.py"
    solved = (clone / "solutions" / EXERCISE / "handler.py").read_text()
    mine.write_text(solved)
    # `course` really runs from the clone, as an editable install does.
    located = subprocess.run(
        [PYTHON, "-c", "import course_cli; print(course_cli.__file__)"],
        cwd=clone / "exercises",
        env={**os.environ, "PYTHONPATH": str(clone)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(located.stdout.strip()).is_relative_to(clone)

    checked = _course(clone, course_home, "check", EXERCISE)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    reset = _course(clone, course_home, "reset", EXERCISE)
    assert reset.returncode == 0, reset.stderr
    assert "nothing changed" not in reset.stdout
    committed = _git(clone, "show", f"HEAD:exercises/{EXERCISE}/handler.py")
    assert mine.read_text() == committed
    assert _git(clone, "status", "--porcelain", "--", "exercises") == ""
    backups = list((clone / ".course-backups" / EXERCISE).glob("*/handler.py"))
    assert [b.read_text() for b in backups] == [solved]
    assert str(backups[0].relative_to(clone)) in reset.stdout.replace("\n", "")


@pytest.mark.slow
def test_reset_without_git_says_where_the_starter_is_missing(
    clone: Path, course_home: Path
) -> None:
    shutil.rmtree(clone / ".git")  # a downloaded zip of the repository: no history to read
    mine = clone / "exercises" / EXERCISE / "handler.py"
    mine.write_text("# my work\n")
    reset = _course(clone, course_home, "reset", EXERCISE)
    assert reset.returncode == 1
    assert "Traceback" not in reset.stderr
    assert "no untouched copy of the starter" in reset.stderr
    assert "hint:" in reset.stderr.lower()
    assert mine.read_text() == "# my work\n"
