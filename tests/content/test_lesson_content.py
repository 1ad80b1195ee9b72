"""The shipped lesson: complete, renderable, and every snippet in it is real code."""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from course_cli.content import Step, load_lesson
from course_cli.gateway.vtl.preview import preview_template
from course_cli.ui.console import recording_console
from course_cli.ui.lesson_view import render_step
from tests.conftest import REPO

LESSON = load_lesson("lesson-3")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
ESCAPE_CALL = "$util.escapeJavaScript("
# AWS's documented fix: escapeJavaScript writes ' as \', which is not a JSON escape.
UNDO_APOSTROPHE = """.replaceAll("\\\\'", "'")"""
EXPECTED_EXERCISES = {
    "01-integration-types",
    "02-proxy-event",
    "03-fix-the-502",
    "04-vtl-request",
    "05-vtl-response",
    "06-crud-handler",
    "07-wire-the-api",
    "08-authorizer",
}


def test_six_topics_in_the_lessons_order() -> None:
    assert [t.id for t in LESSON.topics] == [
        "integration-types",
        "proxy-event",
        "proxy-response",
        "vtl",
        "crud",
        "beyond-rest-proxy",
    ]


# Was 40. Topic 5 writes a whole API in code, and each step must fit one 45-row screen
# (tests/cli/test_first_screen.py): its exercise 06 and its waiters got steps of their own.
# Then 42 -> 46 for what issue 18 found missing, each a short step rather than a longer one:
# payload limits (3.10), CORS behind ANY /{proxy+} and on API Gateway's own errors (3.11, 3.12,
# one screen each), and the appendix on deploying for real (5.11), after the wrap-up.
# Then 46 -> 52 for topic 6 (issue 21: HTTP APIs and Lambda authorizers), six short steps, one
# point and one screen each, rather than fewer, longer ones.
MAX_STEPS = 52


def test_every_topic_has_at_least_four_steps_and_the_lesson_25_to_52() -> None:
    assert all(len(t.steps) >= 4 for t in LESSON.topics)
    assert 25 <= len(LESSON.steps) <= MAX_STEPS


def test_exercises_are_unique_and_have_escalating_hints() -> None:
    ids = [e.id for e in LESSON.exercises]
    assert len(ids) == len(set(ids))
    assert set(ids) == EXPECTED_EXERCISES
    for exercise in LESSON.exercises:
        assert len(exercise.hints) >= 2, exercise.id
        assert len(set(exercise.hints)) == len(exercise.hints), exercise.id


def test_every_exercise_is_introduced_by_a_step() -> None:
    introduced = {s.exercise for s in LESSON.steps if s.exercise}
    assert introduced == EXPECTED_EXERCISES


def test_step_files_are_named_after_their_place() -> None:
    for step in LESSON.steps:
        assert step.file.name == f"{step.topic_index}-{step.index}-{step.id}.md", step.file.name


@pytest.mark.parametrize("step", LESSON.steps, ids=lambda s: s.number)
def test_every_step_renders(step: Step) -> None:
    console = recording_console()
    console.print(render_step(LESSON, step))
    text = console.export_text()
    assert step.title in text
    assert len(text.strip().splitlines()) > 3
    assert step.hint, "every step has a hint"


@pytest.mark.parametrize("step", LESSON.steps, ids=lambda s: s.number)
def test_every_snippet_is_valid(step: Step) -> None:
    for language, body in FENCE.findall(step.markdown()):
        assert language, f"{step.file.name}: a code block without a language"
        if language == "python":
            compile(body, str(step.file), "exec")
        elif language == "json":
            json.loads(body)


# Progress files store step ids (`current`, `seen`): an id that disappears strands a learner.
# Every id the lesson has shipped with, in order of appearance; add new ones, never rename.
SHIPPED_STEP_IDS = (
    "welcome five-types aws-proxy aws-custom http-types mock choosing event-shape "
    "resource-and-path headers query-null repeated-keys body request-context reading-safely "
    "response-shape body-is-a-string malformed-catalogue cookies-and-cors decimal-and-marshal "
    "unhandled-exception timeouts missing-route execution-log mapping-templates "
    "input-variables context-and-util set-if-foreach content-type-passthrough "
    "integration-responses java-style-maps selection-pattern crud-routes decimal-json "
    "list-and-create get-update-delete wire-the-api permission-and-stage wrap-up crud-router "
    "whole-handler table-and-function payload-limits cors-behind-proxy gateway-responses "
    "deploy-for-real two-payloads inferred-response token-authorizer authorizer-context "
    "cached-policy beyond-wrap-up"
).split()


