"""The code a lesson step shows (```http, ```velocity, ```python and ```json blocks), run for
real by the live examples, so what runs is what the learner reads.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from course_cli.gateway.definition import ApiDefinition
    from course_cli.gateway.http import HttpRequest


def step_blocks(example_id: str, language: str) -> list[str]:
    """Every ```language block of the lesson step that runs `example_id`, in order."""
    from course_cli.content import load_lesson

    lesson = load_lesson("lesson-3")
    step = next(s for s in lesson.steps if s.example == example_id)
    pattern = re.compile(rf"^```{re.escape(language)}\n(.*?)^```", re.MULTILINE | re.DOTALL)
    blocks = pattern.findall(step.markdown())
    if not blocks:  # a content bug, caught by the example tests
        raise LookupError(f"step {step.number} shows no {language} block for {example_id}")
    return list(blocks)


def step_request(example_id: str) -> HttpRequest:
    """The request of the step's ```http block (request line and headers; no body)."""
    from course_cli.local_api import build_request

    request_line, *header_lines = step_blocks(example_id, "http")[0].strip().splitlines()
    method, target, _version = request_line.split()
    headers = [tuple(part.strip() for part in line.split(":", 1)) for line in header_lines]
    return build_request(method, target, headers=[(name, value) for name, value in headers])


def example_file(example_id: str, source: str) -> Path:
    """Write an example's Lambda code under `$COURSE_HOME/examples/`; return its path."""
    from course_cli.progress import course_home

    folder = course_home() / "examples"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{example_id}.py"
    if not path.exists() or path.read_text(encoding="utf-8") != source:
        path.write_text(source, encoding="utf-8")
    return path


def send(table: dict[str, Any], requests: list[HttpRequest]) -> list[dict[str, Any]]:
    """Load `table` (our route-table format) and send `requests`: `course invoke --json` docs."""
    from course_cli.gateway.pipeline import invocation_to_json
    from course_cli.gateway.route_table import load_route_table
    from course_cli.local_api import LocalApi
    from course_cli.runtime import InProcessRuntime

    definition: ApiDefinition = load_route_table(table)
    functions = {name: config.handler for name, config in definition.functions.items()}
    api = LocalApi(definition, InProcessRuntime(functions))
    return [invocation_to_json(api.send(request)) for request in requests]
