"""Every notebook, top to bottom, in a real kernel: once with the reference solutions in the
exercise cells (no cell errors, full marks), once as shipped (the checks fail as they should,
and the kernel lives on)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from tests.notebooks.running import execute, notebook_paths

pytestmark = [pytest.mark.kernel, pytest.mark.slow]

NOTEBOOKS = notebook_paths()
SCORE = re.compile(r"(\d+)/(\d+)")


def exercises_in(path: Path) -> list[str]:
    notebook = nbformat.read(path, as_version=4)
    return [
        cell.metadata["course"]["exercise"]
        for cell in notebook.cells
        if "check" in cell.metadata.get("tags", [])
    ]


def score(summary: str) -> tuple[int, int]:
    found = SCORE.search(summary)
    assert found, summary
    return int(found[1]), int(found[2])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_with_solutions_every_cell_runs_and_every_check_is_full_marks(
    path: Path, tmp_path: Path
) -> None:
    executed = execute(path, tmp_path, solutions=True)
    assert executed.errors() == []
    verdicts = executed.verdicts()
    assert sorted(verdicts) == sorted(exercises_in(path))
    for exercise, summary in verdicts.items():
        assert "pass" in summary and "failed" not in summary, (exercise, summary)
        earned, available = score(summary)
        assert earned == available > 0, (exercise, summary)
    for index, cell in enumerate(executed.notebook.cells):
        if cell.cell_type == "code" and cell.source.startswith(("%%invoke", "%%vtl")):
            shown = [o for o in cell.outputs if "text/html" in o.get("data", {})]
            assert len(shown) == 1, f"cell {index} shows its result {len(shown)} times"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_as_shipped_the_checks_fail_and_the_kernel_lives(path: Path, tmp_path: Path) -> None:
    executed = execute(path, tmp_path, solutions=False, extra=[new_code_cell("print('alive')")])
    assert executed.errors() == []
    verdicts = executed.verdicts()
    assert sorted(verdicts) == sorted(exercises_in(path))
    for exercise, summary in verdicts.items():
        assert "failed" in summary, (exercise, summary)
        earned, available = score(summary)
        assert earned < available, (exercise, summary)
    for exercise in verdicts:  # the failing cases are named, with what happened
        cell = next(
            c
            for c in executed.notebook.cells
            if "check" in c.metadata.get("tags", [])
            and c.metadata["course"]["exercise"] == exercise
        )
        assert "✗" in "".join(o.get("data", {}).get("text/html", "") for o in cell.outputs)
    last = executed.notebook.cells[-1]
    # (The kernel may send the printed line as one stream message or several.)
    assert "".join(o.get("text", "") for o in last.outputs) == "alive\n"
