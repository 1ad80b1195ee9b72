"""The notebook extension: magics through IPython's InteractiveShell, `check`, the stored
notebooks, and `course notebook`."""

from __future__ import annotations

import html
import importlib.util
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from IPython.core.interactiveshell import InteractiveShell

from course_cli.errors import CourseError
from course_cli.notebook import ErrorView, InvocationView, TemplateView, check
from tests.conftest import REPO, CliResult, course_subprocess_env

Run = Callable[..., CliResult]
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]-*.ipynb"))

BODY_NOT_A_STRING = """
def handler(event, context):
    print("answering", event["path"])
    return {"statusCode": 200, "body": {"id": "i1"}}
"""


def text_of(page: str) -> str:
    """What a reader sees of an HTML output: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


@pytest.fixture(scope="module")
def shell() -> Iterator[InteractiveShell]:
    """One IPython shell with `%load_ext course_cli` done, as a notebook's first cell does."""
    ipython = InteractiveShell.instance()
    ipython.run_line_magic("load_ext", "course_cli")
    yield ipython
    ipython.run_line_magic("sandbox", "stop")


# --- %%invoke ---------------------------------------------------------------------------------


def test_invoke_502_html_explains_and_shows_the_log(shell: InteractiveShell) -> None:
    view = shell.run_cell_magic("invoke", "--path /items/i1", BODY_NOT_A_STRING)
    assert isinstance(view, InvocationView)
    assert view.status == 502
    page = view._repr_html_()
    assert page.startswith("<pre") and "<html" not in page  # one block, not a whole page
    page = text_of(page)
    assert "Why 502" in page
    assert "body: expected a string, got dict" in page  # the explanation
    assert "Execution log" in page
    assert "Execution failed due to configuration error" in page  # AWS's own log line
    assert "Method completed with status: 502" in page
    assert "Internal server error" in page  # what the client saw


def test_invoke_passes_the_request_options_into_the_event(shell: InteractiveShell) -> None:
    cell = (
        "import json\n"
        "def handler(event, context):\n"
        "    return {'statusCode': 201, 'body': json.dumps(event)}\n"
    )
    line = (
        "--method post --path /users/42 --resource /users/{userId} -q tag=a -q tag=b "
        """--header 'X-Tenant: acme' --body '{"name": "lamp"}'"""
    )
    view = shell.run_cell_magic("invoke", line, cell)
    assert isinstance(view, InvocationView)
    assert view.status == 201
    event = json.loads(view.body)
    assert event["httpMethod"] == "POST"
    assert event["resource"] == "/users/{userId}"
    assert event["pathParameters"] == {"userId": "42"}
    assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b"]}
    assert event["headers"]["X-Tenant"] == "acme"
    assert event["body"] == '{"name": "lamp"}'  # braces reach the handler unexpanded


def test_invoke_timeout_is_a_502_with_the_reason(shell: InteractiveShell) -> None:
    cell = "import time\ndef handler(event, context):\n    time.sleep(2)\n"
    view = shell.run_cell_magic("invoke", "--timeout 0.2", cell)
    assert isinstance(view, InvocationView)
    assert view.status == 502
    assert "Task timed out" in text_of(view._repr_html_())


def test_each_cell_is_a_fresh_module(shell: InteractiveShell) -> None:
    first = shell.run_cell_magic(
        "invoke", "", "def handler(event, context):\n    return {'statusCode': 200, 'body': 'a'}"
    )
    second = shell.run_cell_magic(
        "invoke", "", "def handler(event, context):\n    return {'statusCode': 200, 'body': 'b'}"
    )
    assert (first.body, second.body) == ("a", "b")


@pytest.mark.parametrize(
    ("line", "cell", "message"),
    [
        ("", "def handler(event, context:\n", "handler.py"),
        ("", "def other(event, context):\n    pass\n", "handler"),
        ("--method FETCH", "def handler(e, c): pass", "unknown HTTP method"),
        ("--path users", "def handler(e, c): pass", "must start with '/'"),
        ("--nope", "def handler(e, c): pass", "unrecognized arguments"),
        ("--body 'unclosed", "def handler(e, c): pass", "closing quotation"),
    ],
)
def test_invoke_mistakes_are_one_error_line_not_a_traceback(
    shell: InteractiveShell, line: str, cell: str, message: str
) -> None:
    view = shell.run_cell_magic("invoke", line, cell)
    assert isinstance(view, ErrorView)
    assert message in view.message
    assert "error:" in view._repr_html_()


