"""The route-table format is documented where learners look (the README, `--help`), and the
README's example is a route table `course invoke --api` serves."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO, CliResult

Run = Callable[..., CliResult]
HANDLER = """
import json

def handler(event, context):
    item_id = event["pathParameters"]["itemId"]
    return {"statusCode": 200, "body": json.dumps({"id": item_id})}
"""


def _readme_route_table() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Route tables", 1)[1].split("\n## ", 1)[0]
    (example,) = re.findall(r"```json\n(.+?)```", section, re.S)
    return example


@pytest.fixture
def api(tmp_path: Path) -> Path:
    (tmp_path / "handler.py").write_text(HANDLER)
    path = tmp_path / "api.json"
    path.write_text(_readme_route_table())
    return path


def test_the_readme_example_is_served(api: Path, run_cli: Run) -> None:
    item = run_cli("invoke", "--api", str(api), "--method", "GET", "--path", "/items/i1", "--json")
    assert item.exit_code == 0, item.stderr
    assert json.loads(json.loads(item.stdout)["response"]["body"]) == {"id": "i1"}
    health = run_cli("invoke", "--api", str(api), "--method", "GET", "--path", "/health", "--json")
    assert health.exit_code == 0, health.stderr
    response = json.loads(health.stdout)["response"]
    assert response["statusCode"] == 200 and json.loads(response["body"]) == {"ok": True}


def test_the_readme_names_every_top_level_key_the_loader_accepts() -> None:
    from course_cli.gateway import route_table

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Route tables", 1)[1].split("\n## ", 1)[0]
    for key in route_table._TABLE_KEYS:
        assert f"`{key}`" in section, key
    assert "course_cli/gateway/route_table.py`)" not in readme  # no longer the only pointer


@pytest.mark.parametrize("command", ["serve", "invoke"])
def test_help_points_at_the_format(command: str, run_cli: Run) -> None:
    helped = re.sub(r"[\s│]+", " ", run_cli(command, "--help").stdout)
    assert "(format: README, 'Route tables')" in helped
