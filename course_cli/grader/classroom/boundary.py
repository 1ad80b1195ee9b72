"""Which wall `course grade` puts around untrusted submissions, and the one-line account of it.

`choose` picks one of `runtime.worker.isolation`'s modes, or refuses rather than grade
untrusted code unwalled; `hidden_from_workers` does the `uid` mode's part that is ours.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from course_cli.errors import UsageError

AUTO = "auto"
CHOICES = (AUTO, "namespaces", "uid")


class IsolationRefused(UsageError):
    """No boundary for untrusted code can be had here, and the instructor did not waive it."""


def choose(requested: str, *, trust_submissions: bool) -> str:
    """The isolation `course grade` uses: `namespaces`, `uid` or `none` (only when
    `trust_submissions`). `auto` takes the first of the two walls this machine can give;
    `IsolationRefused`, saying why, when the one asked for cannot be had."""
    from course_cli.runtime.worker.isolation import namespaces_problem
    from course_cli.runtime.worker.process import uid_problem

    if requested not in CHOICES:
        raise UsageError(
            f"--isolation must be one of {', '.join(CHOICES)}, not {requested!r}",
            "leave it out to take the strongest one this machine has",
        )
    if trust_submissions:
        return "none"
    problems = {}
    for mode, probe in (("namespaces", namespaces_problem), ("uid", uid_problem)):
        if requested in (AUTO, mode):
            problem = probe()
            if problem is None:
                return mode
            problems[mode] = problem
    why = "; ".join(f"{mode}: {problem}" for mode, problem in problems.items())
    raise IsolationRefused(
        f"cannot isolate untrusted submissions on this machine ({why})",
        "grade on Linux with user namespaces (or as root, with Python where every user can "
        "run it), grade in GitHub Classroom or Gradescope, or pass --trust-submissions to "
        "grade with no boundary at all (only for code you trust)",
    )


def describe(mode: str) -> str:
    """One line saying what stands between the submissions and this machine."""
    return {
        "namespaces": "isolation: namespaces — each submission alone in its own user, mount, "
        "pid and network namespaces, seeing only its own files",
        "uid": "isolation: uid — each submission under a user id of its own; no network "
        "namespace, so it can reach services on this machine's loopback",
        "none": "isolation: none (--trust-submissions) — submissions run as you, with "
        "everything you can reach: grade only code you trust",
    }[mode]


@contextlib.contextmanager
def hidden_from_workers(paths: Iterable[Path]) -> Iterator[None]:
    """For the `with` block, make each existing path (a folder itself is enough) readable by
    its owner only, out of reach of the `uid` mode's workers; then put the modes back."""
    changed: list[tuple[Path, int]] = []
    try:
        for path in dict.fromkeys(p.resolve() for p in paths):
            try:
                mode = stat.S_IMODE(path.stat().st_mode)
            except OSError:
                continue
            private = mode & ~(stat.S_IRWXG | stat.S_IRWXO)
            if private != mode:
                os.chmod(path, private)
                changed.append((path, mode))
        yield
    finally:
        for path, mode in reversed(changed):
            with contextlib.suppress(OSError):
                os.chmod(path, mode)


def private_paths(out: Path, submissions: Path) -> list[Path]:
    """What a `uid` worker must not read: the solutions (bundled and in a clone), the check
    modules, the reference CRUD handler, the results, the class, HOME and COURSE_HOME."""
    import course_cli
    from course_cli.runtime.worker.mounts import other_package_folders

    package = Path(course_cli.__file__).resolve().parent
    paths = [
        package / "grader",
        package / "sandbox" / "reference",
        package / "_bundled",
        package.parent / "solutions",
        # An editable install keeps the bundled solutions in a course_cli folder of its own.
        *(folder / "_bundled" for folder in other_package_folders(package)),
        out,
        submissions if submissions.is_dir() else submissions.parent,
        Path.home(),
    ]
    course_home = os.environ.get("COURSE_HOME")
    if course_home:
        paths.append(Path(course_home))
    else:
        from platformdirs import user_data_path

        paths.append(user_data_path("course"))
    return paths
