"""Shared by the checks of handler exercises: a one-function AWS_PROXY API over the learner's
handler (`handler.py`, or `handler.mjs`/`.js`/`.cjs` in its place: `grader.handler_files`),
loaded up front so a syntax or import error is one clear result."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from course_cli.grader.handler_files import graded_handler
from course_cli.grader.lesson_api import GradedApi, graded_api
from course_cli.grader.runner import SubmissionRunner, SubmittedFunction


def handler_api(
    folder: Path, runner: SubmissionRunner, routes: Mapping[str, tuple[str, ...]], name: str
) -> GradedApi:
    """An API sending each (resource, methods) of `routes` to the `handler` export or
    function of `folder`'s graded handler file."""
    function = SubmittedFunction(f"{graded_handler(folder)}:handler")
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
