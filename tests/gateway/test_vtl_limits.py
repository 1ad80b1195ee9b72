"""API Gateway's limits for mapping templates, and ours that keep every render finite.

AWS documents two (`vtl.limits`): 1,000 iterations per `#foreach` (the loop then ends
quietly, as Velocity's `directive.foreach.maxloops` does) and 300 KB per template. Our own
guards stop what AWS does not document: long renders, runaway strings and numbers, deep
nesting. Each case here hung or crashed `course vtl`, `course check` or `course grade` before.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from course_cli.gateway.http import HttpRequest
from course_cli.gateway.pipeline import handle_request
from course_cli.gateway.route_table import load_route_table
from course_cli.gateway.vtl import (
    TemplateData,
    TemplateLimitError,
    TemplateTooLarge,
    limits,
    render_template,
)
from course_cli.gateway.vtl.engine import TemplateCache
from course_cli.gateway.vtl.limits import FOREACH_LIMIT, TEMPLATE_BYTES_LIMIT, TEXT_LIMIT
from tests.conftest import CliResult

Run = Callable[..., CliResult]
MB = 1024 * 1024


@pytest.fixture
def short_renders(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Renders stop after 0.2 s instead of 1 s: the time-limit cases run fast."""
    monkeypatch.setattr(limits, "RENDER_SECONDS", 0.2)
    yield


def render(template: str, body: str = "") -> Any:
    return render_template(template, TemplateData(body=body))


def limit_error(template: str, body: str = "") -> TemplateLimitError:
    with pytest.raises(TemplateLimitError) as caught:
        render(template, body)
    error = caught.value
    assert "\n" not in error.message and error.hint and error.exit_code == 2
    return error


# --- #foreach: 1,000 iterations, then the loop ends (AWS's quota) ----------------------------


def test_a_huge_range_runs_1000_iterations_and_says_so() -> None:
    rendered = render("#foreach($i in [1..2000000000])$i,#end")
    assert rendered.output == "".join(f"{i}," for i in range(1, FOREACH_LIMIT + 1))
    (warning,) = rendered.warnings
    assert "stopped after 1,000 of its 2,000,000,000 items" in warning
    assert "line 1" in warning


def test_the_limit_counts_each_loop_and_keeps_velocitys_loop_variables() -> None:
    rendered = render(
        "#set($l = [])#set($last = '')#foreach($i in [1..1500])#set($last = $foreach.hasNext)"
        "#set($ignored = $l.add($i))#end$l.size() $last"
    )
    # Velocity's hasNext asks the list, so it is still true at the 1,000th item
    assert rendered.output == "1000 true"
    body = json.dumps({"items": list(range(1200))})
    rendered = render("#foreach($x in $input.path('$.items'))#end", body)
    assert "1,000 of its 1,200 items" in rendered.warnings[0]


def test_exactly_1000_iterations_is_no_warning() -> None:
    rendered = render("#foreach($i in [1..1000])#end$velocityCount")
    assert rendered.warnings == []


def test_a_list_growing_while_it_is_walked_stops_too() -> None:
    rendered = render("#set($l = [1])#foreach($i in $l)#set($x = $l.add($i))#end$l.size()")
    assert rendered.output == "1001"


def test_small_ranges_are_java_lists_and_huge_ones_stay_lazy() -> None:
    assert render("#set($r = [1..3])$r $r.size() $r.get(0)").output == "[1, 2, 3] 3 1"
    assert render("#set($r = [3..1])$r").output == "[3, 2, 1]"
    assert render("#set($a = 'a')#set($r = [$a..2])[$r]").output == "[]"  # not numbers: null
    huge = "#set($r = [1..2000000000])"
    assert render(huge + "$r.size() $r.get(4) $r.isEmpty()").output == "2000000000 5 false"
    error = limit_error(huge + "$r")
    assert "range of 2,000,000,000 numbers" in error.reason


# --- the template's size: 300 KB (AWS's limit) --------------------------------------------


