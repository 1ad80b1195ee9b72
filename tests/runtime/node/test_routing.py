"""`runtime_for`: Python-only APIs keep the in-process runtime; with a Node.js function, a
router sends each function to the runtime of its language."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from course_cli.gateway.invoker import FunctionNotFound, Outcome
from course_cli.runtime import InProcessRuntime
from course_cli.runtime.node import RuntimeRouter, runtime_for


def test_python_only_is_the_in_process_runtime(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return 1\n")
    assert type(runtime_for({"app": "app.py"}, base_dir=tmp_path)) is InProcessRuntime


def test_each_function_to_its_language(handlers: Path) -> None:
    (handlers / "app.py").write_text("def handler(event, context):\n    return 'python'\n")
    runtime = runtime_for({"app": "app.py", "js": "common.cjs"}, base_dir=handlers)
    assert isinstance(runtime, RuntimeRouter)
    try:
        assert set(runtime.functions) == {"app", "js"}
        assert runtime("app", {}).payload == '"python"'
        assert json.loads(runtime("js", {}).payload)["body"] == "cjs"
        with pytest.raises(FunctionNotFound):
            runtime("nothing", {})
        with runtime.forked() as forked:  # Python in a forked copy, Node.js as it was
            assert forked("app", {}).payload == '"python"'
            assert forked("js", {}).outcome is Outcome.OK
    finally:
        runtime.node.close()
