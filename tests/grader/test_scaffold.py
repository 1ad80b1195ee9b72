"""`init_classroom` and `build_gradescope_autograder`: the files they write, and those files
doing their job - the workflow's grading step run the way GitHub Actions runs it, and
`run_autograder` run over a fake /autograder - with the real `course grade`, and with a
`course` that fails."""

from __future__ import annotations

import base64
import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import click
import pytest
import typer
import yaml

from course_cli.errors import BadOptionError, UnknownExerciseError
from course_cli.grader.checking import CHECK_MODULES, check_module
from course_cli.grader.classroom.github_classroom import (
    README_BEGIN,
    README_END,
    WORKFLOW,
    init_classroom,
)
from course_cli.grader.classroom.gradescope import build_gradescope_autograder
from course_cli.grader.classroom.scaffold import (
    DEFAULT_INSTALL_SPEC,
    ScaffoldError,
    default_install_spec,
    graded_exercises,
)
from course_cli.workspace import MARKER, bundled_dir, find_workspace
from tests.conftest import course_subprocess_env

# Fast exercises for the runs that grade for real (well under a second each).
FAST = "03-fix-the-502"
SPEC = "course @ git+https://github.com/ORG/course"
# The `course` the tests' own interpreter runs: `.venv/bin/course` beside `.venv/bin/python`.
COURSE_BIN = Path(sys.executable).parent


def _max_points(exercise: str) -> int:
    return sum(case.points for case in check_module(exercise).CASES)


