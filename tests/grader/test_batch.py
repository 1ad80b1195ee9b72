"""`course grade` on a whole class: every kind of result in one batch, nothing a submission does
changes another's result, Ctrl-C then `--resume` gives the same report, and the inputs a class
comes in (folders, files, zips, one learner's workspace) are all read."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from course_cli.errors import CourseError
from course_cli.grader.classroom.batch import RESULTS_FILE, grade_class
from course_cli.workspace import bundled_dir
from tests.conftest import REPO

EXERCISE = "03-fix-the-502"
SUBMISSIONS = Path(__file__).parent / "submissions"
SOLUTION = bundled_dir("solutions") / EXERCISE / "handler.py"
STARTER = bundled_dir("exercises") / EXERCISE / "handler.py"

# learner -> the status the batch must give it.
EXPECTED = {
    "alice": "passed",  # a folder with handler.py
    "carol": "passed",  # a learner workspace: exercises/<id>/handler.py
    "dave": "passed",  # the learner's own zip
    "bob": "failed",  # the starter as a single file
    "empty_folder": "error",
    "huge_file": "error",
    "mallory": "error",  # a zip with ../../ in it
    "notes": "error",  # a file that is not the exercise's kind
    "empty": "error",
    "not_python": "error",
    "syntax_error": "error",
    "infinite_loop": "timeout",
    "cpu_spin_thread": "timeout",
    "calls_sys_exit": "crashed",
    "calls_os_exit": "crashed",
    "fork_bomb": "failed",
    "huge_output": "failed",
    "kills_parent": "failed",
    "opens_network_socket": "failed",
    "patches_grader": "failed",
    "prints_fake_pass": "failed",
    "reads_real_credentials": "failed",
    "writes_outside_tmp": "failed",
    "tampers_with_the_class": "failed",
}
# The memory bomb hits its 1 GB limit (crashed) or the case's 2 s limit first (timeout),
# depending on how fast this machine touches memory: both are a result, and the batch goes on.
MEMORY_BOMB = ("memory_hog", {"crashed", "timeout"})


def make_class(root: Path) -> Path:
    """A class folder with every kind of submission in it."""
    root.mkdir(parents=True)
    (root / "alice").mkdir()
    shutil.copy(SOLUTION, root / "alice" / "handler.py")
    (root / "carol" / "exercises" / EXERCISE).mkdir(parents=True)
    shutil.copy(SOLUTION, root / "carol" / "exercises" / EXERCISE / "handler.py")
    with zipfile.ZipFile(root / "dave.zip", "w") as zipped:
        zipped.write(SOLUTION, "dave-work/handler.py")
    shutil.copy(STARTER, root / "bob.py")
    (root / "empty_folder").mkdir()
    (root / "huge_file.py").write_text("#" * 2_000_000)
    with zipfile.ZipFile(root / "mallory.zip", "w") as zipped:
        zipped.writestr("handler.py", "def handler(event, context):\n    return {}\n")
        zipped.writestr("../../escaped.txt", "out of the class folder")
    (root / "notes.txt").write_text("my answer is in my head")
    for fixture in [*(SUBMISSIONS / "hostile").glob("*.py"), *(SUBMISSIONS / "batch").glob("*.py")]:
        shutil.copy(fixture, root / fixture.name)
    return root


def tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def comparable(document: dict[str, Any]) -> dict[str, Any]:
    """A results.json without what differs between runs: timings, and the worker-generated
    request ids and temporary paths a message may quote."""
    subs = []
    for sub in document["submissions"]:
        cases = [
            {k: case[k] for k in ("name", "status", "points", "max_points", "hidden")}
            for case in sub["cases"]
        ]
        subs.append(
            {**{k: sub[k] for k in ("learner", "status", "score", "digest")}, "cases": cases}
        )
    return {"exercise": document["exercise"], "submissions": subs, "summary": document["summary"]}


@pytest.mark.slow
def test_a_class_with_every_kind_of_result(tmp_path: Path) -> None:
    classroom = make_class(tmp_path / "class")
    before = tree_digest(classroom)
    solutions_before = tree_digest(bundled_dir("solutions"))
    out = tmp_path / "grades"

    batch = grade_class(classroom, EXERCISE, out, workers=2)

    statuses = {sub.learner: sub.status for sub in batch.report.submissions}
    bomb, kinds = MEMORY_BOMB
    assert statuses.pop(bomb) in kinds
    assert statuses == EXPECTED
    by_learner = {sub.learner: sub for sub in batch.report.submissions}
    # Whole-submission problems say what is wrong, in words.
    assert "unsafe path" in (by_learner["mallory"].result.message or "")
    assert "empty" in (by_learner["empty_folder"].result.message or "")
    assert "2.0 MB" in (by_learner["huge_file"].result.message or "")
    assert "notes.txt is not handler.py" in (by_learner["notes"].result.message or "")
    assert by_learner["infinite_loop"].result.cases[0].duration_s >= 1.0  # slowest case known
    # Nothing a submission did reached another's files, the solutions, or outside the class.
    assert tree_digest(classroom) == before
    assert tree_digest(bundled_dir("solutions")) == solutions_before
    assert not (tmp_path / "escaped.txt").exists()
    assert not (tmp_path.parent / "escaped.txt").exists()
    # One line per learner in results.jsonl, and none forged.
    lines = [json.loads(line) for line in (out / RESULTS_FILE).read_text().splitlines()]
    assert sorted(line["learner"] for line in lines) == sorted(by_learner)
    assert all("cases" in line for line in lines)
    # The good ones got exactly what they get when graded alone.
    alone = grade_class(classroom / "alice", EXERCISE, tmp_path / "alone")
    assert alone.single
    assert [c.status for c in alone.report.submissions[0].result.cases] == [
        c.status for c in by_learner["alice"].result.cases
    ]


def _course(*args: str) -> list[str]:
    return [sys.executable, "-m", "course_cli", *args]


def _run_to_the_end(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _course(*args), env=env, capture_output=True, text=True, check=False, timeout=120
    )


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "COURSE_HOME": str(home), "PYTHONPATH": str(REPO)}


@pytest.mark.slow
def test_interrupt_then_resume_gives_the_same_report(tmp_path: Path) -> None:
    classroom = tmp_path / "class"
    classroom.mkdir()
    for name in ("ann", "ben", "cat", "dan", "eve", "fay"):
        (classroom / name).mkdir()
        shutil.copy(
            SOLUTION if name in ("ann", "dan") else STARTER, classroom / name / "handler.py"
        )
    shutil.copy(SUBMISSIONS / "hostile" / "syntax_error.py", classroom / "gus.py")
    env = _env(tmp_path / "home")
    command = ["grade", str(classroom), "--exercise", EXERCISE, "-j", "1", "-f", "json"]

    straight = _run_to_the_end([*command, "-o", str(tmp_path / "straight")], env)
    assert straight.returncode == 0, straight.stderr

    out = tmp_path / "interrupted"
    results = out / RESULTS_FILE
    running = subprocess.Popen(
        _course(*command, "-o", str(out)),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if results.exists() and len(results.read_text().splitlines()) >= 2:
            break
        time.sleep(0.02)
    running.send_signal(signal.SIGINT)
    _, stderr = running.communicate(timeout=30)
    assert running.returncode == 130, stderr
    assert "--resume" in stderr
    graded_first = len(results.read_text().splitlines())
    assert 2 <= graded_first < 7

    resumed = _run_to_the_end([*command, "-o", str(out), "--resume"], env)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{graded_first} of 7 already graded" in resumed.stderr
    lines = [json.loads(line) for line in results.read_text().splitlines()]
    assert sorted(line["learner"] for line in lines) == sorted(  # each learner graded once
        ["ann", "ben", "cat", "dan", "eve", "fay", "gus"]
    )
    first = json.loads((tmp_path / "straight" / "results.json").read_text())
    second = json.loads((out / "results.json").read_text())
    assert comparable(second) == comparable(first)


@pytest.mark.slow
def test_resume_regrades_only_a_changed_submission(tmp_path: Path) -> None:
    classroom = tmp_path / "class"
    for name in ("ann", "ben"):
        (classroom / name).mkdir(parents=True)
        shutil.copy(STARTER, classroom / name / "handler.py")
    out = tmp_path / "grades"
    first = grade_class(classroom, EXERCISE, out, workers=1)
    assert [s.status for s in first.report.submissions] == ["failed", "failed"]

    shutil.copy(SOLUTION, classroom / "ben" / "handler.py")
    again = grade_class(classroom, EXERCISE, out, workers=1, resume=True)
    assert (again.reused, again.graded_now) == (1, 1)
    assert {s.learner: s.status for s in again.report.submissions} == {
        "ann": "failed",
        "ben": "passed",
    }
    # Without --resume the old results are kept aside, never overwritten.
    fresh = grade_class(classroom, EXERCISE, out, workers=1)
    assert fresh.graded_now == 2
    assert any("kept as results-" in w for w in fresh.warnings)
    assert len(list(out.glob("results-*.jsonl"))) == 1


@pytest.mark.slow
def test_a_results_line_cut_short_is_graded_again(tmp_path: Path) -> None:
    classroom = tmp_path / "class"
    for name in ("ann", "ben"):
        (classroom / name).mkdir(parents=True)
        shutil.copy(SOLUTION, classroom / name / "handler.py")
    out = tmp_path / "grades"
    grade_class(classroom, EXERCISE, out, workers=1)
    results = out / RESULTS_FILE
    lines = results.read_text().splitlines()
    results.write_text(lines[0] + "\n" + lines[1][: len(lines[1]) // 2])  # a crash mid-line

    again = grade_class(classroom, EXERCISE, out, workers=1, resume=True)
    assert (again.reused, again.graded_now) == (1, 1)
    assert any("unreadable" in w for w in again.warnings)
    assert [s.status for s in again.report.submissions] == ["passed", "passed"]
    # The appended line starts on a line of its own: the file reads back whole.
    again_lines = results.read_text().splitlines()
    assert json.loads(again_lines[-1])["status"] == "passed"


@pytest.mark.slow
def test_a_full_disk_stops_grading_and_keeps_the_results_so_far(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    classroom = tmp_path / "class"
    for name in ("ann", "ben", "cem"):
        (classroom / name).mkdir(parents=True)
        shutil.copy(SOLUTION, classroom / name / "handler.py")
    out = tmp_path / "grades"
    real_fsync, synced = os.fsync, []

    def fsync_until_full(fd: int) -> None:
        if synced:  # the disk fills up after the first result
            raise OSError(errno.ENOSPC, "No space left on device")
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync_until_full)
    with pytest.raises(CourseError, match="No space left on device; grading stopped, the 1 "):
        grade_class(classroom, EXERCISE, out, workers=1)
    monkeypatch.setattr(os, "fsync", real_fsync)
    kept = (out / RESULTS_FILE).read_text().splitlines()
    assert json.loads(kept[0])["status"] == "passed"
    again = grade_class(classroom, EXERCISE, out, workers=1, resume=True)
    assert again.reused >= 1 and len(again.report.submissions) == 3


@pytest.mark.slow
def test_a_report_that_cannot_be_written_is_one_line(
    run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ann").mkdir()
    shutil.copy(SOLUTION, tmp_path / "ann" / "handler.py")
    out = tmp_path / "grades"
    grade_class(tmp_path / "ann", EXERCISE, out, workers=1)
    (out / "junit.xml").mkdir()  # in the way of the JUnit report
    result = run_cli(
        "grade",
        str(tmp_path / "ann"),
        "--exercise",
        EXERCISE,
        "--out",
        str(out),
        "--resume",
        "-f",
        "junit",
    )
    assert result.exit_code == 1, result
    assert "cannot write the junit report" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.slow
def test_a_class_zip_with_unsafe_paths(tmp_path: Path) -> None:
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(SOLUTION, "export/ann/handler.py")
        zipped.write(SOLUTION, "export/ben/handler.py")
        zipped.writestr("export/ben/../../../../x.txt", "climbing out")
        zipped.writestr("../../top.txt", "climbing out")
        zipped.writestr("/abs.txt", "absolute")
    batch = grade_class(archive, EXERCISE, tmp_path / "grades", workers=2)
    statuses = {s.learner: s.status for s in batch.report.submissions}
    assert statuses["ann"] == "passed"
    assert statuses["ben"] == "error"
    assert any("unsafe path" in w and "top.txt" in w for w in batch.warnings)
    assert not list(tmp_path.parent.rglob("top.txt"))
    assert not (Path("/abs.txt")).exists()


@pytest.mark.slow
def test_a_stuck_grading_process_is_stopped_at_the_batch_timeout(tmp_path: Path) -> None:
    classroom = tmp_path / "class"
    classroom.mkdir()
    shutil.copy(SUBMISSIONS / "hostile" / "infinite_loop.py", classroom / "loops.py")
    shutil.copy(SOLUTION, classroom / "fine.py")
    batch = grade_class(classroom, EXERCISE, tmp_path / "grades", workers=1, timeout_s=1.0)
    by_learner = {s.learner: s.result for s in batch.report.submissions}
    assert by_learner["loops"].status == "timeout"
    assert "longer than 1 s in all" in (by_learner["loops"].message or "")
    assert by_learner["fine"].status == "passed"  # a fresh grading process took over


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["grade", "no-such-folder", "--exercise", EXERCISE], "no such file or folder"),
        (["grade", "empty-class", "--exercise", EXERCISE], "no submissions in empty-class"),
        (["grade", ".", "--exercise", "99"], "no exercise '99'"),
        (["grade", ".", "--exercise", EXERCISE, "-f", "pdf"], "unknown --format 'pdf'"),
        (["grade", ".", "--exercise", EXERCISE, "-j", "0"], "--workers must be at least 1"),
        (["grade", ".", "--exercise", EXERCISE, "--timeout", "0"], "--timeout must be more than 0"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    run_cli: Any, args: list[str], needle: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty-class" / ".git").mkdir(parents=True)  # nothing a learner handed in
    result = run_cli(*args)
    assert result.exit_code == 2, result.stderr
    assert needle in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_results_of_another_exercise_are_not_mixed_in(run_cli: Any, tmp_path: Path) -> None:
    classroom = tmp_path / "class"
    (classroom / "ann").mkdir(parents=True)
    shutil.copy(SOLUTION, classroom / "ann" / "handler.py")
    out = tmp_path / "grades"
    grade_class(classroom, EXERCISE, out, workers=1)
    result = run_cli("grade", str(classroom), "--exercise", "2", "-o", str(out), "--resume")
    assert result.exit_code == 2
    assert f"holds grades of {EXERCISE}, not 02-proxy-event" in result.stderr


@pytest.mark.slow
def test_the_class_table_and_json(run_cli: Any, tmp_path: Path) -> None:
    classroom = tmp_path / "class"
    for name, source in (("ann", SOLUTION), ("ben", STARTER), ("cy", STARTER)):
        (classroom / name).mkdir(parents=True)
        shutil.copy(source, classroom / name / "handler.py")
    table = run_cli("grade", str(classroom), "--exercise", EXERCISE, "-o", str(tmp_path / "a"))
    assert table.exit_code == 0, table.stderr
    for text in (
        "course grade 03-fix-the-502",
        "cases across the class",
        "score distribution",
        "the class struggles here",
        "3 graded (1 passed, 2 failed)",
    ):
        assert text in table.stdout
    # Plain progress lines when piped, in the order the results came.
    assert "ann: passed 8/8" in table.stderr
    assert "[3/3] " in table.stderr

    as_json = run_cli(
        "grade", str(classroom), "--exercise", EXERCISE, "-o", str(tmp_path / "b"), "--json"
    )
    assert as_json.exit_code == 0
    document = json.loads(as_json.stdout)
    assert [s["learner"] for s in document["submissions"]] == ["ann", "ben", "cy"]
    assert document["summary"]["statuses"]["passed"] == 1


@pytest.mark.slow
def test_a_terminal_sees_a_progress_bar_with_rate_and_time_left(tmp_path: Path) -> None:
    import pexpect

    classroom = tmp_path / "class"
    for name in ("ann", "ben", "cy"):
        (classroom / name).mkdir(parents=True)
        shutil.copy(SOLUTION, classroom / name / "handler.py")
    env = {**_env(tmp_path / "home"), "TERM": "xterm", "COLUMNS": "120", "LINES": "40"}
    env.pop("NO_COLOR", None)
    child = pexpect.spawn(
        sys.executable,
        [
            "-m",
            "course_cli",
            "grade",
            str(classroom),
            "--exercise",
            EXERCISE,
            "-o",
            str(tmp_path / "g"),
        ],
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 120),
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    screen = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", child.before).replace("\r", "\n")
    bars = [line for line in screen.splitlines() if line.startswith("grading ")]
    assert any(re.search(r" [0-3]/3 .*\d passed \d+:\d\d:\d\d left ", bar) for bar in bars)
    assert "course grade 03-fix-the-502" in screen  # then the class table


def test_a_grading_process_that_dies_is_a_crashed_result_saying_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from course_cli.grader.classroom import batch

    broken = (sys.executable, "-c", "import sys; sys.exit('ImportError: no module named moto')")
    monkeypatch.setattr(batch, "GRADING_COMMAND", broken)
    classroom = tmp_path / "class"
    for name in ("ann", "ben"):
        (classroom / name).mkdir(parents=True)
        shutil.copy(SOLUTION, classroom / name / "handler.py")
    result = grade_class(classroom, EXERCISE, tmp_path / "grades", workers=2)
    for sub in result.report.submissions:  # each tried twice, then reported; the batch ends
        assert sub.status == "crashed"
        assert "stopped while grading" in (sub.result.message or "")
        assert "no module named moto" in (sub.result.message or "")


@pytest.mark.slow
def test_a_gradescope_export_names_learners_from_its_metadata(tmp_path: Path) -> None:
    archive = tmp_path / "assignment_42_export.zip"
    metadata = """\
submission_101:
  :submitters:
  - :name: Ada Lovelace
    :sid: '1'
  :score: 0.0
submission_102:
  :submitters:
  - :name: Alan Turing
  - :name: Grace Hopper
"""
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("assignment_42_export/submission_metadata.yml", metadata)
        zipped.write(SOLUTION, "assignment_42_export/submission_101/lambda_function.py")
        zipped.write(STARTER, "assignment_42_export/submission_102/handler.py")
    batch = grade_class(archive, EXERCISE, tmp_path / "grades", workers=2)
    assert {s.learner: (s.status, s.source) for s in batch.report.submissions} == {
        "Ada Lovelace": ("passed", f"{archive.name}/submission_101/lambda_function.py"),
        "Alan Turing & Grace Hopper": ("failed", f"{archive.name}/submission_102/handler.py"),
    }
