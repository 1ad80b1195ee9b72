"""A learner's template cannot reach Python: probes of what airspeed could expose.

The grader renders learners' templates (exercises 04 and 05) in its own process, so a
template must reach nothing but what API Gateway offers: `$input`, `$util`, `$context`,
`$stageVariables` and Java's methods on strings, maps and lists. Each probe below is one
way a template could try to reach further; each must print nothing of Python's, change
nothing of the caller's, read no file and end in output or a clear `TemplateError`.

Probes that got through before `vtl_members`' allow-list and `vtl_limits` are marked
"(was open)".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from course_cli.gateway.vtl import (
    TemplateData,
    TemplateError,
    TemplateLimitError,
    render_template,
)

BODY = '{"l": [1, 2], "o": {"a": 1}, "s": "text"}'
DATA = TemplateData(
    body=BODY,
    query={"q": "1"},
    context={"stage": "dev", "identity": {"sourceIp": "1.2.3.4"}},
    stage_variables={"table": "Products"},
)
# What Python's reprs and introspection print; none of it may reach a template's output.
PYTHON_WORDS = ("0x", "<", "class", "function", "module", "__", "object at", "range(")


def render(template: str, data: TemplateData = DATA) -> str:
    return render_template(template, data).output


@pytest.mark.parametrize(
    "template",
    [
        # dunder attributes, on every kind of value a template can hold
        "$input.__class__",
        "$input.__class__.__mro__",
        "$foo.__init__.__globals__",
        "${context.__dict__}",
        "$context.__class__",
        "$input.json('$').__class__.__mro__",
        "$input.path('$').__class__",
        "$input.path('$.l').__class__",
        "$input.body.__len__()",
        "$stageVariables.__class__",
        "$input.params().header.__class__",
        "#foreach($i in [1, 2])$foreach.__class__#end",
        "#foreach($e in $context.entrySet())$e.__class__$e.__init__$e.__slots__#end",
        "#set($x = $util.escapeJavaScript.__globals__)$x",
        "$util.escapeJavaScript.__globals__",
        "$input.path.__self__",
        "$input.json.__func__",
        "$util.parseJson('{}').__class__",
        # Java's reflection, which API Gateway's Velocity does not offer either
        "$util.getClass()",
        "$input.getClass()",
        "$input.path('$.o').getClass().forName('java.lang.Runtime')",
        # private members of our own objects
        "$input._params",
        "$input._parsed()",
        "$input._document",
        # Python methods of dicts, lists and strings that are not Java's
        "$context.keys()",
        "$context.items()",
        "$context.copy()",
        "$context.pop('stage')",
        "$input.path('$.l').pop()",
        "$input.path('$.l').extend([1])",
        "$input.body.encode()",
        "$input.body.format_map({})",
        "$input.params().__getitem__('path')",
        # the members of a range (was open: $r.start, $r.stop, $r.index(2), $r.count(2))
        "#set($r = [1..3])$r.start$r.stop$r.index(2)$r.count(2)",
        "#set($r = [1..20000])$r.start$r.stop$r.index(2)$r.count(2)",
        # keys that look like attributes are only keys
        "$context['__class__']$input['__class__']$input.params('__class__')",
    ],
)
def test_python_attributes_are_null(template: str) -> None:
    assert render(template) == ""


@pytest.mark.parametrize(
    "template",
    [
        "$input",  # (was open: <course_cli.gateway.vtl_util.TemplateInput object at 0x...>)
        "$util",
        "$util.escapeJavaScript",
        "$input.path",
        "#set($x = $input)$x",
        "#set($m = {'k': 1})#foreach($e in $m.entrySet())$e.getKey$e.getKey.__name__#end",
    ],
)
def test_our_objects_print_nothing_of_python(template: str) -> None:
    assert render(template) == ""


def test_objects_put_into_the_body_print_nothing_of_python() -> None:
    # (was open: $input.json printed the TemplateInput's and the function's repr)
    output = render(
        "#set($d = $input.path('$'))$d.put('x', $input)$d.put('y', $util.escapeJavaScript)"
        "$input.json('$')"
    )
    assert '"x":""' in output and '"y":""' in output
    assert not any(word in output for word in PYTHON_WORDS), output


@pytest.mark.parametrize(
    ("template", "literal"),
    [
        # (was open: airspeed's own #return printed Python's repr of any object)
        ("#return($input)", "#return($input)"),
        ("#return($util.escapeJavaScript)", "#return($util.escapeJavaScript)"),
        ('#evaluate("$input.__class__")', '#evaluate("$input.__class__")'),
        # macros do not run on API Gateway, so they cannot recurse
        ("#macro(m)#m()#end#m()", "#macro(m)#m()#end#m()"),
    ],
)
def test_directives_api_gateway_lacks_are_printed_literally(template: str, literal: str) -> None:
    rendered = render_template(template, DATA)
    assert rendered.output == literal
    assert rendered.warnings and "does not run on API Gateway" in rendered.warnings[0]


@pytest.mark.parametrize(
    "template",
    [
        '#include("/etc/passwd")',
        '#parse("/etc/passwd")',
        "#{include}('/etc/passwd')",
        '#include( "/etc/hostname" )',
        # (was open: other spellings passed the refusal and reached airspeed's loader)
        '#INCLUDE("/etc/passwd")',
        '#Parse("/etc/passwd")',
        '#set($f = "/etc/passwd")#Include($f)',
    ],
)
def test_no_template_loads_a_file(template: str) -> None:
    with pytest.raises(TemplateError) as caught:
        render(template)
    assert "is not available in API Gateway templates" in caught.value.message
    assert "root:" not in caught.value.message


def test_a_loader_is_never_consulted_even_when_one_is_given(tmp_path: Path) -> None:
    # The second lock: airspeed's #include/#parse refuse at render time too.
    from airspeed import CachingFileLoader, Template, operators

    from course_cli.gateway.vtl.engine import UnsupportedDirective, install

    install()
    (tmp_path / "secret.txt").write_text("grades")
    for directive in ("#include", "#parse"):
        template = Template(f'{directive}("secret.txt")')
        with pytest.raises(operators.TemplateExecutionError) as caught:
            template.merge({}, loader=CachingFileLoader(str(tmp_path)))
        assert isinstance(caught.value.__cause__, UnsupportedDirective)


def test_a_template_changes_only_its_own_copy_of_what_it_is_given() -> None:
    # (was open: $context was copied two levels deep, so deeper maps and lists were shared)
    context = {"authorizer": {"claims": {"groups": {"a": 1}, "list": [1]}}, "stage": "dev"}
    stage_variables = {"table": "Products"}
    query = {"q": "1"}
    data = TemplateData(body=BODY, context=context, stage_variables=stage_variables, query=query)
    render(
        "$context.authorizer.claims.groups.put('a', 2)$context.authorizer.claims.list.add(9)"
        "$context.put('stage', 'x')$context.remove('authorizer')"
        "$stageVariables.put('table', 'x')$input.params().querystring.put('q', 'x')"
        "#set($context.requestOverride.header.x = 'y')",
        data,
    )
    assert context == {"authorizer": {"claims": {"groups": {"a": 1}, "list": [1]}}, "stage": "dev"}
    assert stage_variables == {"table": "Products"} and query == {"q": "1"}
    # and the next render starts afresh
    assert render("$stageVariables.table $input.params('q')", data) == "Products 1"


def test_what_api_gateway_documents_still_works() -> None:
    output = render(
        "$input.body|$input.json('$.o')|$input.path('$.l').size()|$input.params('q')|"
        "$util.urlEncode('a b')|$util.base64Encode('x')|$util.parseJson('[1]').get(0)|"
        '$util.escapeJavaScript("it\'s")|$context.identity.sourceIp|$stageVariables.table|'
        "#foreach($e in $input.path('$.o').entrySet())$e.key=$e.value $e.getKey()#end"
    )
    assert output == (f'{BODY}|{{"a":1}}|2|1|a+b|eA==|1|it\\\'s|1.2.3.4|Products|a=1 a')


@pytest.mark.parametrize(
    ("template", "output"),
    [
        # Java prints a collection inside itself so (was open: RecursionError in Python words)
        ("#set($l = [])$l.add($l)$l", "true[(this Collection)]"),
        ("#set($m = {})$m.put('a', $m)$m", "{a=(this Map)}"),
        # Python's operators that Velocity lacks are null (was open: `'a' * 2000000000` built
        # a 2 GB string in one step, `$l + $l` doubled a list)
        ("#set($s = 'a' * 2000000000)[$s]", "[]"),
        ("#set($l = [1] + [2])[$l]", "[]"),
        ("#set($n = true + 1)[$n]", "[]"),
    ],
)
def test_values_python_would_mishandle(template: str, output: str) -> None:
    assert render(template) == output


@pytest.mark.parametrize(
    "template",
    [
        "#define($d)$d#end$d",  # (was open: "maximum recursion depth exceeded ...")
        "#define($d)$d$d#end$d.x",
        "#define($a)$b#end#define($b)$a#end$a",
        "#if(true)" * 3000 + "x" + "#end" * 3000,  # (was open: RecursionError traceback)
        "#set($a = " + "(" * 3000 + "1" + ")" * 3000 + ")",
        "#set($a = " + "[" * 3000 + "]" * 3000 + ")",
        "#set($l = [])#foreach($i in [1..999])#set($l = [$l])#end$l",
        "#set($a = [])#set($b = [$a])$a.add($b)$a",  # a cycle through another list
    ],
)
def test_recursion_ends_in_a_clear_error(template: str) -> None:
    with pytest.raises(TemplateLimitError) as caught:
        render(template)
    message = caught.value.message
    assert "recursion" not in message and "Python" not in message
    assert "#define" in message or "nests too deeply" in message
    assert caught.value.hint


def test_the_warnings_list_is_out_of_a_templates_reach() -> None:
    rendered = render_template("#evaluate('x')[$warnings]$!{warnings.add('forged')}", DATA)
    assert rendered.output == "#evaluate('x')[]"
    assert len(rendered.warnings) == 1
