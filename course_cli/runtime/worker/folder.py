"""A worker's own folder and environment, and the submission's paths as the learner knows them.

The worker gets a copy of the submission in a fresh temporary folder (its working folder, with
HOME and TMPDIR beside it) and a scrubbed environment: only a PATH, a locale, empty AWS files and
what the caller passes — never the parent's credentials, profiles or proxies.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course_cli.errors import CourseError

# Folders never copied with a submission: not the learner's code, and possibly huge.
_SKIPPED_DIRS = frozenset({".git", ".venv", "venv", "__pycache__", "node_modules", ".mypy_cache"})
_MB = 1024 * 1024


class SubmissionTooLarge(CourseError):
    """The submission folder holds more than the worker copies."""


@dataclass(frozen=True)
class SandboxFolder:
    """The worker's temporary folder: `task` (the submission's copy, the working folder),
    `home` (HOME, with empty AWS config and credentials files) and `tmp` (TMPDIR)."""

    root: Path
    task: Path
    home: Path
    tmp: Path


def _copy_submission(source: Path, task: Path, copy_mb: int) -> None:
    """Copy regular files and folders only: a symlink in a submission (to `~/.aws`, say)
    is skipped, never followed, since the parent may be root."""
    task.mkdir()
    budget = copy_mb * _MB
    for folder, dirs, files in os.walk(source, followlinks=False):
        dirs[:] = [d for d in dirs if d not in _SKIPPED_DIRS and not d.startswith(".")]
        relative = Path(folder).relative_to(source)
        target_folder = task / relative
        for name in dirs:
            if not (Path(folder) / name).is_symlink():
                (target_folder / name).mkdir(exist_ok=True)
        for name in files:
            path = Path(folder) / name
            info = path.lstat()
            if not stat.S_ISREG(info.st_mode):
                continue
            budget -= info.st_size
            if budget < 0:
                raise SubmissionTooLarge(
                    f"the submission in {source} is larger than {copy_mb} MB",
                    "remove data files and virtual environments from the submission folder",
                )
            shutil.copyfile(path, target_folder / name, follow_symlinks=False)


def make_sandbox_folder(source: Path, copy_mb: int, owner: int | None) -> SandboxFolder:
    """A fresh temporary folder holding a copy of `source`, owned by `owner` if given."""
    root = Path(tempfile.mkdtemp(prefix="course-worker-"))
    folder = SandboxFolder(root, root / "task", root / "home", root / "tmp")
    try:
        _copy_submission(source, folder.task, copy_mb)
        (folder.home / ".aws").mkdir(parents=True)
        (folder.home / ".aws" / "config").write_text("", encoding="utf-8")
        (folder.home / ".aws" / "credentials").write_text("", encoding="utf-8")
        folder.tmp.mkdir()
        if owner is not None:
            for path in [root, *root.rglob("*")]:
                os.lchown(path, owner, owner)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return folder


def scrubbed_environment(folder: SandboxFolder, extra: Mapping[str, str]) -> dict[str, str]:
    """The worker's whole environment: nothing inherited but what is listed here and `extra`."""
    loopback = "127.0.0.1,localhost,::1"
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": str(folder.home),
        "TMPDIR": str(folder.tmp),
        "AWS_CONFIG_FILE": str(folder.home / ".aws" / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(folder.home / ".aws" / "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "NO_PROXY": loopback,
        "no_proxy": loopback,
    }
    env.update(extra)
    return env


def real_aws_files() -> list[str]:
    """The parent's real AWS configuration paths, which the worker's hook refuses to read."""
    paths = [str(Path.home() / ".aws")]
    for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        value = os.environ.get(name)
        if value:
            paths.append(value)
    return paths


def relocate(path: Path, source: Path, target: Path) -> Path:
    """`path` (inside the submission `source`) as the same file under `target`."""
    try:
        return target / path.resolve().relative_to(source)
    except ValueError:
        raise SubmissionTooLarge(
            f"{path} is outside the submission folder {source}",
            "give the submission folder as workdir",
        ) from None


def unrelocate(text: str, task: str, source: Path) -> str:
    """Show the submission's own paths instead of the worker's copy in text for the learner."""
    return text.replace(task + "/", str(source) + "/") if task in text else text


def learner_location(error: dict[str, Any], task: str, source: Path) -> tuple[str, int] | None:
    """`(file, line)` from a worker's report, the file named as in the submission."""
    file, line = error.get("file"), error.get("line")
    if not isinstance(file, str) or not isinstance(line, int):
        return None
    if file.startswith(task + "/"):
        file = str(source / file[len(task) + 1 :])
    elif not file.startswith("/"):
        file = str(source / file)
    return file, line
