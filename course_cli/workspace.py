"""Where the learner's exercise files live.

A clone of the course repository is its own workspace; elsewhere `course init DIR` copies the
bundled `exercises/` and `examples/` into `DIR` with a marker file, found by walking up from
the current directory. Steps print paths relative to it, so they work as printed in both.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from course_cli import __version__
from course_cli.errors import WorkspaceError

MARKER = ".course-workspace"
PACKAGE_DIR = Path(__file__).parent
REPO_ROOT = PACKAGE_DIR.parent


@dataclass(frozen=True)
class Workspace:
    """A folder whose `exercises/` holds the learner's files."""

    root: Path
    kind: str  # "workspace" (made by `course init`) or "clone" (the course repository)

    @property
    def exercises_dir(self) -> Path:
        """The folder with one sub-folder per exercise."""
        return self.root / "exercises"

    @property
    def examples_dir(self) -> Path:
        """The folder with one sub-folder per lesson step that has files to run."""
        return self.root / "examples"


def bundled_dir(name: str) -> Path:
    """A shipped folder (`exercises`, `solutions`, `examples`), in the wheel or the clone."""
    inside_wheel = PACKAGE_DIR / "_bundled" / name
    return inside_wheel if inside_wheel.is_dir() else REPO_ROOT / name


def starter_file(workspace: Workspace, exercise_id: str, name: str) -> bytes:
    """One exercise file as the course ships it, never a copy the learner may have edited:
    the wheel's package data, else git's `HEAD` in a clone, else the clone's file when the
    learner works elsewhere; otherwise `WorkspaceError` rather than "restore" their edit."""
    relative = Path("exercises", exercise_id, name)
    if (PACKAGE_DIR / "_bundled").is_dir():
        return _read_starter(PACKAGE_DIR / "_bundled" / relative)
    committed = _committed_file(REPO_ROOT, relative)
    if committed is not None:
        return committed
    if workspace.root.resolve() != REPO_ROOT.resolve():
        return _read_starter(REPO_ROOT / relative)
    raise WorkspaceError(
        f"no untouched copy of the starter {relative.as_posix()}: this course runs from the "
        f"folder you edit ({REPO_ROOT}) and git has no committed version of it",
        hint="get the file from the course repository again, or work in a workspace "
        "made by `course init DIR`",
    )


def _read_starter(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise WorkspaceError(
            f"the starter {path} is missing from this install ({error.strerror})",
            hint="reinstall the course",
        ) from None


def _committed_file(repo: Path, relative: Path) -> bytes | None:
    """`relative`'s content in `repo`'s HEAD commit, or None when git cannot tell (no git, not a
    repository, the file not committed)."""
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), "cat-file", "blob", f"HEAD:./{relative.as_posix()}"],
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def _is_clone(root: Path) -> bool:
    pyproject = root / "pyproject.toml"
    return (
        (root / "exercises").is_dir()
        and (root / "course_cli").is_dir()
        and pyproject.is_file()
        and 'name = "course"' in pyproject.read_text(encoding="utf-8")
    )


def find_workspace(start: Path | None = None) -> Workspace | None:
    """The workspace containing `start` (default: the current directory), or None."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MARKER).is_file():
            return Workspace(folder, "workspace")
        if _is_clone(folder):
            return Workspace(folder, "clone")
    return None


def require_workspace(start: Path | None = None) -> Workspace:
    """Like `find_workspace`, but a clear `WorkspaceError` when there is none."""
    workspace = find_workspace(start)
    if workspace is None:
        raise WorkspaceError(
            "this folder is not inside a course workspace",
            hint="create one with `course init my-course`, then `cd my-course`",
        )
    return workspace


def init_workspace(target: Path, exercise_ids: Collection[str] | None = None) -> Workspace:
    """Create a workspace in `target`: the starter exercises (only `exercise_ids`, when
    given), the steps' example files and a marker. Never overwrites: `WorkspaceError`."""
    target = target.expanduser().resolve()
    source = bundled_dir("exercises")
    if not source.is_dir():
        raise WorkspaceError(f"the starter exercises are missing from this install ({source})")
    if target.exists() and not target.is_dir():
        raise WorkspaceError(f"{target} exists and is not a folder")
    if (target / MARKER).exists() or (target / "exercises").exists():
        raise WorkspaceError(
            f"{target} already holds a workspace; nothing was changed",
            hint="to restore one exercise's starter file use `course reset EXERCISE`",
        )
    if (target / "examples").exists():
        raise WorkspaceError(
            f"{target / 'examples'} already exists; nothing was changed",
            hint="make the workspace in a new folder: `course init my-course`",
        )
    examples = bundled_dir("examples")
    try:
        target.mkdir(parents=True, exist_ok=True)
        shutil.copytree(source, target / "exercises", ignore=_starters_ignored(exercise_ids))
        if examples.is_dir():  # a wheel always has them; a partial source tree may not
            shutil.copytree(examples, target / "examples", ignore=_starters_ignored(None))
        marker = {
            "format_version": 1,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "course_version": __version__,
        }
        (target / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise WorkspaceError(f"cannot create a workspace in {target}: {exc.strerror}") from None
    return Workspace(target, "workspace")


def _starters_ignored(exercise_ids: Collection[str] | None) -> Callable[[str, list[str]], set[str]]:
    """`copytree`'s filter: caches and installed Node.js packages always (a learner runs
    `npm install` in their own copy), and exercise folders not asked for."""
    source = bundled_dir("exercises")

    def ignored(folder: str, names: list[str]) -> set[str]:
        skip = {name for name in names if name in ("__pycache__", "node_modules")}
        if exercise_ids is not None and Path(folder) == source:
            skip |= {n for n in names if (source / n).is_dir() and n not in exercise_ids}
        return skip

    return ignored