def _workflow(root: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((root / WORKFLOW).read_text())
    return document


def _steps(root: Path) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = _workflow(root)["jobs"]["autograding"]["steps"]
    return steps


def _course_invocations(script: str) -> list[list[str]]:
    """Every `course ...` command in a shell script, as argv (up to `||`, `;`, a comment)."""
    invocations = []
    for line in script.splitlines():
        tokens = shlex.split(line, comments=True)
        for stop in ("||", "&&", ";", "|"):
            if stop in tokens:
                tokens = tokens[: tokens.index(stop)]
        if tokens and tokens[0] == "course":
            invocations.append(tokens[1:])
    return invocations


def _assert_real_command(args: list[str]) -> None:
    """`course ARGS` names a real command and click accepts its arguments and options."""
    from course_cli.cli import app

    command: click.Command = typer.main.get_command(app)
    rest = list(args)
    while isinstance(command, click.Group) and rest and rest[0] in command.commands:
        command = command.commands[rest.pop(0)]
    assert not isinstance(command, click.Group), f"`course {' '.join(args)}` is no command"
    # Parsing raises click.UsageError for an unknown option or a missing argument.
    command.make_context("course", rest)


def _solve(folder: Path, exercise: str) -> None:
    for path in (bundled_dir("solutions") / exercise).iterdir():
        shutil.copy(path, folder / path.name)


def _stub_course(bin_dir: Path, script: str) -> None:
    bin_dir.mkdir(parents=True, exist_ok=True)
    stub = bin_dir / "course"
    stub.write_text("#!/usr/bin/env bash\n" + script + "\n")
    stub.chmod(0o755)


# --- which exercises, how many points --------------------------------------------------------


def test_exercises_come_in_lesson_order_once_with_every_cases_points() -> None:
    graded = graded_exercises(["6", "02-proxy-event", "06-crud-handler"])
    assert [g.exercise for g in graded] == ["02-proxy-event", "06-crud-handler"]
    assert [g.runner_id for g in graded] == ["ex02", "ex06"]
    assert [g.files for g in graded] == [("handler.py",), ("handler.py",)]
    # Hidden cases count: `course grade` runs them.
    proxy_cases = check_module("02-proxy-event").CASES
    assert any(c.hidden for c in proxy_cases)
    assert graded[0].max_points == sum(c.points for c in proxy_cases)
    assert len(graded_exercises()) == len(CHECK_MODULES)  # every exercise, none twice


def test_an_unknown_exercise_is_a_usage_error() -> None:
    with pytest.raises(UnknownExerciseError) as raised:
        graded_exercises(["99-nope"])
    assert raised.value.exit_code == 2


# --- GitHub Classroom: the workflow ----------------------------------------------------------


def test_the_workflow_grades_each_exercise_and_reports_them_all(tmp_path: Path) -> None:
    template = init_classroom(tmp_path / "repo", ["2", "6"], install_spec=SPEC)
    workflow = _workflow(template.root)
    assert set(workflow["on"]) >= {"push", "workflow_dispatch"}
    assert workflow["permissions"] == {"checks": "write", "actions": "read", "contents": "read"}
    # The install spec lives in one place, and the install step reads it from there.
    assert workflow["env"]["COURSE_INSTALL"] == SPEC
    job = workflow["jobs"]["autograding"]
    assert job["runs-on"] == "ubuntu-latest"
    steps = job["steps"]
    assert steps[0]["uses"] == "actions/checkout@v4"
    assert steps[1]["uses"] == "actions/setup-python@v5"
    assert steps[1]["with"]["python-version"] == "3.11"
    assert steps[2]["run"] == 'python -m pip install "$COURSE_INSTALL"'

    grading = [s for s in steps if "id" in s]
    assert [s["id"] for s in grading] == ["ex02", "ex06"]
    for step, exercise in zip(grading, ["02-proxy-event", "06-crud-handler"], strict=True):
        assert step["if"] == "always()"
        assert f"--exercise {exercise} --format classroom" in step["run"]
        assert str(_max_points(exercise)) in step["name"]

    reporter = steps[-1]
    assert reporter["uses"] == "classroom-resources/autograding-grading-reporter@v1"
    assert reporter["if"] == "always()"
    runners = reporter["with"]["runners"].split(",")
    assert runners == ["ex02", "ex06"]
    # The reporter reads `<RUNNER>_RESULTS` for every runner: each is that step's result.
    assert reporter["env"] == {
        f"{r.upper()}_RESULTS": f"${{{{ steps.{r}.outputs.result }}}}" for r in runners
    }
    # The teacher sees the points in the file itself.
    text = (template.root / WORKFLOW).read_text()
    total = _max_points("02-proxy-event") + _max_points("06-crud-handler")
    assert template.max_points == total
    assert re.search(rf"^#\s+total\s+{total} points$", text, re.MULTILINE)
    for exercise, runner in (("02-proxy-event", "ex02"), ("06-crud-handler", "ex06")):
        line = rf"^#\s+{exercise}\s+step {runner}\s+{_max_points(exercise)} points$"
        assert re.search(line, text, re.MULTILINE), line


def test_every_course_command_in_the_template_is_a_real_command(tmp_path: Path) -> None:
    template = init_classroom(tmp_path / "repo")
    scripts = [s["run"] for s in _steps(template.root) if "run" in s]
    readme = (template.root / "README.md").read_text()
    scripts += readme.split("```bash\n", 1)[1].split("```", 1)[0:1]
    invocations = [args for script in scripts for args in _course_invocations(script)]
    # A grading step per exercise, and the README's check and hint.
    assert len(invocations) == len(CHECK_MODULES) + 2
    for args in invocations:
        _assert_real_command(args)


def test_the_fallback_result_is_a_reporter_document_worth_zero(tmp_path: Path) -> None:
    template = init_classroom(tmp_path / "repo", ["7"])
    (step,) = (s for s in _steps(template.root) if s.get("id") == "ex07")
    document = json.loads(base64.b64decode(step["env"]["NOT_GRADED"]))
    assert document["max_score"] == _max_points("07-wire-the-api")
    assert document["status"] == "error"
    assert [t["score"] for t in document["tests"]] == [0]
    assert "could not grade" in document["tests"][0]["message"]


def test_a_multi_line_install_spec_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BadOptionError):
        init_classroom(tmp_path / "repo", install_spec="course\nrm -rf /")
    assert not (tmp_path / "repo").exists()


# --- GitHub Classroom: the grading step, run as Actions runs it -------------------------------


