"""The fast paths (`vtl_speed.py`) print what airspeed's own evaluator printed.

The AWS-recorded and spec cases (`test_vtl.py`) run through them too; these cases aim at the
paths themselves: scopes, chains, #define values, #stop, calls with side effects, errors.
"""

from __future__ import annotations

import pytest

from course_cli.gateway.vtl import TemplateData, TemplateError, render_template
from course_cli.gateway.vtl_speed import TemplateStream

BODY = '{"a": {"b": {"c": "deep"}}, "items": [{"id": 1}, {"id": 2}]}'


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
def test_fast_paths_print_as_before(template: str, output: str) -> None:
    assert render_template(template, TemplateData(body=BODY)).output == output


def test_an_error_in_a_chain_still_names_its_position() -> None:
    with pytest.raises(TemplateError) as caught:
        render_template("line one\n  $input.path('nope').x", TemplateData(body=BODY))
    assert (caught.value.line, caught.value.column) == (2, 3)


def test_stream_drops_writes_after_stop_and_can_resume() -> None:
    stream = TemplateStream()
    stream.write("a")
    stream.stop = True
    stream.write("b")
    assert stream.stop is True
    stream.stop = False
    stream.write("c")
    assert stream.getvalue() == "ac"
