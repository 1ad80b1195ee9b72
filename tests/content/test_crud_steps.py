"""Topic 5's code, run for real: the code of steps 5.2-5.6, one block after the other, is a
products function that passes 06-crud-handler; the boto3 calls of steps 5.7-5.9 build an API
that passes 07-wire-the-api. Every action has the one shape of step 5.2."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from course_cli.content import load_lesson
from course_cli.grader import InProcessRunner, check_exercise

LESSON = load_lesson("lesson-3")
PYTHON = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
HANDLER_STEPS = (
    "crud-router",
    "decimal-json",
    "list-and-create",
    "get-update-delete",
    "whole-handler",
)
WIRING_STEPS = ("table-and-function", "wire-the-api", "permission-and-stage")
ACTIONS = {
    ("GET", "/products"): "list_products",
    ("POST", "/products"): "create_product",
    ("GET", "/products/{productId}"): "get_product",
    ("PUT", "/products/{productId}"): "update_product",
    ("DELETE", "/products/{productId}"): "delete_product",
}


def python_of(step_ids: tuple[str, ...]) -> str:
    steps = {step.id: step for step in LESSON.steps}
    return "\n\n".join(
        block for step_id in step_ids for block in PYTHON.findall(steps[step_id].markdown())
    )


def test_every_action_takes_the_table_and_the_event() -> None:
    tree = ast.parse(python_of(HANDLER_STEPS))
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert set(ACTIONS.values()) <= set(functions)
    for name in ACTIONS.values():
        assert [arg.arg for arg in functions[name].args.args] == ["table", "event"], name


def test_step_5_6_routes_every_route_to_its_action() -> None:
    namespace: dict[str, object] = {name: name for name in ACTIONS.values()}
    exec(
        PYTHON.findall(next(s for s in LESSON.steps if s.id == "whole-handler").markdown())[0],
        namespace,
    )
    assert namespace["ROUTES"] == ACTIONS


@pytest.mark.slow
def test_the_steps_code_in_order_passes_exercise_06(tmp_path: Path) -> None:
    (tmp_path / "handler.py").write_text(python_of(HANDLER_STEPS))
    result = check_exercise("06-crud-handler", tmp_path, runner=InProcessRunner())
    assert result.status == "passed", result.to_json()


GLUE = """

def deploy(package):
    region = "us-east-1"
    account_id = boto3.client("sts", region_name=region).get_caller_identity()["Account"]
    role_arn = f"arn:aws:iam::{account_id}:role/products-lambda-role"
    function_arn = create_backend(region, role_arn, package)
    api_id = wire_api(region, function_arn)
    allow_and_deploy(region, account_id, api_id, "products")
    return api_id
"""


@pytest.mark.slow
def test_the_steps_wiring_with_its_waiters_passes_exercise_07(tmp_path: Path) -> None:
    source = python_of(WIRING_STEPS)
    assert 'get_waiter("table_exists")' in source
    assert 'get_waiter("function_active_v2")' in source
    (tmp_path / "deploy.py").write_text(source + GLUE)
    result = check_exercise("07-wire-the-api", tmp_path, runner=InProcessRunner())
    assert result.status == "passed", result.to_json()
