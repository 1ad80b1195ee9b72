"""`course serve HANDLER --sandbox`: the learner's own CRUD handler behind the products API in a
fresh sandbox, and the `aws dynamodb scan` line it prints works as printed, in a shell with no
AWS set-up at all."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from course_cli.workspace import bundled_dir, init_workspace
from tests.conftest import PYTHON, course_subprocess_env
from tests.sam.test_products_node import sdk_node_modules  # noqa: F401 - a fixture

EXERCISE = "06-crud-handler"


def _without_aws(env: dict[str, str], home: Path) -> dict[str, str]:
    """A learner's shell that never ran `aws configure`: no AWS variables, an empty home."""
    clean = {k: v for k, v in env.items() if not k.startswith("AWS_")}
    clean["HOME"] = str(home)
    return clean


@pytest.fixture(params=["handler.py", "handler.mjs"])
def served(
    request: pytest.FixtureRequest, tmp_path: Path, course_home: Path
) -> Iterator[tuple[str, list[str]]]:
    """The reference answer served with `--sandbox`: in Python, and as the JavaScript a learner
    of the original lesson writes (its AWS SDK v3 the one installed for course)."""
    handler: str = request.param
    root = init_workspace(tmp_path / "ws", [EXERCISE]).root
    mine = root / "exercises" / EXERCISE / handler
    if handler == "handler.py":
        shutil.copy(bundled_dir("solutions") / EXERCISE / handler, mine)
    else:
        shutil.copy(bundled_dir("solutions") / "javascript" / EXERCISE / handler, mine)
    (tmp_path / "home").mkdir()
    env = _without_aws(course_subprocess_env(course_home), tmp_path / "home")
    env["COLUMNS"] = "80"  # a narrow terminal: the printed command must survive it whole
    if handler == "handler.mjs":
        sdk: Path = request.getfixturevalue("sdk_node_modules")
        env["COURSE_NODE_SDK"] = str(sdk.parent)
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "course_cli",
            "serve",
            f"exercises/{EXERCISE}/{handler}",
            "--sandbox",
            "--port",
            "0",
        ],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    try:
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if "Ctrl-C stops" in line:
                break
        else:
            pytest.fail(f"course serve ended: {lines} {process.stderr.read()}")  # type: ignore[union-attr]
        url = re.search(r"http://127\.0\.0\.1:\d+/", "\n".join(lines))
        assert url, lines
        yield url[0], lines
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.communicate(timeout=20)  # reads and closes both pipes
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


@pytest.mark.slow
def test_the_learners_handler_serves_and_the_scan_line_works_as_printed(
    served: tuple[str, list[str]], tmp_path: Path
) -> None:
    url, lines = served
    assert any(f"exercises/{EXERCISE}/handler." in line for line in lines), lines
    request = urllib.request.Request(
        url + "prod/products",
        data=json.dumps({"name": "lamp", "price": 19.5}).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=20) as response:
        assert response.status == 201
        created = json.loads(response.read())
    (scan,) = [line.strip() for line in lines if "aws dynamodb scan" in line]
    if shutil.which("aws") is None:
        pytest.skip("the AWS CLI is not installed here")
    done = subprocess.run(
        ["bash", "-c", scan],
        env=_without_aws(dict(os.environ), tmp_path / "home"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    items = json.loads(done.stdout)["Items"]
    assert [item["id"]["S"] for item in items] == [created["id"]]


@pytest.mark.slow
def test_invoking_a_handler_that_needs_aws_points_at_the_sandbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Any
) -> None:
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    (tmp_path / "empty").write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "empty"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "empty"))
    handler = bundled_dir("solutions") / EXERCISE / "handler.py"
    result = run_cli("invoke", str(handler), "--method", "GET", "--path", "/products", "--json")
    document = json.loads(result.stdout)
    assert document["response"]["statusCode"] == 502
    explanation = " ".join(document["explanations"])
    assert "course serve" in explanation and "--sandbox" in explanation
    assert "Catch errors in the handler" not in explanation
