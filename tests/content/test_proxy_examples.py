"""The live examples of topics 2 and 3 run the code their steps show, with the expected answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from course_cli.content import load_lesson
from course_cli.ui.console import recording_console
from course_cli.ui.examples import available_examples, run_example
from course_cli.ui.examples.proxy import (
    EXAMPLES,
    example_file,
    run_proxy_example,
    step_handler_source,
)

EXPECTED_STATUSES = {
    "proxy-event-from-request": [200],
    "query-string-null": [200, 502],
    "repeated-query-keys": [200],
    "dict-body-502": [502],
    "marshal-error-decimal": [502],
    "unhandled-exception-502": [200, 502],
    "missing-route-403": [200, 403, 403],
}


@pytest.mark.parametrize("spec", EXAMPLES, ids=lambda s: s.example_id)
def test_example_answers_as_the_step_says(spec: object, course_home: Path) -> None:
    documents = run_proxy_example(spec)  # type: ignore[arg-type]
    statuses = [d["response"]["statusCode"] for d in documents]  # type: ignore[index]
    assert statuses == EXPECTED_STATUSES[spec.example_id]  # type: ignore[attr-defined]


def test_example_handlers_are_the_steps_code(course_home: Path) -> None:
    for spec in EXAMPLES:
        if spec.uses_step_code:
            path = example_file(spec)
            assert path.parent == course_home / "examples"
            assert path.read_text() == step_handler_source(spec.example_id)


def test_repeated_keys_handler_sees_every_value(course_home: Path) -> None:
    spec = next(s for s in EXAMPLES if s.example_id == "repeated-query-keys")
    (document,) = run_proxy_example(spec)
    assert json.loads(document["response"]["body"]) == {"tags": ["red", "blue"]}  # type: ignore[index]


def test_the_missing_route_explanations_name_the_case(course_home: Path) -> None:
    spec = next(s for s in EXAMPLES if s.example_id == "missing-route-403")
    _, no_resource, no_method = run_proxy_example(spec)
    assert "No resource" in " ".join(no_resource["explanations"])  # type: ignore[arg-type]
    assert "no DELETE method" in " ".join(no_method["explanations"])  # type: ignore[arg-type]


def test_every_registered_example_belongs_to_a_step_and_renders(course_home: Path) -> None:
    lesson_examples = {s.example for s in load_lesson("lesson-3").steps if s.example}
    assert set(EXPECTED_STATUSES) <= available_examples() <= lesson_examples
    console = recording_console()
    for example_id in EXPECTED_STATUSES:
        console.print(run_example(example_id))
    assert "Why 502" in console.export_text()


def test_an_example_not_built_yet_says_so() -> None:
    console = recording_console()
    console.print(run_example("no-such-example"))
    assert "not available in this version" in console.export_text()