def test_the_magic_result_shows_once_in_a_cell(shell: InteractiveShell) -> None:
    result = shell.run_cell(
        "%%invoke\ndef handler(event, context):\n    return {'statusCode': 204}"
    )
    assert result.success
    assert isinstance(result.result, InvocationView)
    assert result.result.status == 204


# --- %%vtl ------------------------------------------------------------------------------------


def test_vtl_renders_with_the_request_options(shell: InteractiveShell) -> None:
    template = (
        '{"id": "$input.params(\'id\')", "name": $input.json(\'$.name\'), '
        '"q": "$input.params(\'q\')", "h": "$input.params(\'X-H\')", '
        '"stage": "$stageVariables.table", "method": "$context.httpMethod"}'
    )
    line = (
        """--body '{"name": "lamp"}' --path-param id=7 --query q=x --header 'X-H: y' """
        "--stage-var table=products --context httpMethod=PUT"
    )
    view = shell.run_cell_magic("vtl", line, template)
    assert isinstance(view, TemplateView)
    assert view.json_valid
    assert json.loads(view.output) == {
        "id": "7",
        "name": "lamp",
        "q": "x",
        "h": "y",
        "stage": "products",
        "method": "PUT",
    }
    assert "valid JSON" in text_of(view._repr_html_())


def test_vtl_says_why_the_output_is_not_json(shell: InteractiveShell) -> None:
    view = shell.run_cell_magic(
        "vtl", """--body '{"name": "lamp"}'""", "{\"name\": $input.path('$.name')}"
    )
    assert isinstance(view, TemplateView)
    assert not view.json_valid
    assert view.output == '{"name": lamp}'
    assert "not valid JSON" in text_of(view._repr_html_())


def test_vtl_bad_body_is_an_error_line(shell: InteractiveShell) -> None:
    view = shell.run_cell_magic("vtl", "--body 'not json'", "{}")
    assert isinstance(view, ErrorView)
    assert "--body is not valid JSON" in view.message


# --- %sandbox ---------------------------------------------------------------------------------


