"""Shared by the checks of handler exercises: a one-function AWS_PROXY API over the learner's
`handler.py`, loaded up front so a syntax or import error is one clear result."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from course_cli.grader.lesson_api import GradedApi, graded_api
from course_cli.grader.runner import SubmissionRunner, SubmittedFunction


def handler_api(
    folder: Path, runner: SubmissionRunner, routes: Mapping[str, tuple[str, ...]], name: str
) -> GradedApi:
    """An API sending each (resource, methods) of `routes` to `folder/handler.py:handler`."""
    function = SubmittedFunction(f"{folder / 'handler.py'}:handler")
    runner.load(function)
    table = {
        "name": name,
        "routes": [
            {"resource": resource, "method": method, "integration": {"function": name}}
            for resource, methods in routes.items()
            for method in methods
        ],
    }
    return graded_api(table, runner, {name: function})
