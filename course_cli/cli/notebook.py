"""`course notebook [TOPIC]`: the Jupyter companion, opened on the learner's own copies."""

from __future__ import annotations

from typing import Annotated

import typer


def notebook(
    topic: Annotated[
        str | None,
        typer.Argument(metavar="[TOPIC]", help="Open this topic's notebook: 1-5 or a name (vtl)."),
    ] = None,
) -> None:
    """Open the lesson's notebooks in JupyterLab (a copy in your workspace: my-notebooks/)."""
    from course_cli.jupyter import open_notebooks
    from course_cli.workspace import require_workspace

    code = open_notebooks(require_workspace(), topic)
    if code:
        raise typer.Exit(code)
