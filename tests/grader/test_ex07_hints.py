"""Exercise 07's failing cases give hints about wiring the API, never exercise 06's hints about
writing the handler: in 07 the function is the course's own, and it works."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from course_cli.grader import check_exercise
from course_cli.grader.checks import ex06_crud_handler, ex07_wire_the_api

SUBMISSIONS = Path(__file__).parent / "submissions" / "07-wire-the-api"
HANDLER_HINTS = {case.hint for case in ex06_crud_handler.CASES}


def test_no_case_of_07_borrows_a_hint_of_06() -> None:
    hints = [case.hint for case in ex07_wire_the_api.CASES]
    assert not set(hints) & HANDLER_HINTS
    crud = [
        c for c in ex07_wire_the_api.CASES if c.name in {c6.name for c6 in ex06_crud_handler.CASES}
    ]
    assert crud, "07 runs the CRUD sequence on the API it built"
    for case in crud:
        assert "AWS_PROXY" in case.hint and "/products" in case.hint, case


@pytest.mark.slow
def test_a_missing_resource_gets_a_hint_to_create_it(tmp_path: Path) -> None:
    folder = tmp_path / "07-wire-the-api"
    folder.mkdir()
    shutil.copy(SUBMISSIONS / "no_item_resource.py", folder / "deploy.py")
    result = check_exercise("07-wire-the-api", folder)
    failed = {case.name: case for case in result.cases if not case.passed}
    assert "GET one product" in failed and "POST creates a product" not in failed
    hint = failed["GET one product"].hint
    assert "GET /products/{productId}" in hint and "create_resource" in hint
    assert not {case.hint for case in failed.values()} & HANDLER_HINTS
