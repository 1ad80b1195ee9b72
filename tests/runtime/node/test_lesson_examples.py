"""Every JavaScript file the lesson's steps point to runs with `course invoke` as it stands:
it loads, and it answers (whatever the step means it to answer, a 502 included)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO, CliResult

EXAMPLES = sorted((REPO / "examples").glob("*/*.mjs"))


@pytest.mark.slow
@pytest.mark.parametrize("handler", EXAMPLES, ids=lambda path: str(path.relative_to(REPO)))
def test_the_example_loads_and_answers(handler: Path, run_cli: Callable[..., CliResult]) -> None:
    result = run_cli("invoke", str(handler), "--path", "/items/1", "--json")
    assert result.exit_code in (0, 1), result
    document = json.loads(result.stdout)
    assert document["response"] is not None
    answer = document["result"]
    if isinstance(answer, dict):  # an error the step means to show, never the runtime's own
        assert not str(answer.get("errorType", "")).startswith("Runtime."), answer
