"""Each function sees only its own environment variables, set while it loads and runs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from course_cli.runtime import InProcessRuntime

HANDLER = """
import json, os
AT_LOAD = os.environ.get("GREETING")

def handler(event, context):
    return {"load": AT_LOAD, "now": os.environ.get("GREETING"), "other": os.environ.get("ONLY_B")}
"""


@pytest.fixture
def runtime(tmp_path: Path) -> InProcessRuntime:
    (tmp_path / "a.py").write_text(HANDLER)
    (tmp_path / "b.py").write_text(HANDLER)
    return InProcessRuntime(
        {"a": "a.py", "b": "b.py"},
        base_dir=tmp_path,
        environments={"a": {"GREETING": "hello"}, "b": {"GREETING": "hi", "ONLY_B": "yes"}},
    )


def test_each_function_sees_its_own_variables_at_load_and_at_run(
    runtime: InProcessRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GREETING", raising=False)
    monkeypatch.delenv("ONLY_B", raising=False)
    b = json.loads(runtime.invoke("b", {}, 3, 3).payload)
    a = json.loads(runtime.invoke("a", {}, 3, 3).payload)
    assert b == {"load": "hi", "now": "hi", "other": "yes"}
    assert a == {"load": "hello", "now": "hello", "other": None}
    assert "GREETING" not in os.environ and "ONLY_B" not in os.environ


def test_the_process_value_comes_back_after_the_call(
    runtime: InProcessRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GREETING", "from the shell")
    runtime.load("a")
    assert os.environ["GREETING"] == "from the shell"
    assert json.loads(runtime.invoke("a", {}, 3, 3).payload)["now"] == "hello"
    assert os.environ["GREETING"] == "from the shell"


def test_two_functions_on_one_handler_each_load_it_under_their_own_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GREETING", raising=False)
    (tmp_path / "shared.py").write_text(HANDLER)
    runtime = InProcessRuntime(
        {"a": "shared.py", "b": "shared.py"},
        base_dir=tmp_path,
        environments={"a": {"GREETING": "hello"}, "b": {"GREETING": "hi"}},
    )
    assert json.loads(runtime.invoke("a", {}, 3, 3).payload)["load"] == "hello"
    assert json.loads(runtime.invoke("b", {}, 3, 3).payload)["load"] == "hi"
