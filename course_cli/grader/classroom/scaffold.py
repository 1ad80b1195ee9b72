"""What the classroom scaffolds (`github_classroom.py`, `gradescope.py`) share: the exercises
they grade and what they install. Both rely only on `course grade`'s command line and report
files; max points are summed from each exercise's cases, hidden ones included.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course_cli import __version__
from course_cli.errors import BadOptionError, UsageError

# `course` as published on PyPI at this version; `--install` names anything else pip accepts.
DEFAULT_INSTALL_SPEC = f"course=={__version__}"


def default_install_spec() -> str:
    """What the generated files install when `--install` is not given: where this `course`
    itself came from, when pip recorded a place CI can reach too (a git repository at its
    commit, or an archive URL; PEP 610's `direct_url.json`), else `DEFAULT_INSTALL_SPEC`."""
    import importlib.metadata

    try:
        recorded = importlib.metadata.distribution("course").read_text("direct_url.json")
        origin = json.loads(recorded or "null")
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return DEFAULT_INSTALL_SPEC
    if not isinstance(origin, dict):
        return DEFAULT_INSTALL_SPEC
    url = str(origin.get("url", ""))
    if not url.startswith(("https://", "http://", "ssh://", "git@")):
        return DEFAULT_INSTALL_SPEC  # a folder on this machine: CI cannot reach it
    vcs = origin.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs") and vcs.get("commit_id"):
        return f"course @ {vcs['vcs']}+{url}@{vcs['commit_id']}"
    return f"course @ {url}"


class ScaffoldError(UsageError):
    """The target of a scaffolding command is in the way (a file, or files written before)."""


@dataclass(frozen=True)
class GradedExercise:
    """One exercise as the graders see it; `runner_id` is its GitHub Actions step (`ex06`)."""

    exercise: str
    runner_id: str
    max_points: int
    files: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "exercise": self.exercise,
            "runner": self.runner_id,
            "max_points": self.max_points,
            "files": list(self.files),
        }


def graded_exercises(requested: Iterable[str] = ()) -> tuple[GradedExercise, ...]:
    """The named exercises (ids or bare numbers) in lesson order, each once; all of them when
    none is named. An unknown id raises `UnknownExerciseError` (exit 2)."""
    from course_cli.grader.checking import check_module, exercise_ids, resolve_exercise_id
    from course_cli.grader.classroom.batch import exercise_files

    wanted = {resolve_exercise_id(e) for e in requested} or set(exercise_ids())
    graded = []
    for exercise in exercise_ids():
        if exercise not in wanted:
            continue
        graded.append(
            GradedExercise(
                exercise,
                "ex" + exercise.split("-", 1)[0],
                sum(case.points for case in check_module(exercise).CASES),
                tuple(exercise_files(exercise)),
            )
        )
    return tuple(graded)


def checked_install_spec(spec: str) -> str:
    spec = spec.strip()
    # It lands in a YAML value and a shell line: one line, and not empty.
    if not spec or "\n" in spec or "\r" in spec:
        raise BadOptionError(
            "--install needs one pip requirement on one line",
            hint="e.g. --install 'course @ git+https://github.com/ORG/course'",
        )
    return spec


def fill_template(template: Path, values: Mapping[str, str]) -> str:
    """The text of `template` with each `@NAME@` replaced by `values["NAME"]`."""
    text = template.read_text(encoding="utf-8")
    return re.sub(r"@([A-Z_]+)@", lambda name: values[name.group(1)], text)
