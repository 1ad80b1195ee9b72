"""Exercises 02, 03 and 06 graded on a `handler.mjs` (or .js, .cjs) as on `handler.py`: the
same checks and messages, a note saying which file was graded, and the JavaScript reference
solutions in `solutions/javascript/` passing with full marks."""

from __future__ import annotations

import json
import shutil
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from course_cli.grader import InProcessRunner, check_exercise
from course_cli.grader.classroom.batch import accepted_files, exercise_files, grade_class
from course_cli.grader.classroom.submissions import find_submissions
from course_cli.grader.handler_files import graded_handler, graded_note
from course_cli.runtime.worker.isolation import namespaces_problem
from course_cli.workspace import bundled_dir, init_workspace
from tests.conftest import CliResult
from tests.node_processes import node_children
from tests.sam.test_products_node import sdk_node_modules  # noqa: F401 - a fixture

Run = Callable[..., CliResult]
JS_SOLUTIONS = bundled_dir("solutions") / "javascript"
HANDLER_EXERCISES = ("02-proxy-event", "03-fix-the-502", "06-crud-handler")


@pytest.fixture
def sdk(sdk_node_modules: Path, monkeypatch: pytest.MonkeyPatch) -> Path:  # noqa: F811
    """The AWS SDK v3 installed for course: the npm install the SAM example's test caches."""
    monkeypatch.setenv("COURSE_NODE_SDK", str(sdk_node_modules.parent))
    return sdk_node_modules