def _run_step(
    root: Path, runner_id: str, path_dirs: list[Path], home: Path
) -> tuple[subprocess.CompletedProcess[str], str]:
    (step,) = (s for s in _steps(root) if s.get("id") == runner_id)
    output = root.parent / f"github-output-{runner_id}"
    output.write_text("")
    runner_temp = root.parent / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    env = course_subprocess_env(home)
    env.update(step.get("env", {}))
    env.update(
        PATH=os.pathsep.join([*map(str, path_dirs), "/usr/bin", "/bin"]),
        GITHUB_OUTPUT=str(output),
        GITHUB_ACTIONS="true",
        RUNNER_TEMP=str(runner_temp),
    )
    # How GitHub Actions runs a `run:` block with the default bash shell.
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done, output.read_text()


def _result(github_output: str) -> dict[str, Any]:
    (line,) = (line for line in github_output.splitlines() if line.startswith("result="))
    document: dict[str, Any] = json.loads(base64.b64decode(line.removeprefix("result=")))
    return document


@pytest.mark.slow
def test_the_grading_step_gives_the_reporter_a_result(tmp_path: Path, course_home: Path) -> None:
    root = init_classroom(tmp_path / "repo", [FAST]).root
    _solve(root / "exercises" / FAST, FAST)
    done, output = _run_step(root, "ex03", [COURSE_BIN], course_home)
    assert done.returncode == 0, done.stderr + done.stdout
    result = _result(output)
    assert result["max_score"] == _max_points(FAST)
    assert sum(t["score"] for t in result["tests"]) == _max_points(FAST)
    assert result["status"] == "pass"


def test_a_grading_step_whose_course_fails_still_reports_zero(
    tmp_path: Path, course_home: Path
) -> None:
    root = init_classroom(tmp_path / "repo", [FAST]).root
    _stub_course(tmp_path / "bin", 'echo "error: something broke" >&2; exit 2')
    done, output = _run_step(root, "ex03", [tmp_path / "bin"], course_home)
    # The step fails visibly, and the reporter still gets a document: 0 of the maximum.
    assert done.returncode == 2
    result = _result(output)
    assert result["max_score"] == _max_points(FAST)
    assert sum(t["score"] for t in result["tests"]) == 0


# --- GitHub Classroom: the workspace and the README -------------------------------------------


def test_the_template_is_a_workspace_with_only_the_chosen_exercises(tmp_path: Path) -> None:
    template = init_classroom(tmp_path / "repo", ["02-proxy-event", "5"])
    root = template.root
    assert sorted(p.name for p in (root / "exercises").iterdir() if p.is_dir()) == [
        "02-proxy-event",
        "05-vtl-response",
    ]
    starter = bundled_dir("exercises") / "05-vtl-response" / "response.vtl"
    assert (root / "exercises" / "05-vtl-response" / "response.vtl").read_text() == (
        starter.read_text()
    )
    # `course check` finds it from inside.
    found = find_workspace(root / "exercises" / "02-proxy-event")
    assert found is not None and found.root == root
    assert {MARKER, str(WORKFLOW), "README.md", ".gitignore"} <= set(template.written)
    readme = (root / "README.md").read_text()
    assert readme.startswith(README_BEGIN) and readme.rstrip().endswith(README_END)
    assert "| `05-vtl-response` | `exercises/05-vtl-response/response.vtl` |" in readme
    assert f"**{template.max_points}**" in readme
    assert "course check 02-proxy-event" in readme


def test_a_file_in_the_way_is_refused(tmp_path: Path) -> None:
    a_file = tmp_path / "repo"
    a_file.write_text("x")
    with pytest.raises(ScaffoldError) as raised:
        init_classroom(a_file)
    assert raised.value.exit_code == 2 and "is not a folder" in raised.value.message
    assert a_file.read_text() == "x"


