"""Workspace commands: `init`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def init(
    directory: Annotated[
        Path,
        typer.Argument(metavar="[DIR]", help="Folder to create (default: ./course-workspace)."),
    ] = Path("course-workspace"),
) -> None:
    """Create a learner workspace: a copy of the exercises you will edit."""
    from rich.text import Text

    from course_cli.ui.console import get_console
    from course_cli.workspace import init_workspace

    workspace = init_workspace(directory)
    count = sum(1 for p in workspace.exercises_dir.iterdir() if p.is_dir())
    examples = workspace.examples_dir
    steps = sum(1 for p in examples.iterdir() if p.is_dir()) if examples.is_dir() else 0
    get_console().print(
        Text.assemble(
            ("Workspace ready: ", "ok"),
            str(workspace.root),
            f"\n{count} exercises in {workspace.exercises_dir}\n",
            f"{steps} steps' example files in {examples}\n" if steps else "",
            "Next: ",
            (f"cd {directory}", "command"),
            " then ",
            ("course start lesson-3", "command"),
        )
    )