def write(folder: Path, name: str, source: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


# --- which file is graded ---------------------------------------------------------------------


def test_a_javascript_handler_is_graded_in_place_of_handler_py(tmp_path: Path) -> None:
    write(tmp_path, "handler.py", "")
    assert graded_handler(tmp_path) == tmp_path / "handler.py"
    assert graded_note(tmp_path, accepted_files("02-proxy-event")) == ""
    write(tmp_path, "handler.cjs", "")
    assert graded_handler(tmp_path) == tmp_path / "handler.cjs"
    write(tmp_path, "handler.mjs", "")
    assert graded_handler(tmp_path) == tmp_path / "handler.mjs"
    assert graded_note(tmp_path, accepted_files("03-fix-the-502")) == (
        "graded handler.mjs (JavaScript, run by node); "
        "handler.py is not graded while handler.mjs is there"
    )


def test_only_the_handler_exercises_accept_javascript() -> None:
    assert accepted_files("02-proxy-event") == {
        "handler.py": ("handler.mjs", "handler.js", "handler.cjs")
    }
    assert accepted_files("08-authorizer") == {}


def test_course_grade_finds_and_stages_a_javascript_handler(tmp_path: Path) -> None:
    klass, staging = tmp_path / "class", tmp_path / "staging"
    write(klass / "ada", "handler.mjs", "export const handler = async () => ({});\n")
    write(klass / "ada", "helpers.mjs", "export const x = 1;\n")
    write(klass / "bo" / "exercises" / "02-proxy-event", "handler.py", "def handler(e, c): ...")
    write(klass / "cy", "answer.py", "def handler(e, c): ...")
    write(klass / "cy", "notes.js", "// a stray script beside a Python answer\n")
    write(klass / "di", "index.cjs", "exports.handler = async () => ({});\n")
    write(klass / "ed", "readme.txt", "nothing to grade\n")
    staging.mkdir()
    found = find_submissions(
        klass,
        exercise_files("02-proxy-event"),
        "02-proxy-event",
        staging,
        accepted=accepted_files("02-proxy-event"),
    )
    staged = {
        s.learner: sorted(p.name for p in s.folder.iterdir()) if s.folder else s.problem
        for s in found.submissions
    }
    assert staged == {
        "ada": ["handler.mjs", "helpers.mjs"],
        "bo": ["handler.py"],
        "cy": ["handler.py"],  # the starter's kind first: the stray .js is not graded
        "di": ["handler.cjs"],
        "ed": "no handler.py (or handler.mjs, handler.js, handler.cjs) in the submission "
        "(it holds: readme.txt)",
    }


# --- the reference solutions in JavaScript ----------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("in_process", [False, True], ids=["isolated", "in-process"])
@pytest.mark.parametrize("exercise_id", HANDLER_EXERCISES)
def test_the_javascript_solution_passes_with_full_marks(
    exercise_id: str, in_process: bool, sdk: Path
) -> None:
    runner = InProcessRunner() if in_process else None
    result = check_exercise(
        exercise_id, JS_SOLUTIONS / exercise_id, runner=runner, include_hidden=True
    )
    assert result.status == "passed", result.to_json()
    assert result.score == result.max_score > 0
    assert result.note == "graded handler.mjs (JavaScript, run by node)"
    assert node_children() == []  # every node the check started has ended


def test_the_javascript_solutions_are_the_exercises_with_javascript() -> None:
    assert sorted(p.name for p in JS_SOLUTIONS.iterdir() if p.is_dir()) == sorted(
        e for e in HANDLER_EXERCISES
    )
    for exercise_id in HANDLER_EXERCISES:
        assert [p.name for p in (JS_SOLUTIONS / exercise_id).iterdir()] == ["handler.mjs"]


@pytest.mark.slow
def test_course_grade_gives_javascript_and_python_the_same_marks_behind_the_wall(
    tmp_path: Path, sdk: Path
) -> None:
    if (problem := namespaces_problem()) is not None:
        pytest.skip(f"no namespaces on this machine: {problem}")
    klass = tmp_path / "class"
    for learner, solution in (
        ("ann", JS_SOLUTIONS / "06-crud-handler" / "handler.mjs"),
        ("ben", bundled_dir("solutions") / "06-crud-handler" / "handler.py"),
    ):
        (klass / learner).mkdir(parents=True)
        shutil.copy(solution, klass / learner / solution.name)
    batch = grade_class(klass, "06", tmp_path / "out", workers=2, isolation="namespaces")
    assert batch.graded_now == 2
    lines = (tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    results = {r["learner"]: r for r in map(json.loads, lines)}
    for learner in ("ann", "ben"):
        assert results[learner]["status"] == "passed", results[learner]
        assert results[learner]["score"] == results[learner]["max_score"] == 9
    assert results["ann"]["source"] == "ann/handler.mjs"
    assert results["ann"]["note"] == "graded handler.mjs (JavaScript, run by node)"
    assert node_children() == []


@pytest.mark.slow
def test_06_without_the_sdk_says_the_one_command_that_installs_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "no sdk here"
    monkeypatch.setenv("COURSE_NODE_SDK", str(empty))
    folder = tmp_path / "submission"
    folder.mkdir()
    shutil.copy(JS_SOLUTIONS / "06-crud-handler" / "handler.mjs", folder / "handler.mjs")
    result = check_exercise("06-crud-handler", folder)
    assert result.status == "error"
    assert result.message is not None and "\n" not in result.message
    assert result.message.startswith(
        "loading handler.mjs failed: Runtime.ImportModuleError: Error: Cannot find package "
        f"'@aws-sdk/client-dynamodb' imported from {folder / 'handler.mjs'}; "
    )
    assert result.message.endswith(
        f"run `npm install --prefix '{empty}' @aws-sdk/client-dynamodb@3 "
        "@aws-sdk/lib-dynamodb@3` once"
    )
    assert node_children() == []


# --- broken JavaScript handlers: the same messages as for Python -------------------------------


def test_a_body_object_is_the_502_explained_in_javascript_words(tmp_path: Path) -> None:
    write(
        tmp_path,
        "handler.mjs",
        """\
        export const handler = async (event) => ({
          statusCode: 200,
          body: { userId: event.pathParameters.userId },
        });
        """,
    )
    result = check_exercise("02-proxy-event", tmp_path)
    assert result.status == "failed"
    first = result.cases[0].message
    assert first.startswith("GET /users/u1?include=orders: expected status 200, got 502.")
    assert "`body` must be a string, but it is object" in first
    assert "JSON.stringify" in first and "json.dumps" not in first
    assert node_children() == []


@pytest.mark.slow
def test_hints_speak_javascript_to_a_javascript_handler(tmp_path: Path) -> None:
    # Reads the path parameter, and nothing else of the event.
    write(
        tmp_path,
        "handler.mjs",
        """\
        export const handler = async (event) => ({
          statusCode: 200,
          body: JSON.stringify({ userId: event.pathParameters.userId }),
        });
        """,
    )
    hints = {case.name: case.hint for case in check_exercise("02-proxy-event", tmp_path).cases}
    assert hints["reads the path parameter"] == ""  # passed
    assert hints["reads the include query parameter"] == (
        "query parameters are in event.queryStringParameters"
    )
    assert hints["no X-Tenant header means tenant public"] == (
        "use headers['x-tenant'] ?? 'public' on the lower-cased headers"
    )
    # A hint with no Python in it is the same in both languages.
    assert hints["reads X-Tenant in any casing"] == (
        "header names keep the client's casing: lower-case them once"
    )
    # And a JavaScript handler that cannot load still gets JavaScript's hints.
    write(tmp_path, "handler.mjs", "export const handler = async (event) => {\n")
    broken = check_exercise("02-proxy-event", tmp_path)
    assert broken.status == "error"
    assert {case.hint for case in broken.cases} >= {"the id is in event.pathParameters.userId"}
    assert node_children() == []


def test_a_syntax_error_is_one_line_naming_the_file_and_line(tmp_path: Path) -> None:
    write(
        tmp_path,
        "handler.mjs",
        """\
        export const handler = async (event) => {
          return { statusCode: 200, body: "{}" ;
        };
        """,
    )
    write(tmp_path, "handler.py", "def handler(event, context):\n    return {}\n")
    result = check_exercise("03-fix-the-502", tmp_path)
    assert result.status == "error"
    assert result.message == (
        "loading handler.mjs (line 2) failed: Runtime.UserCodeSyntaxError: "
        "SyntaxError: Unexpected token ';'"
    )
    assert "\n" not in result.message and "Traceback" not in json.dumps(result.to_json())
    assert "handler.py is not graded while handler.mjs is there" in result.note


def test_a_missing_export_says_how_to_export_it(tmp_path: Path) -> None:
    write(tmp_path, "handler.mjs", "export const main = async () => ({});\n")
    result = check_exercise("02-proxy-event", tmp_path)
    assert result.status == "error"
    assert result.message == (
        "loading handler.mjs failed: Runtime.HandlerNotFound: "
        "handler.handler is undefined or not exported"
    )


# --- `course check` in a workspace ---------------------------------------------------------------


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = init_workspace(tmp_path / "ws").root
    monkeypatch.chdir(root)
    yield root


@pytest.mark.slow
def test_course_check_grades_handler_mjs_beside_the_starter(workspace: Path, run_cli: Run) -> None:
    folder = workspace / "exercises" / "02-proxy-event"
    shutil.copy(JS_SOLUTIONS / "02-proxy-event" / "handler.mjs", folder / "handler.mjs")
    result = run_cli("check", "02-proxy-event")
    assert result.exit_code == 0, result.stdout + result.stderr
    text = " ".join(result.stdout.split())
    assert "graded handler.mjs (JavaScript, run by node); handler.py is not graded" in text
    assert "Done: 02-proxy-event passes every check (9/9)" in text
    document = json.loads(run_cli("check", "02-proxy-event", "--json").stdout)
    assert document["status"] == "passed" and document["note"].startswith("graded handler.mjs")