def test_an_existing_workflow_is_kept_unless_forced(tmp_path: Path) -> None:
    root = init_classroom(tmp_path / "repo", ["2"]).root
    handler = root / "exercises" / "02-proxy-event" / "handler.py"
    handler.write_text("# my work\n")
    readme = root / "README.md"
    readme.write_text("# Team notes\n\n" + readme.read_text() + "\nMore notes.\n")
    before = (root / WORKFLOW).read_text()

    with pytest.raises(ScaffoldError) as raised:
        init_classroom(root, ["2", "3"])
    assert raised.value.exit_code == 2 and "already exists" in raised.value.message
    assert (root / WORKFLOW).read_text() == before
    assert not (root / "exercises" / "03-fix-the-502").exists()

    again = init_classroom(root, ["2", "3"], force=True, install_spec=SPEC)
    # The learner's file stays; the missing exercise is added; the workflow follows.
    assert handler.read_text() == "# my work\n"
    assert "exercises/02-proxy-event" in again.kept
    assert (root / "exercises" / "03-fix-the-502" / "handler.py").is_file()
    assert [s.get("id") for s in _steps(root) if "id" in s] == ["ex02", "ex03"]
    # The README's own text stays; our section is replaced, not repeated.
    text = readme.read_text()
    assert text.startswith("# Team notes\n") and text.endswith("More notes.\n")
    assert text.count(README_BEGIN) == 1 and "03-fix-the-502" in text


def test_an_existing_readme_gets_the_section_appended(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "README.md").write_text("# Assignment 3\nRead me first.")
    (root / ".gitignore").write_text("secrets/\n")
    init_classroom(root, ["1"])
    text = (root / "README.md").read_text()
    assert text.startswith("# Assignment 3\nRead me first.\n\n" + README_BEGIN)
    assert (root / ".gitignore").read_text() == "secrets/\n"


# --- Gradescope -------------------------------------------------------------------------------


