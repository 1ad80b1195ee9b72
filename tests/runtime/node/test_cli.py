"""`course invoke` with Node.js handlers: the lesson's handler unchanged, the 502 of a `body`
object, an error through the gateway, `-e`, route tables, and the line for no `node`."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.runtime.node.conftest import LESSON_HANDLER

Run = Callable[..., CliResult]


def invoke_json(run_cli: Run, *args: str) -> dict:
    result = run_cli("invoke", *args, "--json")
    assert result.exit_code in (0, 1), result
    return json.loads(result.stdout)


def test_the_lessons_handler_answers_200_for_a_known_user(run_cli: Run) -> None:
    document = invoke_json(run_cli, str(LESSON_HANDLER), "--method", "GET", "--path", "/users/1")
    assert document["response"]["statusCode"] == 200
    assert json.loads(document["response"]["body"]) == {"id": "1", "name": "Ada Lovelace"}
    assert document["functionLog"][0].startswith("START RequestId: ")


def test_the_lessons_handler_answers_404_otherwise(run_cli: Run) -> None:
    document = invoke_json(run_cli, str(LESSON_HANDLER), "--path", "/users/42")
    assert document["response"]["statusCode"] == 404
    assert json.loads(document["response"]["body"]) == {"message": "User 42 not found"}


def test_a_body_object_is_the_lessons_502_with_the_problem_named(
    run_cli: Run, handlers: Path
) -> None:
    document = invoke_json(run_cli, str(handlers / "body_object.mjs"), "--path", "/users/1")
    assert document["response"]["statusCode"] == 502
    assert json.loads(document["response"]["body"]) == {"message": "Internal server error"}
    assert [problem["field"] for problem in document["problems"]] == ["body"]
    assert "Malformed Lambda proxy response" in "\n".join(document["log"])
    # In the language of the handler: a JavaScript object, fixed with JSON.stringify.
    (problem,) = document["problems"]
    assert problem["got"] == "object" and "JSON.stringify(" in problem["fix"]
    assert "json.dumps" not in problem["explanation"] and "dict" not in problem["explanation"]


def test_the_view_names_the_problem(run_cli: Run, handlers: Path) -> None:
    result = run_cli("invoke", str(handlers / "body_object.mjs"), "--path", "/users/1")
    assert "Why 502" in result.stdout
    assert "body: expected a string" in result.stdout


def test_a_thrown_error_is_a_502_with_lambdas_error_in_the_log(
    run_cli: Run, handlers: Path
) -> None:
    document = invoke_json(run_cli, str(handlers / "throws.mjs"))
    assert document["response"]["statusCode"] == 502
    assert document["result"]["errorType"] == "TypeError"
    assert document["result"]["trace"][0] == "TypeError: user.name is undefined"
    assert any("\tERROR\tInvoke Error \t" in line for line in document["functionLog"])


def test_an_event_file(run_cli: Run, tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"path": "/users/2", "pathParameters": {"id": "2"}}))
    result = run_cli("invoke", str(LESSON_HANDLER), "-e", str(event), "--json")
    assert result.exit_code == 0, result
    answer = json.loads(result.stdout)
    assert json.loads(answer["result"]["body"])["name"] == "Grace Hopper"


def test_a_route_table_with_a_node_handler(run_cli: Run, tmp_path: Path) -> None:
    (tmp_path / "users.mjs").write_text(LESSON_HANDLER.read_text())
    table = {
        "functions": {"users": {"handler": "users.mjs", "timeout": 3}},
        "routes": [
            {
                "resource": "/users/{id}",
                "method": "GET",
                "integration": {"type": "AWS_PROXY", "function": "users"},
            }
        ],
    }
    (tmp_path / "api.json").write_text(json.dumps(table))
    document = invoke_json(
        run_cli, "--api", str(tmp_path / "api.json"), "--method", "GET", "--path", "/users/2"
    )
    assert document["event"]["pathParameters"] == {"id": "2"}
    assert document["response"]["statusCode"] == 200


def test_a_module_that_does_not_load_is_one_line_and_exit_2(run_cli: Run, handlers: Path) -> None:
    result = run_cli("invoke", str(handlers / "no_export.mjs"))
    assert result.exit_code == 2
    assert "Runtime.HandlerNotFound: no_export.handler is undefined or not exported" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr + result.stdout


def test_without_node_on_path_one_line_and_exit_2(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no node here
    result = run_cli("invoke", str(LESSON_HANDLER), "--path", "/users/1")
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: Node.js handlers need node 18 or newer on PATH"


def test_a_node_older_than_18_is_named(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = tmp_path / "node"
    old.write_text("#!/bin/sh\necho v16.20.2\n")
    old.chmod(old.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    result = run_cli("invoke", str(LESSON_HANDLER))
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: Node.js handlers need node 18 or newer on PATH (found v16.20.2)"
    )


def test_a_route_table_mixing_python_and_node(run_cli: Run, tmp_path: Path) -> None:
    (tmp_path / "users.mjs").write_text(LESSON_HANDLER.read_text())
    (tmp_path / "health.py").write_text(
        "def handler(event, context):\n    return {'statusCode': 200, 'body': 'python'}\n"
    )
    route = {"method": "GET"}
    table = {
        "functions": {"users": {"handler": "users.mjs"}, "health": {"handler": "health.py"}},
        "routes": [
            {**route, "resource": "/users/{id}", "integration": {"function": "users"}},
            {**route, "resource": "/health", "integration": {"function": "health"}},
        ],
    }
    (tmp_path / "api.json").write_text(json.dumps(table))
    api = str(tmp_path / "api.json")
    users = invoke_json(run_cli, "--api", api, "--path", "/users/1")
    assert json.loads(users["response"]["body"])["name"] == "Ada Lovelace"
    health = invoke_json(run_cli, "--api", api, "--path", "/health")
    assert health["response"]["body"] == "python"


@pytest.mark.slow
def test_a_node_authorizer_in_front_of_a_node_handler(run_cli: Run, handlers: Path) -> None:
    guarded = [str(LESSON_HANDLER), "--path", "/users/1"]
    guarded += ["--authorizer", str(handlers / "authorizer.mjs")]
    allowed = invoke_json(run_cli, *guarded, "--header", "Authorization: allow")
    assert allowed["response"]["statusCode"] == 200
    denied = invoke_json(run_cli, *guarded, "--header", "Authorization: deny")
    assert denied["response"]["statusCode"] == 403
