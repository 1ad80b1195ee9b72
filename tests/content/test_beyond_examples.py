"""Topic 6's live examples answer as their steps say, and the Node.js twins of its authorizers
and function (`examples/6-*/*.mjs`) answer as the Python files do."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from course_cli.ui.console import recording_console
from course_cli.ui.examples import run_example
from course_cli.ui.examples.beyond import (
    RUNNERS,
    both_events,
    cache_runs,
    context_document,
    inferred_documents,
    token_documents,
)
from tests.conftest import REPO
from tests.content.test_node_handlers import needs_node, run_node, step_block

EXAMPLES = REPO / "examples"
ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/items/1"


def statuses(documents: list[dict[str, Any]]) -> list[int]:
    return [d["response"]["statusCode"] for d in documents]


def test_the_same_request_as_a_1_0_and_a_2_0_event(course_home: Path) -> None:
    v1, v2 = both_events()
    assert v1["multiValueQueryStringParameters"] == {"tag": ["a", "b"]}
    assert v2["queryStringParameters"] == {"tag": "a,b"}
    assert v2["routeKey"] == "GET /users/{userId}" and v2["cookies"] == ["theme=dark"]
    assert "multiValueHeaders" not in v2 and "stageVariables" not in v2


def test_no_status_code_is_502_on_rest_and_200_on_an_http_api(course_home: Path) -> None:
    (_, rest), (_, http) = inferred_documents()
    assert rest["response"]["statusCode"] == 502
    assert http["response"]["statusCode"] == 200
    assert json.loads(http["response"]["body"]) == {"status": 404, "body": "no such product"}


def test_the_token_authorizer_answers_401_401_403_200_and_500(course_home: Path) -> None:
    assert statuses([d for _, d in token_documents()]) == [401, 401, 403, 200, 500]


def test_context_values_reach_the_function_as_strings(course_home: Path) -> None:
    document = context_document()
    authorizer = document["event"]["requestContext"]["authorizer"]
    assert authorizer["principalId"] == "ada"
    assert (authorizer["admin"], authorizer["quota"]) == ("false", "5")


def test_a_cached_method_policy_denies_the_next_method_and_the_fixes_do_not(
    course_home: Path,
) -> None:
    assert [statuses(documents) for _, documents in cache_runs()] == [
        [200, 403],
        [200, 200],
        [200, 200],
    ]


@pytest.mark.parametrize("example_id", sorted(RUNNERS))
def test_every_example_renders(example_id: str, course_home: Path) -> None:
    console = recording_console()
    console.print(run_example(example_id))
    assert f"Live example: {example_id}" in console.export_text()


# --- Node.js twins ---------------------------------------------------------------------------


def python_handler(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"twin_{path.parent.name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.handler


@needs_node
@pytest.mark.parametrize("folder", ["6-3-token-authorizer", "6-5-cached-policy"])
def test_a_node_authorizer_answers_as_its_python_twin(folder: str) -> None:
    python = python_handler(EXAMPLES / folder / "auth.py")
    events = [
        {"type": "TOKEN", "authorizationToken": token, "methodArn": ARN}
        for token in ("allow-me", "deny-me", "nobody")
    ]
    results = run_node(EXAMPLES / folder / "auth.mjs", [{"event": e} for e in events])
    for event, result in zip(events[:2], results, strict=False):
        assert result == {"value": python(event, None)}
    assert results[2]["error"]["message"] == "Unauthorized"
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        python(events[2], None)


@needs_node
def test_the_node_function_reads_the_authorizer_as_the_python_one(course_home: Path) -> None:
    document = context_document()
    (result,) = run_node(
        EXAMPLES / "6-3-token-authorizer" / "app.mjs", [{"event": document["event"]}]
    )
    assert result["value"]["statusCode"] == document["result"]["statusCode"]
    assert json.loads(result["value"]["body"]) == json.loads(document["result"]["body"])


@needs_node
def test_the_node_slip_of_step_6_2_returns_what_the_python_one_does(tmp_path: Path) -> None:
    module = tmp_path / "slip.mjs"
    module.write_text(step_block("6-2-inferred-response#0", "javascript"), encoding="utf-8")
    (result,) = run_node(module, [{"event": {}}])
    python = python_handler(EXAMPLES / "6-2-inferred-response" / "handler.py")
    assert result == {"value": python({}, None)}
