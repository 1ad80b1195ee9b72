"""Property tests: whatever a user types, `course` answers by its contract (see conftest)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.conftest import Run

# The fuzz suite runs in the full suite (CI's); the quick loop leaves it out: it starts
# `course` in a subprocess for most cases, and hypothesis tries hundreds of inputs.
pytestmark = pytest.mark.slow

# Few examples each, so the whole suite stays within seconds (`--hypothesis-seed` replays one);
# COURSE_FUZZ_EXAMPLES=2000 hunts for more.
EXAMPLES = int(os.environ.get("COURSE_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # each run's time is checked against the contract's bound instead
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# What a shell can hand over: any text, including bytes that are not UTF-8 (Python passes them
# as lone surrogates, `surrogateescape`), but never NUL.
argument_text = st.text(
    st.one_of(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
        st.sampled_from(["\udcff", "\udc80", "\r", "\n", "\t", "%", "{", "}", "?", "&", "="]),
    ),
    max_size=40,
)

# Pieces of the template language, so that examples reach deep into the parser.
VTL_PIECES = [
    "#if(", "#elseif(", "#else", "#end", "#foreach(", "#set(", "#macro(", "#break", "#stop",
    "$input.json('$')", "$input.path('$.a')", "$input.body", "$input.params()", "$util.",
    "$util.escapeJavaScript(", "$util.parseJson(", "$util.base64Decode(", "$util.urlEncode(",
    "$context.requestId", "$stageVariables.x", "$foreach.hasNext", "$i", "$a", "$!a", "${a}",
    "$a.b", "$a.get(", "$a.size()", "[1..", "[", "]", "{", "}", "(", ")", "'", '"', ",", ":",
    " in ", " = ", " == ", " && ", " || ", "!", "+", "-", "*", "/", "%", "1", "0", "-1",
    "2147483648", "1.5e308", "true", "null", "\n", "##", "#*", "*#", "\\", "\udcff",
]  # fmt: skip
templates = st.lists(st.one_of(st.sampled_from(VTL_PIECES), st.text(max_size=5)), max_size=40).map(
    "".join
)


def json_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=10)
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
        ),
        max_leaves=20,
    )


bodies = st.one_of(argument_text, json_values().map(json.dumps))


def _write(folder: str, name: str, content: str | bytes) -> str:
    path = Path(folder) / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", errors="surrogateescape")
    return str(path)


@FUZZ
@given(template=templates, body=bodies)
def test_vtl_renders_or_says_why(course: Run, template: str, body: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = _write(folder, "t.vtl", template.encode("utf-8", "surrogateescape"))
        course("vtl", path, "--body", body, "--json").assert_contract(0, 1, 2)


@FUZZ
@given(
    method=st.one_of(st.sampled_from(["GET", "post", "DELETE", "ANY"]), argument_text),
    path=st.one_of(argument_text, argument_text.map(lambda text: "/" + text)),
    resource=st.one_of(st.none(), argument_text.map(lambda text: "/" + text)),
    query=st.lists(argument_text, max_size=3),
    header=st.lists(argument_text, max_size=3),
    body=st.one_of(st.none(), bodies),
)
def test_event_prints_one_or_says_why(
    course: Run,
    method: str,
    path: str,
    resource: str | None,
    query: list[str],
    header: list[str],
    body: str | None,
) -> None:
    args = ["event", "--json", "-X", method, "--path", path]
    args += ["--resource", resource] if resource is not None else []
    for item in query:
        args += ["-q", item]
    for item in header:
        args += ["-H", item]
    args += ["--body", body] if body is not None else []
    course(*args).assert_contract(0, 1, 2)


HANDLER = """\
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event, default=str)}
"""


@FUZZ
@given(
    path=argument_text.map(lambda text: "/" + text),
    header=st.lists(argument_text.filter(lambda text: ":" in text), max_size=3),
    body=st.one_of(st.none(), bodies),
    timeout=st.one_of(
        st.none(),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.integers(-5, 2000).map(str),
    ),
)
def test_invoke_answers_or_says_why(
    course: Run, path: str, header: list[str], body: str | None, timeout: str | None
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        args = ["invoke", _write(folder, "h.py", HANDLER), "--json", "--path", path]
        for item in header:
            args += ["-H", item]
        args += ["--body", body] if body is not None else []
        args += ["--timeout", timeout] if timeout is not None else []
        course(*args).assert_contract(0, 1, 2)


@settings(FUZZ, max_examples=max(1, EXAMPLES * 2 // 3))
@given(content=st.one_of(st.binary(max_size=200), json_values().map(json.dumps).map(str.encode)))
def test_any_progress_file_gives_a_status(course: Run, course_home: Path, content: bytes) -> None:
    (course_home / "progress.json").write_bytes(content)
    for command in (["status"], ["hint", "03-fix-the-502"]):
        course(*command).assert_contract(0)
    for leftover in course_home.glob("progress.json*"):  # keep examples apart
        leftover.unlink()


@settings(FUZZ, max_examples=max(1, EXAMPLES * 2 // 3))
@given(
    document=st.fixed_dictionaries(
        {"format_version": st.just(1), "lessons": json_values(), "exercises": json_values()},
        optional={"current_lesson": json_values()},
    )
)
def test_a_progress_document_of_any_shape_gives_a_status(
    course: Run, course_home: Path, document: dict[str, Any]
) -> None:
    (course_home / "progress.json").write_text(json.dumps(document))
    for command in (["status"], ["next"], ["hint", "03-fix-the-502"]):
        course(*command).assert_contract(0)
    for leftover in course_home.glob("progress.json*"):
        leftover.unlink()
