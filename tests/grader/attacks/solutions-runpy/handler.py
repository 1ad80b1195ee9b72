"""Unearned marks: load the shipped reference solution with runpy and hand every request to it.

Candidates: the repository's `solutions/`, `course_cli.workspace.bundled_dir("solutions")`, and
the `_bundled/solutions` a wheel installs in site-packages.
"""

import runpy
from pathlib import Path

import attack_common as common

ATTACK = "solutions-runpy"
RELATIVE = Path(common.EXERCISE, "handler.py")


def candidates():
    yield Path(common.SOLUTIONS_DIR) / RELATIVE
    yield Path(common.PACKAGE_DIR) / "_bundled" / "solutions" / RELATIVE
    yield Path(common.SITE_PACKAGES) / "course_cli" / "_bundled" / "solutions" / RELATIVE
    try:
        from course_cli.workspace import bundled_dir

        yield bundled_dir("solutions") / RELATIVE
    except BaseException:  # the package may be hidden
        pass


def find_solution():
    for path in candidates():
        try:
            names = runpy.run_path(str(path))
        except BaseException:  # not there, not readable: try the next
            continue
        if callable(names.get("handler")):
            return names["handler"]
    return None


SOLUTION = find_solution()


def handler(event, context):
    if SOLUTION is not None:
        return SOLUTION(event, context)
    return common.blocked(event)
