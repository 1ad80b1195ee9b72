"""Which handler texts are Node.js ones, and the file and export each names."""

from __future__ import annotations

from pathlib import Path

import pytest

from course_cli.errors import HandlerError
from course_cli.runtime.node import is_node_handler, node_handler_spec


@pytest.mark.parametrize(
    ("text", "file", "export"),
    [
        ("handler.mjs", "handler.mjs", "handler"),
        ("handler.mjs:main", "handler.mjs", "main"),
        ("app.js", "app.js", "handler"),
        ("lib/app.cjs:go", "lib/app.cjs", "go"),
    ],
)
def test_file_forms(tmp_path: Path, text: str, file: str, export: str) -> None:
    spec = node_handler_spec(text, tmp_path)
    assert spec is not None
    assert spec.path == tmp_path / file
    assert spec.function == export


@pytest.mark.parametrize("suffix", [".js", ".mjs", ".cjs"])
def test_lambda_module_form_finds_the_javascript_file(tmp_path: Path, suffix: str) -> None:
    (tmp_path / f"index{suffix}").write_text("")
    spec = node_handler_spec("index.handler", tmp_path)
    assert spec is not None
    assert (spec.path, spec.function) == (tmp_path / f"index{suffix}", "handler")


def test_module_form_in_a_folder(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "index.mjs").write_text("")
    spec = node_handler_spec("src/index.handler", tmp_path)
    assert spec is not None
    assert spec.path == tmp_path / "src" / "index.mjs"


def test_python_handlers_are_not_node_ones(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("")
    (tmp_path / "app.js").write_text("")
    assert not is_node_handler("app.py", tmp_path)
    assert not is_node_handler("app.py:handler", tmp_path)
    # With both files there, Lambda's module form is the Python one, as before.
    assert not is_node_handler("app.lambda_handler", tmp_path)
    assert not is_node_handler("missing.handler", tmp_path)


def test_a_bad_export_name_is_a_handler_error(tmp_path: Path) -> None:
    with pytest.raises(HandlerError, match="not a JavaScript export name"):
        node_handler_spec("handler.mjs:my-handler", tmp_path)