def test_the_zip_holds_two_executable_scripts(tmp_path: Path) -> None:
    autograder = build_gradescope_autograder("3", tmp_path / "ag.zip", install_spec=SPEC)
    assert autograder.path == tmp_path / "ag.zip"
    with zipfile.ZipFile(autograder.path) as archive:
        infos = {info.filename: info for info in archive.infolist()}
        assert sorted(infos) == ["run_autograder", "setup.sh"]
        for info in infos.values():
            mode = info.external_attr >> 16
            assert stat.S_ISREG(mode) and mode & 0o777 == 0o755, oct(mode)
        setup = archive.read("setup.sh").decode()
        run = archive.read("run_autograder").decode()
    assert f"COURSE_INSTALL={shlex.quote(SPEC)}\n" in setup
    assert "EXERCISE=03-fix-the-502\n" in run and f"MAX_SCORE={_max_points(FAST)}\n" in run
    for script in (setup, run):
        assert script.startswith("#!/usr/bin/env bash\n")
        checked = subprocess.run(["bash", "-n"], input=script, capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr


def test_the_zip_goes_to_the_current_folder_and_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    first = build_gradescope_autograder("6")
    assert first.path == tmp_path / "gradescope-06-crud-handler.zip"
    content = first.path.read_bytes()
    with pytest.raises(ScaffoldError) as raised:
        build_gradescope_autograder("6", install_spec=SPEC)
    assert raised.value.exit_code == 2
    assert first.path.read_bytes() == content
    # Forced, with the same inputs, it is the same zip byte for byte.
    assert build_gradescope_autograder("6", force=True).path.read_bytes() == content
    # A folder as --out gets the default name inside it.
    (tmp_path / "out").mkdir()
    inside = build_gradescope_autograder("6", tmp_path / "out")
    assert inside.path == tmp_path / "out" / "gradescope-06-crud-handler.zip"
    assert not list(tmp_path.glob(".gradescope-*"))


def _autograder_root(tmp_path: Path, files: dict[str, str]) -> Path:
    """A fake /autograder: source/ from the zip, submission/ with `files`, empty results/."""
    autograder = build_gradescope_autograder(FAST, tmp_path / "ag.zip")
    root = tmp_path / "autograder"
    with zipfile.ZipFile(autograder.path) as archive:
        archive.extractall(root / "source")
    # extractall drops the mode bits; Gradescope's unzip keeps them (checked above).
    (root / "source" / "run_autograder").chmod(0o755)
    (root / "submission").mkdir()
    for name, text in files.items():
        (root / "submission" / name).write_text(text)
    (root / "results").mkdir()
    return root


def _run_autograder(root: Path, path_dirs: list[Path], home: Path) -> dict[str, Any]:
    env = course_subprocess_env(home)
    env.update(AUTOGRADER_ROOT=str(root), PATH=os.pathsep.join(map(str, path_dirs)))
    done = subprocess.run(
        [shutil.which("bash") or "bash", str(root / "source" / "run_autograder")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    results: dict[str, Any] = json.loads((root / "results" / "results.json").read_text())
    return results


def _assert_gradescope_results(results: dict[str, Any]) -> None:
    assert isinstance(results["score"], int | float)
    assert isinstance(results.get("output", ""), str)
    for test in results["tests"]:
        assert isinstance(test["name"], str) and test["name"]
        assert isinstance(test["score"], int | float)
        assert isinstance(test["max_score"], int | float)
        assert isinstance(test["output"], str)


def _solution(exercise: str) -> dict[str, str]:
    return {p.name: p.read_text() for p in (bundled_dir("solutions") / exercise).iterdir()}


def _starter(exercise: str) -> dict[str, str]:
    return {p.name: p.read_text() for p in (bundled_dir("exercises") / exercise).iterdir()}


SYSTEM_PATH = ["/usr/bin", "/bin"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("submission", "full_marks"),
    [(_solution, True), (_starter, False)],
    ids=["solution", "starter"],
)
def test_run_autograder_grades_with_course_grade(
    tmp_path: Path, course_home: Path, submission: Any, full_marks: bool
) -> None:
    root = _autograder_root(tmp_path, submission(FAST))
    results = _run_autograder(root, [COURSE_BIN, *map(Path, SYSTEM_PATH)], course_home)
    _assert_gradescope_results(results)
    assert sum(t["max_score"] for t in results["tests"]) == _max_points(FAST)
    assert (results["score"] == _max_points(FAST)) is full_marks


def test_run_autograder_explains_a_grading_failure(tmp_path: Path, course_home: Path) -> None:
    root = _autograder_root(tmp_path, _solution(FAST))
    _stub_course(tmp_path / "bin", 'echo "error: no handler.py in the submission" >&2; exit 2')
    results = _run_autograder(root, [tmp_path / "bin", *map(Path, SYSTEM_PATH)], course_home)
    _assert_gradescope_results(results)
    assert results["score"] == 0
    assert "could not grade" in results["output"]
    assert "no handler.py in the submission" in results["output"]
    assert results["tests"][0]["max_score"] == _max_points(FAST)


def test_run_autograder_without_python_still_writes_valid_json(
    tmp_path: Path, course_home: Path
) -> None:
    root = _autograder_root(tmp_path, _solution(FAST))
    # A PATH with the few tools the script uses, a failing course, and no python3.
    bin_dir = tmp_path / "bin"
    _stub_course(bin_dir, "exit 1")
    for tool in ("bash", "mktemp", "mkdir", "cat", "cp", "rm", "env"):
        found = shutil.which(tool)
        assert found is not None
        (bin_dir / tool).symlink_to(found)
    results = _run_autograder(root, [bin_dir], course_home)
    assert results["score"] == 0 and "could not grade" in results["output"]


@pytest.mark.parametrize(
    ("recorded", "expected"),
    [
        (
            '{"url": "https://github.com/org/course", "vcs_info": {"vcs": "git", '
            '"commit_id": "abc123"}}',
            "course @ git+https://github.com/org/course@abc123",
        ),
        (
            '{"url": "https://example.org/course-0.1.0.tar.gz", "archive_info": {}}',
            "course @ https://example.org/course-0.1.0.tar.gz",
        ),
        ('{"url": "file:///home/me/course", "dir_info": {"editable": true}}', DEFAULT_INSTALL_SPEC),
        (None, DEFAULT_INSTALL_SPEC),
    ],
)
def test_the_default_install_is_where_this_course_came_from(
    monkeypatch: pytest.MonkeyPatch, recorded: str | None, expected: str
) -> None:
    import importlib.metadata

    class Installed:
        def read_text(self, name: str) -> str | None:
            assert name == "direct_url.json"
            return recorded

    monkeypatch.setattr(importlib.metadata, "distribution", lambda name: Installed())
    assert default_install_spec() == expected
