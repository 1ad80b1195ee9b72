"""`course vtl`: renders, says whether the output is JSON, and rejects bad input in one line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult

Run = Callable[..., CliResult]

LESSON_REQUEST = """#set($query = $input.params().querystring)
{
  "method": "$context.httpMethod",
  "query": {
#foreach($name in $query.keySet())
    "$name": "$util.escapeJavaScript($query.get($name))"#if($foreach.hasNext),#end
#end
  }
}
"""


def test_renders_the_lesson_template_as_json(run_cli: Run, tmp_path: Path) -> None:
    template = tmp_path / "request.vtl"
    template.write_text(LESSON_REQUEST)
    result = run_cli(
        "vtl",
        str(template),
        "-q",
        "include=orders",
        "-q",
        "limit=5",
        "--context",
        "httpMethod=PUT",
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["json_valid"] is True and document["problems"] == []
    assert json.loads(document["output"]) == {
        "method": "PUT",
        "query": {"include": "orders", "limit": "5"},
    }


def test_invalid_json_output_exits_1_and_says_where(run_cli: Run, tmp_path: Path) -> None:
    template = tmp_path / "response.vtl"
    template.write_text("#set($r = $input.path('$'))\n{\"data\": $r.body}")
    result = run_cli("vtl", str(template), "--body", '{"body": {"id": 1}}', "--json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert "{id=1}" in document["output"]
    assert document["json_valid"] is False
    assert "line 1, column" in document["problems"][0]


def test_stage_vars_path_params_and_headers(run_cli: Run, tmp_path: Path) -> None:
    template = tmp_path / "t.vtl"
    template.write_text(
        '{"t": "$stageVariables.table", "id": "$input.params(\'id\')", '
        '"ua": "$input.params(\'X-Client\')", "ip": "$context.identity.sourceIp"}'
    )
    result = run_cli(
        "vtl",
        str(template),
        "--stage-var",
        "table=Products",
        "--path-param",
        "id=7",
        "--header",
        "X-Client: cli",
        "--json",
    )
    output = json.loads(json.loads(result.stdout)["output"])
    assert output == {"t": "Products", "id": "7", "ua": "cli", "ip": "127.0.0.1"}


@pytest.mark.parametrize(
    ("template", "args", "message"),
    [
        ("{\n#if($a)\n x", (), "template line 3, column 3: #if opened on line 2"),
        ("#set($a = )", (), "template line 1, column 11: expected expression"),
        ('$input.json("$.a[")', ("--body", "{}"), "JSONPath '$.a[' does not parse at column 4"),
        ("$input.body", ("--body", "{bad"), "--body is not valid JSON"),
        ("$input.body", ("--query", "novalue"), "malformed --query 'novalue'"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    run_cli: Run, tmp_path: Path, template: str, args: tuple[str, ...], message: str
) -> None:
    path = tmp_path / "bad.vtl"
    path.write_text(template)
    result = run_cli("vtl", str(path), *args)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith("error: ")
    assert message in result.stderr.splitlines()[0]
    assert "Traceback" not in result.stderr


def test_missing_template_file(run_cli: Run, tmp_path: Path) -> None:
    result = run_cli("vtl", str(tmp_path / "nope.vtl"))
    assert result.exit_code == 2
    assert "cannot read" in result.stderr
