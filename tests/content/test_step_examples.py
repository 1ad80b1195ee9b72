"""`examples/`: the files the lesson's steps tell a learner to run, one folder per step, named
like the step's file. What a step shows is what the file holds, every file is one a step names,
`course init` copies them all, and a wheel carries them. Beyond the lesson, `examples/sam/` and
`examples/node/` hold what the README's SAM and Node.js sections name."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from course_cli.content import Step, load_lesson
from course_cli.workspace import bundled_dir, init_workspace
from tests.conftest import REPO

LESSON = load_lesson("lesson-3")
EXAMPLES = REPO / "examples"
STEPS = {step.file.stem: step for step in LESSON.steps}
LANGUAGE = {".py": "python", ".vtl": "velocity"}
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
EXAMPLE_PATH = re.compile(r"examples/[\w.-]+/[\w.-]+")
# Folders for what comes after the lesson, each named in the README rather than in a step.
BEYOND = {"sam", "node"}


def example_files() -> list[Path]:
    return sorted(
        p
        for p in EXAMPLES.glob("*/*")
        if p.is_file() and "__pycache__" not in p.parts and p.parent.name not in BEYOND
    )


def test_every_folder_is_named_after_a_step() -> None:
    folders = {p.name for p in EXAMPLES.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders and folders <= set(STEPS) | BEYOND, folders - set(STEPS) - BEYOND


@pytest.mark.parametrize(
    "path",
    sorted(p for name in BEYOND for p in (EXAMPLES / name).glob("*") if p.name != "__pycache__"),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_every_example_beyond_the_lesson_is_named_in_the_readme(path: Path) -> None:
    assert f"examples/{path.parent.name}/{path.name}" in (REPO / "README.md").read_text()


@pytest.mark.parametrize("path", example_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_file_is_named_in_its_step(path: Path) -> None:
    step = STEPS[path.parent.name]
    assert f"examples/{path.parent.name}/{path.name}" in step.markdown(), step.file.name


@pytest.mark.parametrize("step", LESSON.steps, ids=lambda s: s.number)
def test_every_example_path_a_step_names_exists(step: Step) -> None:
    for named in EXAMPLE_PATH.findall(step.markdown()):
        assert (REPO / named).is_file(), f"{step.file.name} names {named}"


def shown_files(step: Step) -> dict[str, str]:
    """The files a step shows: a block right after a paragraph that names the file (its
    path, or its bare name for a second file of the step's folder), in the file's language."""
    folder = EXAMPLES / step.file.stem
    markdown = step.markdown()
    shown = {}
    end_of_last_block = 0
    for block in FENCE.finditer(markdown):
        before = markdown[end_of_last_block : block.start()]
        end_of_last_block = block.end()
        paragraph = before.strip().split("\n\n")[-1]
        for span in re.findall(r"`([^`]+)`", paragraph):
            path = REPO / span if span.startswith("examples/") else folder / span
            if path.parent == folder and LANGUAGE.get(path.suffix) == block[1]:
                shown[path.name] = block[2]
    return shown


def test_steps_show_their_files() -> None:
    shown = {step.number: sorted(shown_files(step)) for step in LESSON.steps if shown_files(step)}
    assert shown == {
        "1.3": ["handler.py"],
        "2.4": ["crashes.py", "safe.py"],
        "3.10": ["handler.py"],
        "3.11": ["handler.py"],
        "3.12": ["gateway_responses.py"],
        "4.1": ["template.vtl"],
        "4.2": ["template.vtl"],
        "4.3": ["template.vtl"],
        "4.7": ["first-try.vtl", "fixed.vtl"],
        "6.2": ["handler.py"],
        "6.3": ["auth.py"],
    }


@pytest.mark.parametrize(
    "step", [s for s in LESSON.steps if shown_files(s)], ids=lambda s: s.number
)
def test_a_file_holds_what_its_step_shows(step: Step) -> None:
    for name, block in shown_files(step).items():
        assert (EXAMPLES / step.file.stem / name).read_text(encoding="utf-8") == block, name


# Step 3.3's table, row by row, as the names its example file gives the rows.
CATALOGUE = {
    "dict-body": 502,
    "extra-key": 502,
    "status-ok": 502,
    "not-an-object": 502,
    "cookie-not-a-list": 502,
    "empty": 200,
    "status-string": 201,
    "headers-none": 200,
    "header-true": 200,
    "typo": 502,
}


def test_the_catalogue_file_answers_as_step_3_3_says(course_home: Path) -> None:
    from course_cli.gateway.pipeline import invocation_to_json
    from course_cli.local_api import api_for_handler, build_request

    api = api_for_handler(str(EXAMPLES / "3-3-malformed-catalogue" / "handler.py"))
    answers = {}
    for row in [*CATALOGUE, "no-such-row"]:
        sent = api.send(build_request("GET", "/products", query=[("row", row)]))
        answers[row] = invocation_to_json(sent)["response"]
    assert {row: answers[row]["statusCode"] for row in CATALOGUE} == CATALOGUE
    assert answers["header-true"]["headers"]["X-Cached"] == "true"
    # A row it does not know: a 400 listing the ones it does, not a 502 to puzzle over.
    assert answers["no-such-row"]["statusCode"] == 400
    assert json.loads(answers["no-such-row"]["body"]) == {"pick a row": list(CATALOGUE)}


def test_course_init_copies_every_example(tmp_path: Path) -> None:
    workspace = init_workspace(tmp_path / "ws")
    copied = sorted(
        p.relative_to(workspace.examples_dir) for p in workspace.examples_dir.rglob("*")
    )
    shipped = sorted(
        p.relative_to(bundled_dir("examples"))
        for p in bundled_dir("examples").rglob("*")
        if "__pycache__" not in p.parts
    )
    assert copied == shipped and copied


def test_a_wheel_carries_the_examples() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    force_include = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert force_include["examples"] == "course_cli/_bundled/examples"
