"""`course classroom init`: a GitHub Classroom template repository that grades with `course grade`:
the learner workspace, a workflow grading every push, and a README section.
"""

from __future__ import annotations

import base64
import json
import shlex
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course_cli import __version__
from course_cli.errors import WorkspaceError
from course_cli.grader.classroom.scaffold import (
    DEFAULT_INSTALL_SPEC,
    GradedExercise,
    ScaffoldError,
    checked_install_spec,
    fill_template,
    graded_exercises,
)
from course_cli.workspace import MARKER, bundled_dir, init_workspace

WORKFLOW = Path(".github/workflows/classroom.yml")
# The workflow, its grading step and the README section, with `@NAME@` blanks.
TEMPLATES = Path(__file__).parent / "github_files"
README_BEGIN = "<!-- course classroom: begin (written by `course classroom init`) -->"
README_END = "<!-- course classroom: end -->"


@dataclass(frozen=True)
class ClassroomTemplate:
    """What `init_classroom` made; `written` and `kept` are paths relative to `root`."""

    root: Path
    exercises: tuple[GradedExercise, ...]
    install_spec: str
    written: tuple[str, ...]
    kept: tuple[str, ...]

    @property
    def max_points(self) -> int:
        return sum(e.max_points for e in self.exercises)

    def to_json(self) -> dict[str, Any]:
        """The `--json` shape: root, install, exercises, max_points, written, kept."""
        return {
            "root": str(self.root),
            "install": self.install_spec,
            "workflow": WORKFLOW.as_posix(),
            "exercises": [e.to_json() for e in self.exercises],
            "max_points": self.max_points,
            "written": list(self.written),
            "kept": list(self.kept),
        }


def init_classroom(
    target: Path,
    exercise_ids: Iterable[str] = (),
    *,
    install_spec: str = DEFAULT_INSTALL_SPEC,
    force: bool = False,
) -> ClassroomTemplate:
    """Make `target` a GitHub Classroom template repository grading `exercise_ids` (all when
    empty), keeping exercise files already there. `ScaffoldError` when `target` is a file, or
    the workflow exists and not `force` (which rewrites only the workflow and README section)."""
    exercises = graded_exercises(exercise_ids)
    install_spec = checked_install_spec(install_spec)
    root = target.expanduser().resolve()
    if root.exists() and not root.is_dir():
        raise ScaffoldError(f"{target} exists and is not a folder", hint="name a folder")
    if (root / WORKFLOW).exists() and not force:
        raise ScaffoldError(
            f"{target / WORKFLOW} already exists; nothing was changed",
            hint="add --force to rewrite the workflow and the README section "
            "(exercise files are never overwritten)",
        )
    try:
        written, kept = _classroom_workspace(root, exercises)
        workflow = root / WORKFLOW
        workflow.parent.mkdir(parents=True, exist_ok=True)
        workflow.write_text(classroom_workflow(exercises, install_spec), encoding="utf-8")
        written.append(WORKFLOW.as_posix())
        _write_readme_section(root / "README.md", classroom_readme(exercises, install_spec))
        written.append("README.md")
        gitignore = root / ".gitignore"
        if not gitignore.exists():
            # Learners run `course check` in the repository; its caches do not belong in commits.
            gitignore.write_text("__pycache__/\n*.pyc\n", encoding="utf-8")
            written.append(".gitignore")
    except OSError as exc:
        raise WorkspaceError(f"cannot write the template in {target}: {exc.strerror}") from None
    return ClassroomTemplate(root, exercises, install_spec, tuple(written), tuple(kept))


