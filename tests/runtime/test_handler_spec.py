"""Handlers named in Lambda's `module.function` form next to `file.py[:function]`."""

from __future__ import annotations

from pathlib import Path

import pytest

from course_cli.errors import HandlerError
from course_cli.local_api import function_name_for
from course_cli.runtime import load_handler, parse_handler_spec
from course_cli.runtime.handler_spec import is_module_form


@pytest.mark.parametrize(
    ("text", "module_form"),
    [
        ("app.lambda_handler", True),
        ("pkg.mod.fn", True),
        ("app.py", False),  # could read as module "app", function "py": a file it is
        ("app.py:handler", False),
        ("app", False),
        ("dir/app.handler", False),
        ("1app.handler", False),
    ],
)
def test_what_reads_as_module_function(text: str, module_form: bool) -> None:
    assert is_module_form(text) is module_form


def test_module_function_finds_the_file_under_the_base(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("def lambda_handler(event, context):\n    return 'app'\n")
    spec = parse_handler_spec("app.lambda_handler", tmp_path)
    assert (spec.path, spec.function) == (tmp_path / "app.py", "lambda_handler")
    assert load_handler(spec).function({}, None) == "app"


def test_a_package_module_imports_its_package_as_on_lambda(tmp_path: Path) -> None:
    package = tmp_path / "orders"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "names.py").write_text("KIND = 'orders'\n")
    # Lambda puts /var/task on sys.path, so the package imports by its own name.
    (package / "api.py").write_text(
        "from orders import names\n\ndef fn(event, context):\n    return names.KIND\n"
    )
    spec = parse_handler_spec("orders.api.fn", tmp_path)
    assert spec.path == package / "api.py"
    assert load_handler(spec).function({}, None) == "orders"
    assert function_name_for("orders.api.fn") == "api"


def test_a_file_with_the_name_wins_over_the_module_reading(tmp_path: Path) -> None:
    (tmp_path / "app.handler").write_text("def handler(event, context):\n    return 'file'\n")
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return 'module'\n")
    spec = parse_handler_spec("app.handler", tmp_path)
    assert spec.path == tmp_path / "app.handler" and spec.function is None


def test_a_missing_module_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(HandlerError) as error:
        parse_handler_spec("shop.cart.handler", tmp_path)
    message = error.value.message
    assert "no module 'shop.cart'" in message
    assert "shop/cart.py" in message and "shop/cart/__init__.py" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("handler", "name"),
    [("app.py", "app"), ("app.py:fn", "app"), ("app.lambda_handler", "app"), ("a.b.c", "b")],
)
def test_function_names(handler: str, name: str) -> None:
    assert function_name_for(handler) == name