def test_sandbox_makes_boto3_cells_safe(
    shell: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    shell.run_line_magic("sandbox", "")
    assert "sandbox running" in capsys.readouterr().out
    result = shell.run_cell(
        "import boto3, os\n"
        "client = boto3.client('dynamodb')\n"
        "client.create_table(TableName='t', BillingMode='PAY_PER_REQUEST',\n"
        "    KeySchema=[{'AttributeName': 'id', 'KeyType': 'HASH'}],\n"
        "    AttributeDefinitions=[{'AttributeName': 'id', 'AttributeType': 'S'}])\n"
        "(os.environ['AWS_ACCESS_KEY_ID'] == sandbox.access_key_id, sandbox.tables())\n"
    )
    assert result.success, result.error_in_exec
    assert result.result == (True, ["t"])  # boto3 used the sandbox's fake key, saw its table
    shell.run_line_magic("sandbox", "")  # a second %sandbox keeps the same one
    assert shell.user_ns["sandbox"].tables() == ["t"]
    shell.run_line_magic("sandbox", "stop")
    assert "stopped" in capsys.readouterr().out
    shell.run_line_magic("sandbox", "status")
    assert "no sandbox" in capsys.readouterr().out


# --- check ------------------------------------------------------------------------------------


def solution(exercise: str, name: str) -> Path:
    return REPO / "solutions" / exercise / name


def test_check_grades_a_file_under_any_name(tmp_path: Path) -> None:
    written = tmp_path / "ex04_request.vtl"
    written.write_text(solution("04-vtl-request", "request.vtl").read_text())
    result = check("04-vtl-request", str(written))
    assert result.passed
    assert result.score == result.max_score
    assert "course check 04-vtl-request</b>: all" in result._repr_html_()


def test_check_grades_cell_text() -> None:
    from course_cli.progress import ProgressStore

    text = solution("03-fix-the-502", "handler.py").read_text()
    assert check("3", text).passed
    # A notebook check counts in progress like `course check`.
    assert ProgressStore.default().load()["exercises"]["03-fix-the-502"]["status"] == "passed"
    starter = (REPO / "exercises" / "03-fix-the-502" / "handler.py").read_text()
    failing = check("03-fix-the-502", starter)
    assert failing.status == "failed"
    assert failing.first_failure is not None
    assert "failed" in failing._repr_html_()
    # Practice is recorded apart and never lowers the record.
    entry = ProgressStore.default().load()["exercises"]["03-fix-the-502"]
    assert entry["status"] == "passed" and entry["score"] == entry["max_score"]
    assert entry["practice"]["status"] == "failed"
    assert entry["practice"]["score"] == failing.score


def test_practice_raises_a_record_and_the_workspace_file_can_lower_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from course_cli.progress import ProgressStore
    from course_cli.workspace import init_workspace

    exercise = "03-fix-the-502"
    monkeypatch.chdir(init_workspace(tmp_path / "ws", [exercise]).root)
    assert check(exercise).status == "failed"  # the workspace's starter
    store = ProgressStore.default()
    first = store.load()["exercises"][exercise]
    assert "practice" not in first
    assert check(exercise, solution(exercise, "handler.py").read_text()).passed
    raised = store.load()["exercises"][exercise]
    assert raised["status"] == "passed" and raised["passed_once"] is True
    assert check(exercise).status == "failed"  # the learner's own file still fails: it counts
    assert store.load()["exercises"][exercise]["status"] == "failed"


def test_check_grades_a_folder_and_the_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert check("05-vtl-response", solution("05-vtl-response", "").parent).passed
    monkeypatch.chdir(REPO)  # a clone is a workspace: its exercises/ are the starters
    result = check("05-vtl-response")
    assert result.status == "failed"


def test_check_reports_broken_code_as_a_result() -> None:
    result = check("02-proxy-event", "def handler(event, context:\n    pass\n")
    assert result.status == "error"
    assert result.message


def test_check_names_a_missing_file() -> None:
    with pytest.raises(CourseError, match=r"no file ex03_handler\.py"):
        check("03-fix-the-502", "ex03_handler.py")


# --- the stored notebooks ---------------------------------------------------------------------


def test_there_is_one_notebook_per_topic() -> None:
    assert [nb.name[:2] for nb in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_are_stored_without_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a cell has outputs"
            assert cell.execution_count is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_end_with_their_exercises_as_shipped(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code[0].source.startswith("%load_ext course_cli")
    assert "check" in code[-1].metadata["tags"]
    exercises = [cell for cell in code if "exercise" in cell.metadata.get("tags", [])]
    assert exercises
    for cell in exercises:
        meta = cell.metadata["course"]
        starter = (REPO / "exercises" / meta["exercise"] / meta["file"]).read_text()
        assert cell.source == f"%%writefile {meta['target']}\n{starter.rstrip()}\n"
        following = code[code.index(cell) + 1]
        assert following.source == f'check("{meta["exercise"]}", "{meta["target"]}")'


def test_the_generator_reproduces_the_stored_notebooks() -> None:
    spec = importlib.util.spec_from_file_location(
        "make_notebooks", NOTEBOOKS[0].parent / "make_notebooks.py"
    )
    assert spec is not None and spec.loader is not None
    module: Any = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, cells in module.NOTEBOOKS.items():
        stored = nbformat.read(REPO / "notebooks" / f"{name}.ipynb", as_version=4)
        assert module.build(cells) == stored, f"{name}: run notebooks/make_notebooks.py"


# --- course notebook --------------------------------------------------------------------------


def test_notebook_without_jupyterlab_is_one_line_and_exit_1(
    run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == "jupyterlab" else real_find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    result = run_cli("notebook")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "JupyterLab is not installed" in lines[0]
    assert "pip install 'course[notebook]'" in lines[0]


def test_notebook_opens_jupyterlab_on_copies(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import course_cli.jupyter as jupyter

    calls: list[tuple[list[str], Path]] = []

    def call(command: list[str], cwd: Path) -> int:
        calls.append((command, cwd))
        return 0

    monkeypatch.setattr(jupyter, "require_jupyterlab", lambda: None)
    monkeypatch.setattr(jupyter.subprocess, "call", call)
    assert run_cli("init", str(tmp_path / "ws")).exit_code == 0
    monkeypatch.chdir(tmp_path / "ws")
    originals = {nb.name: nb.read_bytes() for nb in NOTEBOOKS}

    mine = tmp_path / "ws" / "my-notebooks"
    mine.mkdir()
    (mine / "02-proxy-event.ipynb").write_text("my own work")
    result = run_cli("notebook", "3")
    assert result.exit_code == 0, result.stderr
    command, cwd = calls[-1]
    assert cwd == mine
    assert command[1:3] == ["-m", "jupyterlab"]
    assert command[-1] == "03-proxy-response.ipynb"
    assert sorted(p.name for p in mine.glob("*.ipynb")) == sorted(originals)
    assert (mine / "02-proxy-event.ipynb").read_text() == "my own work"  # never overwritten
    assert {nb.name: nb.read_bytes() for nb in NOTEBOOKS} == originals

    assert run_cli("notebook", "vtl").exit_code == 0
    assert calls[-1][0][-1] == "04-vtl.ipynb"
    wrong = run_cli("notebook", "nine")
    assert wrong.exit_code == 2
    assert "notebooks: 01-integration-types" in wrong.stderr


def test_loading_the_extension_is_lazy(course_home: Path) -> None:
    probe = (
        "import sys, course_cli, course_cli.notebook\n"
        "assert callable(course_cli.load_ipython_extension)\n"
        "names = ('IPython', 'nbclient', 'jupyter_client', 'boto3')\n"
        "heavy = [m for m in names if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=course_subprocess_env(course_home),
        check=True,
    ).stdout
    assert out.strip() == "[]"


# --- practice in a notebook never undoes a pass ----------------------------------------------


@pytest.mark.kernel
@pytest.mark.slow
def test_running_a_notebook_keeps_a_passed_exercise_passed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Run
) -> None:
    from course_cli.workspace import init_workspace
    from tests.notebooks.running import execute

    exercise = "03-fix-the-502"
    workspace = init_workspace(tmp_path / "ws", [exercise]).root
    monkeypatch.chdir(workspace)
    (workspace / "exercises" / exercise / "handler.py").write_text(
        solution(exercise, "handler.py").read_text()
    )
    assert run_cli("check", exercise).exit_code == 0
    # The notebook as shipped: its exercise cell holds the starter, and its check cell grades it.
    executed = execute(REPO / "notebooks" / "03-proxy-response.ipynb", tmp_path, solutions=False)
    assert "failed" in executed.verdicts()[exercise]

    status = json.loads(run_cli("status", "--json").stdout)
    entry = next(e for e in status["exercises"] if e["id"] == exercise)
    assert entry["status"] == "passed" and entry["score"] == entry["max_score"]
    assert "passed" in run_cli("status").stdout.split(exercise, 1)[1].splitlines()[0]


@pytest.mark.slow  # starts node
def test_invoke_node_runs_the_cell_as_javascript(shell: InteractiveShell) -> None:
    cell = (
        "export const handler = async (event) => {\n"
        "  console.log('answering', event.path);\n"
        "  return { statusCode: 200, body: { id: event.pathParameters.id } };\n"
        "};\n"
    )
    view = shell.run_cell_magic("invoke", "--node --path /items/i1 --resource /items/{id}", cell)
    assert isinstance(view, InvocationView)
    assert view.status == 502  # the lesson's 502, told in JavaScript's words
    page = text_of(view._repr_html_())
    assert "body: expected a string, got object" in page
    assert "JSON.stringify" in page
    assert any(
        line.endswith("\tINFO\tanswering /items/i1") for line in view.document["functionLog"]
    )