def _classroom_workspace(
    root: Path, exercises: tuple[GradedExercise, ...]
) -> tuple[list[str], list[str]]:
    """The learner workspace in `root`, never overwriting a file: (written, kept) paths."""
    ids = [e.exercise for e in exercises]
    if not (root / MARKER).exists() and not (root / "exercises").exists():
        workspace = init_workspace(root, exercise_ids=ids)
        written = [MARKER] + [
            p.relative_to(root).as_posix()
            for p in sorted(workspace.exercises_dir.rglob("*"))
            if p.is_file()
        ]
        return written, []
    # An existing workspace (a teacher's earlier template, say): keep what is there.
    added: list[str] = []
    kept: list[str] = []
    if not (root / MARKER).exists():
        # `course check` finds the workspace by this file.
        marker = {"format_version": 1, "course_version": __version__}
        (root / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
        added.append(MARKER)
    for exercise in ids:
        folder = root / "exercises" / exercise
        if folder.exists():
            kept.append(folder.relative_to(root).as_posix())
        else:
            shutil.copytree(
                bundled_dir("exercises") / exercise,
                folder,
                ignore=shutil.ignore_patterns("__pycache__"),
            )
            added.extend(p.relative_to(root).as_posix() for p in sorted(folder.rglob("*")))
    return added, kept


def classroom_workflow(exercises: Iterable[GradedExercise], install_spec: str) -> str:
    """The GitHub Actions workflow: install `course`, one grading step per exercise (step id =
    runner id, output `result`), then GitHub Classroom's reporter over all of them."""
    exercises = tuple(exercises)
    width = max(len(e.exercise) for e in exercises)
    total = sum(e.max_points for e in exercises)
    points = [
        f"#   {e.exercise:<{width}}  step {e.runner_id}  {e.max_points:>3} points"
        for e in exercises
    ]
    points.append(f"#   {'total':<{width}}             {total:>3} points")
    steps = [
        fill_template(
            TEMPLATES / "grading-step.yml",
            {
                "EXERCISE": e.exercise,
                "MAX_POINTS": str(e.max_points),
                "RUNNER": e.runner_id,
                "NOT_GRADED": classroom_fallback_result(e),
            },
        )
        for e in exercises
    ]
    results = [
        f'          {e.runner_id.upper()}_RESULTS: "${{{{ steps.{e.runner_id}.outputs.result }}}}"'
        for e in exercises
    ]
    values = {
        "VERSION": __version__,
        "POINTS": "\n".join(points),
        "COURSE_INSTALL": json.dumps(install_spec),
        "GRADING_STEPS": "".join(steps).removesuffix("\n"),
        "RESULTS": "\n".join(results),
        "RUNNERS": ",".join(e.runner_id for e in exercises),
    }
    return fill_template(TEMPLATES / "classroom.yml", values)


def classroom_fallback_result(exercise: GradedExercise) -> str:
    """Base64 of the reporter's JSON giving 0 points to an exercise that could not be graded."""
    message = (
        f"course grade could not grade {exercise.exercise}; see this step's log in the Actions run"
    )
    document = {
        "version": 1,
        "status": "error",
        "max_score": exercise.max_points,
        "tests": [
            {
                "name": f"{exercise.exercise}: grading did not run",
                "status": "error",
                "score": 0,
                "max_score": exercise.max_points,
                "message": message,
                "line_no": 0,
                "execution_time": "0s",
                "test_code": "",
            }
        ],
    }
    return base64.b64encode(json.dumps(document).encode("utf-8")).decode("ascii")


def classroom_readme(exercises: Iterable[GradedExercise], install_spec: str) -> str:
    """The learner-facing README section (`github_files/README-section.md`, filled in)."""
    exercises = tuple(exercises)
    rows = [
        f"| `{e.exercise}` | "
        + ", ".join(f"`exercises/{e.exercise}/{name}`" for name in e.files)
        + f" | {e.max_points} |"
        for e in exercises
    ]
    values = {
        "ROWS": "\n".join(rows),
        "TOTAL": str(sum(e.max_points for e in exercises)),
        "INSTALL": shlex.quote(install_spec),
        "FIRST": exercises[0].exercise,
    }
    section = fill_template(TEMPLATES / "README-section.md", values)
    return f"{README_BEGIN}\n{section}{README_END}\n"


def _write_readme_section(readme: Path, section: str) -> None:
    """Put `section` in `readme`: replace the marked section written before, else append it;
    the rest of the file stays as it is."""
    if not readme.exists():
        readme.write_text(section, encoding="utf-8")
        return
    text = readme.read_text(encoding="utf-8")
    begin, end = text.find(README_BEGIN), text.find(README_END)
    if begin != -1 and end > begin:
        after = text[end + len(README_END) :].removeprefix("\n")
        readme.write_text(text[:begin] + section + after, encoding="utf-8")
    else:
        separator = "" if text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
        readme.write_text(text + separator + section, encoding="utf-8")
