"""`course vtl` renders for the request the lesson shows: step 4.4's template and query give
exactly the output step 4.4 prints (a GET), and the default is said where learners look."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from course_cli.notebook import render_vtl
from tests.conftest import REPO, CliResult

Run = Callable[..., CliResult]
STEP_4_4 = REPO / "course_cli/content/lessons/lesson-3/steps/4-4-set-if-foreach.md"


def _step_4_4() -> tuple[str, dict[str, object]]:
    text = STEP_4_4.read_text(encoding="utf-8")
    template = re.findall(r"```velocity\n(.+?)```", text, re.S)[0]
    shown = json.loads(re.findall(r"```json\n(.+?)```", text, re.S)[0])
    return template, shown


def test_course_vtl_prints_what_step_4_4_shows(tmp_path: Path, run_cli: Run) -> None:
    template, shown = _step_4_4()
    (tmp_path / "query.vtl").write_text(template)
    result = run_cli(
        "vtl",
        str(tmp_path / "query.vtl"),
        "--query",
        "include=orders",
        "--query",
        "limit=5",
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(json.loads(result.stdout)["output"]) == shown


def test_the_method_is_an_option_and_the_default_is_said(tmp_path: Path, run_cli: Run) -> None:
    (tmp_path / "m.vtl").write_text('{"method": "$context.httpMethod"}')
    default = run_cli("vtl", str(tmp_path / "m.vtl"))
    assert '"method": "GET"' in default.stdout
    assert "GET request" in default.stdout  # the panel says which request it rendered for
    put = run_cli("vtl", str(tmp_path / "m.vtl"), "--method", "put", "--json")
    assert json.loads(json.loads(put.stdout)["output"]) == {"method": "PUT"}
    context = run_cli("vtl", str(tmp_path / "m.vtl"), "--context", "httpMethod=DELETE", "--json")
    assert json.loads(json.loads(context.stdout)["output"]) == {"method": "DELETE"}
    helped = " ".join(run_cli("vtl", "--help").stdout.split())
    assert "default GET" in helped


def test_the_notebook_magic_agrees() -> None:
    template, shown = _step_4_4()
    view = render_vtl(template, "--query include=orders --query limit=5")
    assert json.loads(view.output) == shown
    assert json.loads(render_vtl('{"m": "$context.httpMethod"}', "--method POST").output) == {
        "m": "POST"
    }