def test_a_template_up_to_300_kb_renders() -> None:
    text = "x" * TEMPLATE_BYTES_LIMIT
    assert render(text).output == text


@pytest.mark.parametrize(
    "text",
    ["x" * (TEMPLATE_BYTES_LIMIT + 1), "é" * (TEMPLATE_BYTES_LIMIT // 2 + 1)],
    ids=["ascii", "two-byte characters count as two"],
)
def test_a_template_over_300_kb_is_refused_as_aws_refuses_it(text: str) -> None:
    with pytest.raises(TemplateTooLarge) as caught:
        render(text)
    error = caught.value
    assert error.size == len(text.encode("utf-8")) > TEMPLATE_BYTES_LIMIT
    assert "API Gateway refuses mapping templates over 300 KB" in error.message
    assert error.message.startswith("the template is") and error.exit_code == 2


# --- the time limit (ours) ------------------------------------------------------------------


@pytest.mark.usefixtures("short_renders")
@pytest.mark.parametrize(
    "template",
    [
        # 1,000**3 iterations, each loop within AWS's limit
        "#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in [1..1000])#end#end#end",
        "#set($m = {})#foreach($i in [1..1000])#foreach($j in [1..1000])"
        '#set($x = $m.put("$i-$j", $j))#end#end',
        # #define values that use each other twice per level, no loop at all
        "#define($a)x#end"
        + "".join(
            f"#define($d{i})${'a' if i == 0 else f'd{i - 1}'}${'a' if i == 0 else f'd{i - 1}'}#end"
            for i in range(30)
        )
        + "#if($d29.length() > 0)#end",
        # a list that holds the one before twice: small to build, endless to print
        "#set($l = [1])#foreach($i in [1..60])#set($l = [$l, $l])#end$l",
    ],
    ids=["nested loops", "nested loops building a map", "doubling #define", "doubling list"],
)
@pytest.mark.slow
def test_a_long_render_stops_with_a_clear_error(template: str) -> None:
    error = limit_error(template)
    assert "ran longer than 0.2 s" in error.reason or "10 MB" in error.reason


@pytest.mark.usefixtures("short_renders")
@pytest.mark.parametrize(
    "call",
    ["matches('(a|aa)+c')", "matches('^(a|aa)+$')", "replaceAll('(a|aa)+c', 'x')"],
)
def test_a_backtracking_regex_is_stopped(call: str) -> None:
    # Each tries about 1.6**60 ways: Java's regex would too; here the render's clock stops it.
    error = limit_error(f"#set($s = '{'a' * 60}!')#set($m = $s.{call})")
    assert "inside a regular expression" in error.reason


# --- text: 10 MB per string and output (the payload quota), 60 MB built in one render ------


@pytest.mark.parametrize(
    ("grow", "stopped_by"),
    [
        ('"$s$s"', "past 10 MB"),
        ("$s + $s", "past 10 MB"),
        ("$s.replace('a', $s)", "past 10 MB"),
        ("$s.replaceAll('a', $s)", "past 10 MB"),
        # a million group copies per call: the clock may stop it before the size does
        pytest.param(
            "$s.replaceAll('(a)', '$1$1$1')",
            "past 10 MB|ran longer than 1 s",
            marks=pytest.mark.slow,
        ),
    ],
)
def test_a_string_that_doubles_stops_at_10_mb(grow: str, stopped_by: str) -> None:
    template = f"#set($s = 'ab')#foreach($i in [1..1000])#set($s = {grow})#end$s.length()"
    error = limit_error(template)
    assert re.search(stopped_by, error.reason), error.reason
    assert error.line == 1


def test_the_error_points_at_the_set_that_grew_the_string() -> None:
    error = limit_error('#set($s = "ab")\n#foreach($i in [1..100])\n  #set($s = "$s$s")\n#end')
    assert (error.line, error.column) == (3, 7)


def test_output_past_10_mb_is_refused() -> None:
    body = json.dumps({"s": "x" * (4 * MB)})
    error = limit_error("#set($s = $input.path('$.s'))$s$s$s", body)
    assert "10 MB" in error.reason
    error = limit_error("#set($s = $input.path('$.s'))#foreach($i in [1..10])$s#end", body)
    assert "10 MB" in error.reason


def test_a_large_legitimate_output_renders() -> None:
    body = json.dumps({"s": "x" * (3 * MB)})
    assert len(render("$input.json('$.s')$input.body", body).output) > 6 * MB


def test_many_large_strings_add_up_to_the_build_limit() -> None:
    body = json.dumps({"s": "x" * MB})
    error = limit_error(
        "#set($l = [])#set($s = $input.path('$.s'))"
        '#foreach($i in [1..1000])#set($x = $l.add("$s"))#end',
        body,
    )
    assert "built more than 60 MB of text" in error.reason


def test_a_list_of_lists_cannot_print_or_serialise_past_10_mb() -> None:
    doubled = "#set($l = [1])#foreach($i in [1..40])#set($l = [$l, $l])#end"
    error = limit_error(
        doubled + "#set($d = $input.path('$'))$d.put('x', $l)$input.json('$')", "{}"
    )
    assert "10 MB" in error.reason


@pytest.mark.slow
def test_two_doubled_lists_cannot_compare_for_ever() -> None:
    error = limit_error(
        "#set($a = [1])#set($b = [1])"
        "#foreach($i in [1..60])#set($a = [$a, $a])#set($b = [$b, $b])#end"
        "#if($a == $b)same#end"
    )
    assert "comparing two lists or maps" in error.reason


def test_escape_javascript_escapes_as_java_without_a_python_loop() -> None:
    from course_cli.gateway.vtl.variables import escape_javascript

    assert escape_javascript("é€😀\ud800\x7f\x01'/\"\\\n") == (
        "\\u00E9\\u20AC\\uD83D\\uDE00\\uD800\x7f\\u0001\\'\\/\\\"\\\\\\n"
    )
    long = "é" * MB  # six characters each once escaped: 6 MB, within the limit
    assert (
        len(render("$util.escapeJavaScript($input.path('$.s'))", json.dumps({"s": long})).output)
        == 6 * MB
    )
    error = limit_error("$util.escapeJavaScript($input.path('$.s'))", json.dumps({"s": long * 2}))
    assert "past 10 MB" in error.reason


# --- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize("grow", ["$x * $x", "$x * $x * $x"])
def test_a_number_that_squares_stops_at_4300_digits(grow: str) -> None:
    error = limit_error(f"#set($x = 2)#foreach($i in [1..1000])#set($x = {grow})#end$x")
    assert "past 4,300 digits" in error.reason


def test_numbers_up_to_the_limit_compute_and_print() -> None:
    output = render("#set($x = 2)#foreach($i in [1..13])#set($x = $x * $x)#end$x").output
    assert output == str(2 ** (2**13))


# --- every path gets the limits -----------------------------------------------------------


def mock_route(request_template: str, response_template: str) -> dict[str, Any]:
    integration = {
        "type": "MOCK",
        "requestTemplates": {"application/json": request_template},
        "integrationResponses": [
            {"statusCode": "200", "responseTemplates": {"application/json": response_template}}
        ],
    }
    return {"routes": [{"resource": "/items", "method": "GET", "integration": integration}]}


def no_function(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("a MOCK integration invokes no function")


def test_the_gateway_answers_a_limit_as_a_failed_transformation() -> None:
    doubling = '#set($s = "ab")#foreach($i in [1..100])#set($s = "$s$s")#end{"statusCode": 200}'
    api = load_route_table(mock_route(doubling, "{}"))
    invocation = handle_request(api, HttpRequest.build("GET", "/items"), no_function)
    assert invocation.response.status == 500
    assert json.loads(invocation.response.body) == {"message": "Internal server error"}
    assert any(
        line.endswith("Execution failed due to configuration error: Unable to transform request")
        for line in invocation.log.lines
    )
    assert any("past 10 MB" in text for text in invocation.log.explanations)


def test_the_gateway_keeps_1000_items_and_explains_the_rest() -> None:
    listing = "[#foreach($i in [1..2000])$i#if($foreach.hasNext),#end#end]"
    api = load_route_table(mock_route('{"statusCode": 200}', listing))
    invocation = handle_request(api, HttpRequest.build("GET", "/items"), no_function)
    assert invocation.response.status == 200
    assert invocation.response.body.endswith(b"999,1000,]")  # Velocity's hasNext: a trap
    assert any("stopped after 1,000 of its 2,000" in text for text in invocation.log.explanations)


def test_course_vtl_stops_a_huge_loop_and_warns(run_cli: Run, tmp_path: Path) -> None:
    template = tmp_path / "loop.vtl"
    template.write_text("#foreach($i in [1..2000000000])#end{}")
    result = run_cli("vtl", str(template), "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["output"] == "{}" and "stopped after 1,000" in document["warnings"][0]


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (
            '#set($s = "ab")#foreach($i in [1..100])#set($s = "$s$s")#end',
            (),
            "a string in the template grew to",
        ),
        ("x" * (TEMPLATE_BYTES_LIMIT + 1), (), "API Gateway refuses mapping templates over 300"),
        ("#if(true)" * 3000 + "#end" * 3000, (), "the template nests too deeply"),
        (b"\xff\xfe", (), "is not UTF-8 text"),
        ("$input.body", ("--body", "1" * 60000), "--body holds a number longer than"),
        ("$input.body", ("--body", "[" * 100000), "--body nests arrays or objects too deeply"),
    ],
    ids=["doubling", "over 300 KB", "deep nesting", "not UTF-8", "long number", "deep body"],
)
def test_course_vtl_answers_one_line_and_exit_2(
    run_cli: Run, tmp_path: Path, content: str | bytes, args: tuple[str, ...], message: str
) -> None:
    template = tmp_path / "bad.vtl"
    if isinstance(content, bytes):
        template.write_bytes(content)
    else:
        template.write_text(content)
    result = run_cli("vtl", str(template), *args)
    assert result.exit_code == 2, (result.stdout, result.stderr[-500:])
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: ") and message in lines[0]
    assert lines[1].startswith("hint: ")
    assert "Traceback" not in result.stderr


# --- parsing stays linear, and the parse cache stays small -------------------------------------


def test_no_airspeed_token_pattern_scans_the_rest_of_the_template() -> None:
    from airspeed import operators as ops

    from course_cli.gateway.vtl.engine import install

    install()
    patterns = [ops.WHITESPACE_TO_END_OF_LINE] + [
        value
        for cls in vars(ops).values()
        if isinstance(cls, type)
        for value in vars(cls).values()
        if isinstance(value, re.Pattern)
    ]
    assert len(patterns) > 60
    assert not [p.pattern for p in patterns if re.search(r"\(\.[*+]\)\$?$", p.pattern)]


def test_the_parse_cache_is_bounded_by_the_text_it_keeps() -> None:
    cache = TemplateCache()
    small = [f"$input.path('$.a{i}')" for i in range(3)]
    for text in small:
        assert cache(text) is cache(text)
    big = "x" * (TemplateCache.CACHED_TEXT - 10)
    cache(big)
    assert cache(big) is cache(big)
    assert small[0] not in cache._parsed  # the oldest went first
    assert sum(map(len, cache._parsed)) <= TemplateCache.CACHED_TEXT
    cache.cache_clear()
    assert not cache._parsed


def test_text_limit_is_apis_payload_quota() -> None:
    assert TEXT_LIMIT == 10 * MB and FOREACH_LIMIT == 1000 and TEMPLATE_BYTES_LIMIT == 300 * 1024
