"""Executing the companion notebooks with a real kernel (nbclient + ipykernel).

Shared by the kernel tests and `benchmarks/notebooks.py`. Each notebook runs in a copy of its
own in a scratch folder (the originals stay without outputs), optionally with every exercise
cell's starter replaced by the reference solution from `solutions/`.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
SOLUTIONS = ROOT / "solutions"
CELL_TIMEOUT_S = 60
# A verdict line in check()'s HTML: "course check <id></b>: <summary>".
VERDICT = re.compile(r"course check ([\w-]+)</b>: ([^<]*)")


def notebook_paths() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))


@dataclass
class Executed:
    notebook: nbformat.NotebookNode
    folder: Path

    def errors(self) -> list[str]:
        """Every error output, as 'cell N: ename: evalue'."""
        return [
            f"cell {index}: {output.get('ename')}: {output.get('evalue')}"
            for index, cell in enumerate(self.notebook.cells)
            for output in cell.get("outputs", [])
            if output.get("output_type") == "error"
        ]

    def verdicts(self) -> dict[str, str]:
        """Exercise id -> the summary line its `check(...)` cell showed."""
        found: dict[str, str] = {}
        for cell in self.notebook.cells:
            if "check" not in cell.metadata.get("tags", []):
                continue
            for output in cell.get("outputs", []):
                html = output.get("data", {}).get("text/html", "")
                for exercise, summary in VERDICT.findall(html):
                    found[exercise] = summary
        return found

    def html(self, index: int) -> str:
        return "".join(
            output.get("data", {}).get("text/html", "")
            for output in self.notebook.cells[index].get("outputs", [])
        )


def with_solutions(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook with each exercise cell holding the reference solution."""
    for cell in notebook.cells:
        meta = cell.metadata.get("course")
        if "exercise" in cell.metadata.get("tags", []) and meta:
            solution = (SOLUTIONS / meta["exercise"] / meta["file"]).read_text(encoding="utf-8")
            cell.source = f"%%writefile {meta['target']}\n{solution}"
    return notebook


def execute(
    path: Path,
    scratch: Path,
    *,
    solutions: bool,
    extra: list[nbformat.NotebookNode] | None = None,
) -> Executed:
    """Run `path` top to bottom in a fresh kernel, in its own copy under `scratch`; `extra`
    cells run after the last one."""
    folder = scratch / path.stem
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, folder / path.name)
    notebook = nbformat.read(folder / path.name, as_version=4)
    if solutions:
        with_solutions(notebook)
    notebook.cells.extend(extra or [])
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(folder)}},
    )
    client.execute()
    return Executed(notebook, folder)


def summary(executed: Executed) -> str:
    return json.dumps({"errors": executed.errors(), "verdicts": executed.verdicts()}, indent=1)
