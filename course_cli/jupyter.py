"""The companion notebooks on disk: the shipped originals, the learner's copies, JupyterLab.

`course notebook` copies the originals once into `my-notebooks/` (keeping the learner's
copies) and starts JupyterLab there: nothing the course ships is ever changed.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

from course_cli.errors import CourseError, UsageError
from course_cli.workspace import Workspace, bundled_dir

COPY_DIR = "my-notebooks"
INSTALL_COMMAND = "pip install 'course[notebook]'"


class JupyterMissingError(CourseError):
    """JupyterLab is not installed; `course notebook` needs the optional extra."""


def original_notebooks() -> list[Path]:
    """The shipped notebooks, in topic order (`01-…` to `05-…`)."""
    return sorted(bundled_dir("notebooks").glob("[0-9][0-9]-*.ipynb"))


def find_notebook(topic: str, notebooks: list[Path]) -> Path:
    """The notebook for `topic`: its number (`3`, `03`), its name or a part of it (`vtl`)."""
    wanted = topic.strip().lower().removesuffix(".ipynb")
    if wanted.isdigit():
        matches = [nb for nb in notebooks if nb.name[:2] == wanted.zfill(2)]
    else:
        matches = [nb for nb in notebooks if wanted in nb.stem.lower()]
    if len(matches) != 1:
        names = ", ".join(nb.stem for nb in notebooks)
        raise UsageError(f"no single notebook for topic {topic!r}", hint=f"notebooks: {names}")
    return matches[0]


def copy_notebooks(workspace: Workspace) -> Path:
    """Copy the originals into `<workspace>/my-notebooks/` (never over a learner's copy)."""
    target = workspace.root / COPY_DIR
    target.mkdir(parents=True, exist_ok=True)
    for notebook in original_notebooks():
        copy = target / notebook.name
        if not copy.exists():
            shutil.copyfile(notebook, copy)
    return target


def require_jupyterlab() -> None:
    """`JupyterMissingError` (one line, with the pip command) when JupyterLab is absent."""
    if importlib.util.find_spec("jupyterlab") is None:
        raise JupyterMissingError(
            f"JupyterLab is not installed; install it with: {INSTALL_COMMAND}"
        )


def lab_command(folder: Path, notebook: Path | None) -> list[str]:
    """The command that starts JupyterLab in `folder`, opening `notebook` when given."""
    command = [sys.executable, "-m", "jupyterlab", f"--notebook-dir={folder}"]
    return [*command, notebook.name] if notebook is not None else command


def open_notebooks(workspace: Workspace, topic: str | None = None) -> int:
    """Copy the notebooks into the workspace and run JupyterLab on them until it stops."""
    require_jupyterlab()
    folder = copy_notebooks(workspace)
    notebook = find_notebook(topic, sorted(folder.glob("*.ipynb"))) if topic else None
    return subprocess.call(lab_command(folder, notebook), cwd=folder)
