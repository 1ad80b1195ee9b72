"""Mapping templates against AWS-recorded outputs and the spec's cases (`cases/vtl/*.json`).

A case: `template` rendered with `body`, `pathParams`, `query`, `headers`, `context`,
`stageVariables`; with `then`, a second template is rendered with the first's output as its
body (or `then_body`) and the first's `$context` - a request template, then a response
template, as an echo backend or a MOCK chains them. Expected: `output` (exact text), `json`
(parsed JSON), `contains`, `json_valid`, `responseOverride`, `warnings` (how many).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from course_cli.gateway.vtl import (
    Rendered,
    TemplateData,
    TemplateError,
    json_problem,
    render_template,
)
from course_cli.gateway.vtl.engine import compile_template

CASES = Path(__file__).parent / "cases" / "vtl"
AWS_RECORDED = json.loads((CASES / "aws_recorded.json").read_text())
SPEC = json.loads((CASES / "spec.json").read_text())


def run_case(case: dict[str, Any]) -> Rendered:
    data = TemplateData(
        body=case.get("body", ""),
        path_params=case.get("pathParams", {}),
        query=case.get("query", {}),
        headers=case.get("headers", {}),
        context=case.get("context", {}),
        stage_variables=case.get("stageVariables", {}),
    )
    rendered = render_template(case["template"], data)
    if "then" in case:
        body = case.get("then_body", rendered.output)
        second = TemplateData(body=body, context=rendered.context)
        rendered = render_template(case["then"], second)
    return rendered


def check(case: dict[str, Any]) -> None:
    rendered = run_case(case)
    if "output" in case:
        assert rendered.output == case["output"]
    if "json" in case:
        assert json.loads(rendered.output) == case["json"]
    if "contains" in case:
        assert case["contains"] in rendered.output
    if "json_valid" in case:
        assert (json_problem(rendered.output) is None) == case["json_valid"]
    if "responseOverride" in case:
        override = rendered.response_override
        for key, value in case["responseOverride"].items():
            assert override[key] == value
    assert len(rendered.warnings) == case.get("warnings", 0)


@pytest.mark.parametrize("case", AWS_RECORDED, ids=[c["name"] for c in AWS_RECORDED])
def test_aws_recorded_output(case: dict[str, Any]) -> None:
    check(case)


@pytest.mark.parametrize("case", SPEC, ids=[c["name"] for c in SPEC])
def test_spec_case(case: dict[str, Any]) -> None:
    check(case)


def test_every_aws_recorded_case_names_its_source() -> None:
    assert len(AWS_RECORDED) >= 26
    assert all(case["source"].startswith("localstack ") for case in AWS_RECORDED)


def test_templates_compile_once_and_renders_do_not_share_state() -> None:
    text = "#set($context.requestOverride.header.x = $input.path('$.v'))$context.stage"
    assert compile_template(text) is compile_template(text)
    first = render_template(text, TemplateData(body='{"v": "1"}', context={"stage": "a"}))
    second = render_template(text, TemplateData(body='{"v": "2"}', context={"stage": "b"}))
    assert (first.output, second.output) == ("a", "b")
    assert first.request_override["header"] == {"x": "1"}
    assert second.request_override["header"] == {"x": "2"}
    context = {"stage": "a", "identity": {"sourceIp": "1.1.1.1"}}
    render_template("#set($context.identity.sourceIp = 'x')", TemplateData(context=context))
    assert context["identity"]["sourceIp"] == "1.1.1.1"  # the caller's context is a copy


@pytest.mark.parametrize(
    ("template", "line", "column", "words"),
    [
        ("{\n#if($a)\n  x\n", 4, 1, "#if opened on line 2 (column 1) is never closed"),
        ("#foreach($x in $l)\n$x", 2, 3, "#foreach opened on line 1"),
        ("#set($a = )", 1, 11, "expected expression"),
        ('{"a": $input.path("$.items[")}', 1, 7, "JSONPath '$.items[' does not parse"),
        ("ok\n  $input.json('name')", 2, 3, "a path starts with $"),
        ('#include("x.vtl")', 1, 1, "#include is not available"),
    ],
)
def test_bad_templates_name_line_and_column(
    template: str, line: int, column: int, words: str
) -> None:
    with pytest.raises(TemplateError) as caught:
        render_template(template, TemplateData(body='{"a": 1}'))
    error = caught.value
    assert (error.line, error.column) == (line, column)
    assert words in error.message
    assert "\n" not in error.message
    assert error.exit_code == 2


REFERENCE_BODY = '{"a": {"b": {"c": "deep"}}, "items": [{"id": 1}, {"id": 2}]}'


@pytest.mark.parametrize(
    ("template", "output"),
    [
        # scopes: a loop variable shadows, an outer #set is seen inside, undefined is empty
        ("#set($x = 'out')#foreach($x in [1,2])$x#end$x", "12out"),
        ("#set($y = 'seen')#foreach($i in [1])#foreach($j in [2])$y$i$j#end#end", "seen12"),
        ("[$nothing.at.all][$!nothing]", "[][]"),
        # chains through maps from JSON, with a missing middle key
        ("#set($d = $input.path('$'))$d.a.b.c|$d.a.missing.c|$d.items.size()", "deep||2"),
        ("#set($m = {'k': {'n': 'v'}})$m['k'].n $m.k.n $m.get('k').n", "v v v"),
        # a #define value is rendered where it is referenced, also at the end of a chain
        ("#define($greet)hi $who#end#set($who = 'ana')$greet", "hi ana"),
        # a call with a side effect runs once per reference
        ("#set($l = [])$l.add(1)$l.add(2) $l.size() $l", "truetrue 2 [1, 2]"),
        # #stop drops everything after it, inside a loop too
        ("a#foreach($i in [1,2,3])$i#if($i == 2)#stop#end#end b", "a12"),
        # the alternate value and quiet references keep airspeed's rules
        ("${missing|'alt'} $!{missing}.", "alt ."),
        # one-term conditions and longer ones (`#else not` keeps its space)
        ("#if($missing)null is true#end #if($l && true)no#else or else#end", "null is true no"),
        ("#set($n = 7)#if($n > 5 && $n < 10)in#end #if(!$n)x#else not#end", "in  not"),
        # foreach helpers
        (
            "#foreach($i in $input.path('$.items'))$foreach.index:$i.id"
            "#if($foreach.hasNext),#end#end",
            "0:1,1:2",
        ),
    ],
)
def test_references_scopes_and_directives(template: str, output: str) -> None:
    assert render_template(template, TemplateData(body=REFERENCE_BODY)).output == output


def test_an_error_in_a_chain_names_its_position() -> None:
    with pytest.raises(TemplateError) as caught:
        render_template("line one\n  $input.path('nope').x", TemplateData(body=REFERENCE_BODY))
    assert (caught.value.line, caught.value.column) == (2, 3)
