"""`course classroom init` and `course gradescope build` as commands: what they print, their
`--json` shape, and one-line refusals with exit 2. What they write is tested in
tests/grader/test_scaffold.py."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult

Run = Callable[..., CliResult]


def test_classroom_init_reports_the_points_and_what_to_do(run_cli: Run, tmp_path: Path) -> None:
    result = run_cli(
        "classroom", "init", str(tmp_path / "repo"), "--exercise", "3", "--exercise", "2"
    )
    assert result.exit_code == 0, result.stderr
    assert "GitHub Classroom template ready" in result.stdout
    assert "02-proxy-event" in result.stdout and "03-fix-the-502" in result.stdout
    # The default install spec is a guess about where course comes from: say so.
    assert "--install" in result.stdout
    assert (tmp_path / "repo" / ".github" / "workflows" / "classroom.yml").is_file()


def test_classroom_init_json(run_cli: Run, tmp_path: Path) -> None:
    spec = "course @ git+https://github.com/ORG/course"
    result = run_cli(
        "classroom", "init", str(tmp_path / "repo"), "--exercise", "6", "--install", spec, "--json"
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["install"] == spec
    assert document["workflow"] == ".github/workflows/classroom.yml"
    assert [e["exercise"] for e in document["exercises"]] == ["06-crud-handler"]
    assert [e["runner"] for e in document["exercises"]] == ["ex06"]
    assert document["max_points"] == document["exercises"][0]["max_points"] > 0
    assert "exercises/06-crud-handler/handler.py" in document["written"]
    assert document["kept"] == []


@pytest.mark.parametrize("make", ["file", "workflow"])
def test_classroom_init_refuses_in_one_line(run_cli: Run, tmp_path: Path, make: str) -> None:
    target = tmp_path / "repo"
    if make == "file":
        target.write_text("x")
    else:
        assert run_cli("classroom", "init", str(target)).exit_code == 0
    result = run_cli("classroom", "init", str(target))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    assert ("is not a folder" if make == "file" else "--force") in result.stderr


def test_classroom_init_unknown_exercise(run_cli: Run, tmp_path: Path) -> None:
    result = run_cli("classroom", "init", str(tmp_path / "repo"), "--exercise", "crud")
    assert result.exit_code == 2 and "no exercise 'crud'" in result.stderr
    assert not (tmp_path / "repo").exists()


def test_gradescope_build(run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("gradescope", "build", "--exercise", "3")
    assert result.exit_code == 0, result.stderr
    assert "Gradescope autograder ready" in result.stdout
    with zipfile.ZipFile(tmp_path / "gradescope-03-fix-the-502.zip") as archive:
        assert sorted(archive.namelist()) == ["run_autograder", "setup.sh"]

    again = run_cli("gradescope", "build", "--exercise", "3")
    assert again.exit_code == 2 and "already exists" in again.stderr

    forced = run_cli("gradescope", "build", "--exercise", "03-fix-the-502", "--force", "--json")
    assert forced.exit_code == 0, forced.stderr
    document = json.loads(forced.stdout)
    assert document["path"] == str(tmp_path / "gradescope-03-fix-the-502.zip")
    assert document["exercise"]["exercise"] == "03-fix-the-502"
    assert document["entries"] == ["setup.sh", "run_autograder"]


def test_gradescope_build_needs_an_exercise(run_cli: Run) -> None:
    result = run_cli("gradescope", "build")
    assert result.exit_code == 2 and "--exercise" in result.stderr
