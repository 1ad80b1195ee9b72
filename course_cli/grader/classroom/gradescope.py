"""`course gradescope build`: a Gradescope autograder zip whose `setup.sh` installs `course`
and whose `run_autograder` grades the submission with `course grade`."""

from __future__ import annotations

import os
import shlex
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course_cli.errors import WorkspaceError
from course_cli.grader.classroom.scaffold import (
    DEFAULT_INSTALL_SPEC,
    GradedExercise,
    ScaffoldError,
    checked_install_spec,
    fill_template,
    graded_exercises,
)

AUTOGRADER_FILES = Path(__file__).parent / "autograder_files"
# Fixed timestamps make the same inputs give the same zip, byte for byte.
ZIP_DATE = (2024, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class GradescopeAutograder:
    """What `build_gradescope_autograder` wrote: the zip, its exercise and entries."""

    path: Path
    exercise: GradedExercise
    install_spec: str
    entries: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """The `--json` shape: path, exercise, install, entries."""
        return {
            "path": str(self.path),
            "exercise": self.exercise.to_json(),
            "install": self.install_spec,
            "entries": list(self.entries),
        }


def gradescope_files(exercise: GradedExercise, install_spec: str) -> dict[str, str]:
    """The autograder's files by name: `setup.sh` and `run_autograder`, filled in."""
    values = {
        "EXERCISE": shlex.quote(exercise.exercise),
        "MAX_SCORE": str(exercise.max_points),
        "COURSE_INSTALL": shlex.quote(install_spec),
    }
    return {
        name: fill_template(AUTOGRADER_FILES / name, values)
        for name in ("setup.sh", "run_autograder")
    }


def build_gradescope_autograder(
    exercise_id: str,
    out: Path | None = None,
    *,
    install_spec: str = DEFAULT_INSTALL_SPEC,
    force: bool = False,
) -> GradescopeAutograder:
    """Write the Gradescope autograder zip for one exercise to `out` (default:
    `./gradescope-<id>.zip`; a folder gets that name inside it). Both scripts are executable
    in the zip. Refuses (`ScaffoldError`, exit 2) to overwrite a file unless `force`."""
    (exercise,) = graded_exercises([exercise_id])
    install_spec = checked_install_spec(install_spec)
    name = f"gradescope-{exercise.exercise}.zip"
    path = (out or Path(name)).expanduser()
    if path.is_dir():
        path = path / name
    if path.exists() and not force:
        raise ScaffoldError(
            f"{path} already exists; nothing was changed",
            hint="add --force to overwrite it, or choose another --out",
        )
    files = gradescope_files(exercise, install_spec)
    try:
        _write_zip(path, files)
    except OSError as exc:
        raise WorkspaceError(f"cannot write {path}: {exc.strerror}") from None
    return GradescopeAutograder(path.resolve(), exercise, install_spec, tuple(files))


def _write_zip(path: Path, files: dict[str, str]) -> None:
    """`files` as executable entries of a zip at `path`, written whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target and renamed: an interrupted build leaves no half zip.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".gradescope-", suffix=".zip")
    os.close(handle)
    try:
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
            for entry, text in files.items():
                info = zipfile.ZipInfo(entry, date_time=ZIP_DATE)
                info.create_system = 3  # Unix: unzip honours the mode bits below
                info.external_attr = 0o100755 << 16  # a regular file, rwxr-xr-x
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
