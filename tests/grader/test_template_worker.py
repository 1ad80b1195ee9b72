"""Behind `course grade`'s wall a learner's mapping templates render in a sandboxed worker,
with the same results as in the grading process, and a runaway template costs a case, not
the batch."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from course_cli.gateway.vtl import TemplateData, TemplateError, TemplateLimitError, render_template
from course_cli.gateway.vtl.limits import RENDER_SECONDS
from course_cli.grader.isolated_runner import IsolatedRunner
from course_cli.grader.template_worker import TemplateWorker
from course_cli.runtime.worker.isolation import namespaces_problem
from course_cli.runtime.worker.process import Limits

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = """#set($name = $util.escapeJavaScript($input.params('name')).replaceAll("\\\\'", "'"))
{"name": "$name", "method": "$context.httpMethod", "count": $input.json('$.items').length()}
#set($context.responseOverride.status = 201)"""
DATA = TemplateData(
    body='{"items": [1, 2, 3]}',
    query={"name": "it's"},
    context={"httpMethod": "POST", "responseOverride": {"header": {}}},
)

pytestmark = pytest.mark.skipif(
    namespaces_problem() is not None, reason=f"no namespaces here: {namespaces_problem()}"
)


@pytest.fixture
def worker() -> Iterator[TemplateWorker]:
    templates = TemplateWorker(Limits(isolation="namespaces"))
    yield templates
    templates.close()


def test_a_template_renders_in_the_worker_as_it_does_here(worker: TemplateWorker) -> None:
    here, there = render_template(TEMPLATE, DATA), worker(TEMPLATE, DATA)
    assert there.output == here.output and json.loads(there.output)["name"] == "it's"
    assert there.context == here.context and there.response_override["status"] == 201
    assert there.warnings == here.warnings


def test_a_broken_template_is_the_engine_s_error_with_its_place(worker: TemplateWorker) -> None:
    with pytest.raises(TemplateError) as raised:
        worker("{\n  #if($x\n}", TemplateData())
    with pytest.raises(TemplateError) as expected:
        render_template("{\n  #if($x\n}", TemplateData())
    assert (raised.value.line, raised.value.column) == (expected.value.line, expected.value.column)
    assert raised.value.reason == expected.value.reason


@pytest.mark.slow
def test_a_runaway_template_stops_and_the_next_one_renders(worker: TemplateWorker) -> None:
    started = time.monotonic()
    with pytest.raises(TemplateLimitError):
        worker("#foreach($i in [1..2000000000])#foreach($j in [1..1000])$i#end#end", DATA)
    assert time.monotonic() - started < RENDER_SECONDS + 5
    assert worker('{"ok": true}', DATA).output == '{"ok": true}'


def test_only_untrusted_code_gets_a_template_worker() -> None:
    walled, plain = IsolatedRunner(Limits(isolation="namespaces")), IsolatedRunner(Limits())
    try:
        assert isinstance(walled.template_renderer(), TemplateWorker)
        assert plain.template_renderer() is None  # the learner's own code: rendered here
    finally:
        walled.close()


@pytest.mark.slow
def test_course_grade_survives_a_runaway_template_and_grades_the_rest(tmp_path: Path) -> None:
    klass = tmp_path / "class"
    shutil.copytree(ROOT / "solutions" / "04-vtl-request", klass / "ada")
    (klass / "loops").mkdir()
    (klass / "loops" / "request.vtl").write_text("#foreach($i in [1..2000000000])$i#end")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "course_cli", "grade", str(klass), "--exercise", "04"]
    completed = subprocess.run(
        [*command, "--format", "json", "--out", str(out), "--isolation", "namespaces"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    results = {
        s["learner"]: s for s in json.loads((out / "results.json").read_text())["submissions"]
    }
    assert results["ada"]["status"] == "passed"
    assert results["loops"]["status"] == "failed" and results["loops"]["score"] == 0