def test_every_step_id_ever_shipped_still_exists() -> None:
    assert set(SHIPPED_STEP_IDS) <= {step.id for step in LESSON.steps}


STEP_REFERENCE = re.compile(r"\b[Ss]teps? (\d+\.\d+)(?: and (\d+\.\d+))?")


def test_every_step_a_step_points_to_exists() -> None:
    numbers = {step.number for step in LESSON.steps}
    for step in LESSON.steps:
        for found in STEP_REFERENCE.findall(step.markdown()):
            for number in filter(None, found):
                assert number in numbers, f"{step.file.name} points to step {number}"


MAX_PROSE_WORDS = 250  # about a minute of reading per step; code blocks not counted


@pytest.mark.parametrize("step", LESSON.steps, ids=lambda s: s.number)
def test_every_step_reads_in_about_a_minute(step: Step) -> None:
    prose = FENCE.sub("", step.markdown())
    assert len(prose.split()) <= MAX_PROSE_WORDS, f"{step.file.name}: {len(prose.split())} words"


def test_steps_with_examples_show_their_code() -> None:
    with_examples = [s for s in LESSON.steps if s.example]
    assert len(with_examples) >= 8
    for step in with_examples:
        assert FENCE.search(step.markdown()), f"{step.id} has an example but shows no code"


# --- $util.escapeJavaScript and the apostrophe --------------------------------------------------


def shown_templates() -> dict[str, str]:
    """Every VTL template the learner is shown: steps, reference solutions, notebook cells."""
    templates = {
        f"{step.file.name} block {n}": body
        for step in LESSON.steps
        for n, (language, body) in enumerate(FENCE.findall(step.markdown()))
        if language == "velocity"
    }
    for path in sorted((REPO / "solutions").glob("*/*.vtl")):
        templates[str(path.relative_to(REPO))] = path.read_text(encoding="utf-8")
    for path in sorted((REPO / "notebooks").glob("*.ipynb")):
        for n, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type == "code" and cell.source.startswith("%%vtl"):
                templates[f"{path.name} cell {n}"] = cell.source.partition("\n")[2]
    return templates


def escape_calls(template: str) -> list[str]:
    """Each `$util.escapeJavaScript(...)` call, with as many characters after its closing
    parenthesis as the fix is long."""
    calls = []
    start = template.find(ESCAPE_CALL)
    while start != -1:
        depth = 0
        for end in range(start + len(ESCAPE_CALL) - 1, len(template)):
            depth += {"(": 1, ")": -1}.get(template[end], 0)
            if depth == 0:
                break
        calls.append(template[start : end + 1 + len(UNDO_APOSTROPHE)])
        start = template.find(ESCAPE_CALL, end)
    return calls


def test_escape_calls_finds_the_naive_call_and_the_fixed_one() -> None:
    naive, fixed = escape_calls(
        """"$util.escapeJavaScript($q.get($k))", "$util.escapeJavaScript($a)""" + UNDO_APOSTROPHE
    )
    assert not naive.endswith(UNDO_APOSTROPHE)
    assert fixed == "$util.escapeJavaScript($a)" + UNDO_APOSTROPHE


def test_the_lesson_shows_templates_that_escape() -> None:
    escaping = [name for name, text in shown_templates().items() if ESCAPE_CALL in text]
    assert any(name.startswith("4-4") for name in escaping)
    assert any(name.startswith("solutions") for name in escaping)
    assert any(name.startswith("04-vtl.ipynb") for name in escaping)


@pytest.mark.parametrize(
    "template",
    [pytest.param(t, id=n) for n, t in shown_templates().items() if ESCAPE_CALL in t],
)
def test_every_escape_javascript_is_followed_by_the_apostrophe_fix(template: str) -> None:
    for call in escape_calls(template):
        assert call.endswith(UNDO_APOSTROPHE), f"{call!r} leaves \\' in the JSON"


@pytest.mark.parametrize(
    "step",
    [s for s in LESSON.steps if ESCAPE_CALL in s.markdown()],
    ids=lambda s: s.number,
)
def test_every_escaping_template_in_a_step_prints_json_for_an_apostrophe(step: Step) -> None:
    templates = [b for lang, b in FENCE.findall(step.markdown()) if lang == "velocity"]
    for template in (t for t in templates if ESCAPE_CALL in t):
        preview = preview_template(
            template,
            body=json.dumps({"comment": 'It\'s "fine"', "errorMessage": "Not found: it's gone"}),
            query=[("q", "it's"), ("note", "rock 'n' roll")],
            stage_variables=[("tableName", "products")],
        )
        assert preview.json_valid, (step.number, preview.output, preview.problems)
        assert "\\'" not in preview.output
