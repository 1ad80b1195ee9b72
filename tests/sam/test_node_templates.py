"""SAM templates with Node.js functions: which file a `Handler` names, and such templates
served over HTTP and invoked with a real `node`, each function with its own variables."""

from __future__ import annotations

import json
import shutil
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from course_cli.sam.app import read_app
from course_cli.sam.runtimes import older_node_warning
from tests.conftest import REPO, CliResult
from tests.sam.conftest import SamServers
from tests.sam.test_serve import call

NODE_APP = REPO / "tests" / "sam" / "node_app"
HEADER = "Transform: AWS::Serverless-2016-10-31\n"


def template(folder: Path, runtime: str, handler: str, code_uri: str = "src/") -> Path:
    path = folder / "template.yaml"
    path.write_text(
        HEADER
        + textwrap.dedent(f"""
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties: {{CodeUri: {code_uri}, Handler: {handler}, Runtime: {runtime}}}
            """)
    )
    return path


def test_index_handler_is_the_first_of_js_mjs_cjs_as_lambda_looks(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    for suffix in (".cjs", ".mjs"):
        (tmp_path / "src" / f"index{suffix}").write_text("")
    app = read_app(template(tmp_path, "nodejs20.x", "index.handler"))
    assert app.function("Fn").handler == f"{tmp_path / 'src' / 'index.mjs'}:handler"
    (tmp_path / "src" / "index.js").write_text("")
    app = read_app(template(tmp_path, "nodejs22.x", "index.handler"))
    assert app.function("Fn").handler == f"{tmp_path / 'src' / 'index.js'}:handler"
    assert app.warnings == ()


def test_a_folder_in_the_handler_is_under_the_code_uri(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.mjs").write_text("")
    app = read_app(template(tmp_path, "nodejs18.x", "src/app.lambdaHandler", code_uri="."))
    assert app.function("Fn").handler == f"{tmp_path / 'src' / 'app.mjs'}:lambdaHandler"


@pytest.mark.parametrize(
    ("runtime", "handler", "expected"),
    [
        ("nodejs20.x", "index.handler", "none of index.js, index.mjs, index.cjs is in"),
        ("nodejs20.x", "index.handlers.create", "only a top-level export is served"),
        ("nodejs20.x", "index", "is not file.export"),
        ("nodejs16.x", "index.handler", "runtime nodejs16.x is older than nodejs18.x"),
        ("nodejs", "index.handler", "runtime nodejs is not served yet"),
    ],
    ids=["no-file", "nested-export", "no-export", "old-node", "no-version"],
)
def test_what_cannot_be_served_is_one_warning_line(
    tmp_path: Path, runtime: str, handler: str, expected: str
) -> None:
    (tmp_path / "src").mkdir()
    if "none of" not in expected:  # every case but the missing file has one
        (tmp_path / "src" / "index.mjs").write_text("")
    app = read_app(template(tmp_path, runtime, handler))
    assert app.function("Fn").handler is None
    assert [line for line in app.warnings if expected in line] == list(app.warnings)
    assert len(app.warnings) == 1 and "\n" not in app.warnings[0]


@pytest.mark.parametrize(
    ("runtime", "warned"),
    [("nodejs22.x", True), ("nodejs20.x", False), ("nodejs18.x", False), ("python3.12", False)],
)
def test_a_runtime_newer_than_the_node_here_is_a_warning(runtime: str, warned: bool) -> None:
    warning = older_node_warning("Fn", runtime, (20, 11, 1))
    assert (warning is not None) == warned
    if warning is not None:
        assert warning == (
            "function Fn: runtime nodejs22.x is run here by node v20.11.1; what Node.js 22 "
            "added fails here and not on Lambda"
        )


def test_without_node_a_node_template_is_one_line_and_exit_2(
    run_cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no node here
    result = run_cli("invoke", "-t", str(NODE_APP / "template.yaml"), "GreetFunction")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[0].endswith("need node 18 or newer on PATH")
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_course_invoke_runs_a_node_function_of_a_template(
    run_cli: Callable[..., CliResult],
) -> None:
    result = run_cli("invoke", "-t", str(NODE_APP / "template.yaml"), "FarewellFunction", "--json")
    assert result.exit_code == 0, result.stderr
    seen = json.loads(json.loads(result.stdout)["response"]["body"])
    assert seen["MESSAGE"] == "Goodbye" and seen["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")


MIXED = """
Resources:
  PyFn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Environment: {Variables: {ONLY_PY: "py"}}
  NodeFn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: index.handler
      Runtime: nodejs20.x
      Environment: {Variables: {ONLY_NODE: "node"}}
"""
SEEN = ("ONLY_PY", "ONLY_NODE", "AWS_LAMBDA_FUNCTION_NAME")


@pytest.mark.slow
def test_python_and_node_functions_of_one_template_keep_their_variables(tmp_path: Path) -> None:
    from course_cli.sam.live import LiveTemplate

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(
        "import os\n"
        f"def handler(event, context):\n    return {{n: os.environ.get(n) for n in {SEEN}}}\n"
    )
    (tmp_path / "src" / "index.mjs").write_text(
        "export const handler = async () =>\n"
        f"  Object.fromEntries({json.dumps(SEEN)}.map((n) => [n, process.env[n] ?? null]));\n"
    )
    path = tmp_path / "template.yaml"
    path.write_text(HEADER + MIXED)
    with LiveTemplate(path, server=False) as live:
        # The Python function runs first, so the node process starts after its variables
        # were set (and put back) in this process.
        python = json.loads(live.invoke("PyFn", {}, 3, 3).payload)
        node = json.loads(live.invoke("NodeFn", {}, 3, 3).payload)
    assert python == {"ONLY_PY": "py", "ONLY_NODE": None, "AWS_LAMBDA_FUNCTION_NAME": "PyFn"}
    assert node == {"ONLY_PY": None, "ONLY_NODE": "node", "AWS_LAMBDA_FUNCTION_NAME": "NodeFn"}


@pytest.mark.slow
def test_each_node_function_sees_only_its_own_variables(sam_servers: SamServers) -> None:
    base = sam_servers(NODE_APP / "template.yaml")
    greet, farewell = call("GET", f"{base}/greet")[1], call("GET", f"{base}/farewell")[1]
    assert greet["MESSAGE"] == "Hello" and greet["GREET_ONLY"] == "yes"
    assert farewell["MESSAGE"] == "Goodbye" and farewell["GREET_ONLY"] is None
    assert greet["APP_STAGE"] == farewell["APP_STAGE"] == "local"
    assert greet["AWS_LAMBDA_FUNCTION_NAME"] != farewell["AWS_LAMBDA_FUNCTION_NAME"]
    assert greet["AWS_EXECUTION_ENV"] == "AWS_Lambda_nodejs20.x"
    assert farewell["AWS_EXECUTION_ENV"] == "AWS_Lambda_nodejs22.x"
    assert greet["LAMBDA_TASK_ROOT"] == str(NODE_APP / "src")
    assert farewell["LAMBDA_TASK_ROOT"] == str(NODE_APP)
    assert (greet["memory"], farewell["memory"]) == ("512", "128")
    assert 1000 < farewell["timeoutMs"] <= 2000 < greet["timeoutMs"] <= 3000
    # Both reach the sandbox, on this machine, with its fake credentials; never AWS.
    endpoint = greet["AWS_ENDPOINT_URL"]
    assert endpoint.startswith("http://127.0.0.1:") and farewell["AWS_ENDPOINT_URL"] == endpoint
    assert greet["AWS_ACCESS_KEY_ID"] == farewell["AWS_ACCESS_KEY_ID"] == "testing"


@pytest.mark.slow
def test_an_edited_node_handler_answers_the_next_request(
    sam_servers: SamServers, tmp_path: Path
) -> None:
    app = tmp_path / "app"
    shutil.copytree(NODE_APP, app)
    base = sam_servers(app / "template.yaml")
    assert call("GET", f"{base}/greet")[1]["MESSAGE"] == "Hello"
    handler = app / "src" / "index.mjs"
    time.sleep(0.05)  # a new modification time, even on coarse clocks
    handler.write_text(handler.read_text().replace('"MESSAGE", ', '"MESSAGE", "EDITED", '))
    assert call("GET", f"{base}/greet")[1]["EDITED"] is None
    time.sleep(0.05)
    handler.write_text("export const handler = async () => ({ statusCode: 418, body: '[]' });\n")
    assert call("GET", f"{base}/greet")[0] == 418
    assert call("GET", f"{base}/farewell")[1]["MESSAGE"] == "Goodbye"
