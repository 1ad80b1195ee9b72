"""The live examples of topics 1 and 4 (`integration_examples.py`, `vtl_examples.py`) run
their steps' code and answer as the steps say."""

from __future__ import annotations

import json
import re
import socket
import threading
import urllib.request
from pathlib import Path

import pytest

from course_cli.content import load_lesson
from course_cli.ui.console import recording_console
from course_cli.ui.examples import available_examples, run_example
from course_cli.ui.examples.echo_backend import echo_backend
from course_cli.ui.examples.integrations import run_mock_health_check, run_side_by_side
from course_cli.ui.examples.step_code import example_file, step_blocks, step_request
from course_cli.ui.examples.vtl import (
    run_java_style_map,
    run_request_template,
    run_selection_pattern,
)

EXAMPLE_IDS = (
    "integration-side-by-side",
    "mock-health-check",
    "vtl-request-template",
    "vtl-map-renders-java-style",
    "selection-pattern-404",
)


@pytest.fixture(autouse=True)
def no_backend_left_running() -> object:
    """Every test here ends with the threads it started with: no echo server keeps running."""
    before = set(threading.enumerate())
    yield None
    assert set(threading.enumerate()) <= before


def test_side_by_side_sends_the_steps_request() -> None:
    request = step_request("integration-side-by-side")
    assert (request.method, request.path, request.query_string) == (
        "GET",
        "/prod/users/123",
        "include=orders",
    )
    assert request.headers.get("Accept") == "application/json"


@pytest.mark.slow
def test_side_by_side_shows_which_types_pass_the_query_string_on() -> None:
    rows = {row.type: row for row in run_side_by_side()}
    assert list(rows) == ["AWS_PROXY", "AWS", "HTTP_PROXY", "HTTP", "MOCK"]
    assert {row.status for row in rows.values()} == {200}
    # The two proxy types pass include=orders on as it came...
    assert rows["AWS_PROXY"].received["queryStringParameters"] == {"include": "orders"}
    assert rows["AWS_PROXY"].received["path"] == "/users/123"
    assert json.loads(rows["AWS_PROXY"].body)["received"]["queryStringParameters"] == {
        "include": "orders"
    }
    assert rows["HTTP_PROXY"].received == {"method": "GET", "path": "/users/123?include=orders"}
    # ...the others drop it unless configured: no template, no parameter mapping, no backend.
    assert rows["AWS"].received == {}
    assert json.loads(rows["AWS"].body) == {"received": {}}
    assert rows["HTTP"].received == {"method": "GET", "path": "/users/123"}
    backend_saw = json.loads(rows["HTTP"].body)["backend received"]
    assert backend_saw["path"] == "/users/123"
    assert rows["MOCK"].received is None
    assert json.loads(rows["MOCK"].body) == {"message": "MOCK answered by itself"}


@pytest.mark.slow
def test_the_echo_backend_is_real_and_gone_afterwards() -> None:
    with echo_backend() as backend:
        with urllib.request.urlopen(backend.url("/ping?x=1"), timeout=5) as answer:
            document = json.loads(answer.read())
        port = backend.port
    assert document["backend received"]["path"] == "/ping?x=1"
    assert backend.received[0]["method"] == "GET"
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


def test_mock_health_check_answers_as_step_1_6_says() -> None:
    request_template, response_template = step_blocks("mock-health-check", "velocity")
    assert request_template.strip() == '{"statusCode": 200}'
    assert "$context.stage" in response_template
    document = run_mock_health_check()
    assert document["response"]["statusCode"] == 200
    assert json.loads(document["response"]["body"]) == {"status": "ok", "stage": "prod"}
    assert document["event"] is not None and document["result"] == {"statusCode": 200}


def shown_inline(example_id: str, start: str) -> str:
    """The step's inline code span that starts with `start` (a span may wrap a line)."""
    step = next(s for s in load_lesson("lesson-3").steps if s.example == example_id)
    prose = re.sub(r"^```.*?^```", "", step.markdown(), flags=re.MULTILINE | re.DOTALL)
    spans = re.findall(r"`([^`]+)`", " ".join(prose.split()))
    return next(span for span in spans if span.startswith(start))


def test_request_template_prints_what_step_4_4_shows() -> None:
    with_query, without_query, apostrophe = run_request_template()
    printed_in_step = json.loads(step_blocks("vtl-request-template", "json")[0])
    assert with_query["event"] == printed_in_step
    assert json.loads(with_query["response"]["body"]) == printed_in_step
    # The step's closing question: no query string still gives valid JSON, an empty object.
    assert without_query["event"] == {"method": "GET", "query": {}}
    # escapeJavaScript writes ' as \'; the step's .replaceAll puts it back, so this is JSON.
    assert apostrophe["event"] == {"method": "GET", "query": {"q": "it's"}}
    statuses = {d["response"]["statusCode"] for d in (with_query, without_query, apostrophe)}
    assert statuses == {200}


def test_response_template_prints_a_map_java_style_and_the_fix_is_json() -> None:
    (first_template, first), (fixed_template, fixed) = run_java_style_map()
    assert "$response.body" in first_template
    assert "$input.json('$.body')" in fixed_template
    body = first["response"]["body"]
    assert '"data": {id=1, name=lamp},' in body
    assert shown_inline("vtl-map-renders-java-style", '"data"') == '"data": {id=1, name=lamp}'
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)
    assert json.loads(fixed["response"]["body"]) == {
        "data": {"id": 1, "name": "lamp"},
        "metadata": {"count": 1},
    }
    assert first["result"] == json.loads(step_blocks("vtl-map-renders-java-style", "json")[0])


def test_selection_pattern_maps_the_error_to_404_and_shows_the_trap() -> None:
    trap, found, not_found = run_selection_pattern()
    statuses = [d["response"]["statusCode"] for d in (trap, found, not_found)]
    assert statuses == [200, 200, 404]
    error = json.loads(trap["response"]["body"])
    # The step shows the body with the request id and stack trace elided (`...`).
    shown_in_step = shown_inline("selection-pattern-404", '{"errorMessage"')
    assert f'"errorMessage": "{error["errorMessage"]}"' in shown_in_step
    assert f'"errorType": "{error["errorType"]}"' in shown_in_step
    assert "no integration response's selectionPattern matched" in trap["explanations"][-1]
    assert json.loads(found["response"]["body"]) == {"id": "p1", "name": "lamp"}
    assert json.loads(not_found["response"]["body"]) == {"message": "Not found: product p2"}


def test_the_function_run_is_the_steps_code(course_home: Path) -> None:
    run_selection_pattern()
    source = step_blocks("selection-pattern-404", "python")[0]
    path = example_file("selection-pattern-404", source)
    assert path == course_home / "examples" / "selection-pattern-404.py"
    assert path.read_text() == source


def test_every_example_is_registered_and_renders() -> None:
    assert set(EXAMPLE_IDS) <= available_examples()
    console = recording_console()
    for example_id in EXAMPLE_IDS:
        console.print(run_example(example_id))
    text = console.export_text()
    for expected in (
        "HTTP_PROXY",
        "nothing: there is no backend",
        '{"status": "ok", "stage": "prod"}',
        '"limit": "5"',
        '"data": {id=1, name=lamp}',
        "✗ not valid JSON",
        "Not found: product p2",
        "Why 200",
    ):
        assert expected in text, expected
