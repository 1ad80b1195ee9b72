"""The report files of `course grade`: each format's document from a class built by hand
(every status, hidden cases, hostile learner names and messages), checked by reading it back
the way its consumer would: JUnit against a schema, CSV with the csv module, JSON with json,
the Classroom step output by decoding it."""

from __future__ import annotations

import base64
import csv
import io
import json
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from course_cli.grader.classroom.class_report import ClassReport, GradedSubmission
from course_cli.grader.classroom.report_documents import (
    classroom_result,
    feedback_markdown,
    github_output_line,
    gradebook_csv,
    gradescope_results,
    junit_xml,
    report_jsonl,
)
from course_cli.grader.classroom.reporters import FORMATS, file_names, safe_file_name, write_reports
from course_cli.grader.result import CaseResult, CheckResult

JUNIT_XSD = Path(__file__).parent / "data" / "junit.xsd"
EXERCISE = "03-fix-the-502"
SECRET_HINT = "the hidden case's hint, never shown"
HOSTILE_MESSAGE = "got 'a|b' \x00\x1b[31m\x07 & <tag> *bold*\nsecond line"

# Learner names a folder listing can produce: traversal, absolute, NUL, a lone surrogate
# (os.listdir's surrogateescape), Windows devices, dots, very long, and one "é" spelt twice.
HOSTILE_NAMES = [
    "../../etc",
    "/abs/path",
    "a\x00b",
    "\udcffbytes",
    "CON",
    "nul.txt",
    ".",
    "..",
    "...",
    ".hidden",
    "trailing.",
    "x" * 300,
    "é" * 300,
    "José",
    unicodedata.normalize("NFD", "José"),
    'a/b\\c:d*e?f"g<h>i|j',
    " ",
]


def _case(
    name: str,
    status: str,
    points: int,
    max_points: int = 1,
    message: str = "",
    hint: str = "",
    *,
    hidden: bool = False,
) -> CaseResult:
    return CaseResult(name, status, points, max_points, message, hint, hidden, 0.125)


def _sub(
    learner: str, status: str, cases: list[CaseResult], message: str | None = None
) -> GradedSubmission:
    result = CheckResult(EXERCISE, status, tuple(cases), 0.5, message)
    return GradedSubmission(learner, result, f"{learner}/handler.py", "sha256:ab")


def _class() -> ClassReport:
    """Five learners, one per status, a hidden case each, one submission with no cases."""
    alice = _sub(
        "alice",
        "passed",
        [
            _case("body is a string", "passed", 1),
            _case("statusCode is a number", "passed", 2, 2),
            _case("no body answers 400", "passed", 1, hidden=True),
        ],
    )
    bob = _sub(
        "bob",
        "failed",
        [
            _case("body is a string", "passed", 1),
            _case("statusCode is a number", "failed", 0, 2, HOSTILE_MESSAGE, '200, not "ok" | 1'),
            _case("no body answers 400", "failed", 0, 1, "answered 500", SECRET_HINT, hidden=True),
        ],
    )
    carol = _sub(
        "=carol",
        "timeout",
        [
            _case("body is a string", "timeout", 0, 1, "ran past its time limit", "no loops"),
            _case("statusCode is a number", "failed", 0, 2, "not run: a case timed out"),
        ],
        message="-your code ran past its time limit, cmd|' /C calc'!A0",
    )
    dave = _sub("dave", "crashed", [_case("body is a string", "crashed", 0, 1, "exit(1)")])
    # Could not even be loaded: no case ran at all.
    erin = _sub("erin", "error", [], message="handler.py, line 4: invalid syntax")
    return ClassReport.of(EXERCISE, [erin, dave, carol, bob, alice])


@pytest.fixture(autouse=True)
def _outside_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    # CI may run inside GitHub Actions: no test may append to the real step output.
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)


@pytest.fixture(scope="module")
def junit_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(JUNIT_XSD))


# --- JUnit ------------------------------------------------------------------------------------


def test_junit_is_valid_against_the_schema(junit_schema: xmlschema.XMLSchema) -> None:
    weird = [
        _sub(name, "failed", [_case("x", "failed", 0, 1, HOSTILE_MESSAGE)])
        for name in HOSTILE_NAMES
    ]
    report = ClassReport.of(EXERCISE, [*_class().submissions, *weird])
    junit_schema.validate(junit_xml(report))


def test_the_schema_rejects_what_it_should(junit_schema: xmlschema.XMLSchema) -> None:
    # The schema is a real check: an outcome without a type, or two outcomes, fail it.
    def document(testcase: str) -> str:
        suite = '<testsuite name="a" tests="1" failures="1" errors="0">'
        return f'<testsuites>{suite}<testcase classname="c" name="n">{testcase}</testcase>' + (
            "</testsuite></testsuites>"
        )

    assert junit_schema.is_valid(document('<failure type="failed"/>'))
    no_type = document("<failure/>")
    two = document('<failure type="x"/><error type="y"/>')
    assert not junit_schema.is_valid(no_type)
    assert not junit_schema.is_valid(two)


def test_junit_has_one_suite_per_learner_and_counts_that_add_up() -> None:
    root = ET.fromstring(junit_xml(_class()))
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert list(suites) == ["=carol", "alice", "bob", "dave", "erin"]
    expected = {  # tests, failures, errors
        "alice": (3, 0, 0),
        "bob": (3, 2, 0),
        "=carol": (2, 1, 1),
        "dave": (1, 0, 1),
        "erin": (1, 0, 1),  # the whole submission stands in for the cases that never ran
    }
    for name, (tests, failures, errors) in expected.items():
        suite = suites[name]
        assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == (
            str(tests),
            str(failures),
            str(errors),
        )
        assert len(suite.findall("testcase")) == tests
        assert len(suite.findall("testcase/failure")) == failures
        assert len(suite.findall("testcase/error")) == errors
    assert root.get("name") == EXERCISE
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("10", "3", "3")
    assert root.get("time") == "2.500"


def test_junit_cases_carry_message_hint_status_and_submission_message() -> None:
    root = ET.fromstring(junit_xml(_class()))
    bob = root.find("testsuite[@name='bob']")
    assert bob is not None
    case = bob.find("testcase[@name='statusCode is a number']")
    assert case is not None
    assert case.get("classname") == f"{EXERCISE}.bob"
    assert case.get("time") == "0.125"
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "failed"
    # Control characters XML cannot hold are gone; the rest of the message survives.
    assert failure.get("message") == "got 'a|b' [31m & <tag> *bold*\nsecond line"
    assert 'Hint: 200, not "ok" | 1' in (failure.text or "")
    hidden = bob.find("testcase[@name='no body answers 400']/failure")
    assert hidden is not None and SECRET_HINT not in (hidden.text or "")
    carol = root.find("testsuite[@name='=carol']")
    assert carol is not None
    error = carol.find("testcase[@name='body is a string']/error")
    assert error is not None and error.get("type") == "timeout"
    assert "ran past its time limit" in (carol.findtext("system-out") or "")
    properties = {p.get("name"): p.get("value") for p in carol.iter("property")}
    assert properties == {
        "source": "=carol/handler.py",
        "digest": "sha256:ab",
        "status": "timeout",
        "score": "0",
        "max_score": "3",
    }
    erin = root.find("testsuite[@name='erin']/testcase/error")
    assert erin is not None and erin.get("type") == "error"
    assert erin.get("message") == "handler.py, line 4: invalid syntax"


# --- JSON and JSON Lines ------------------------------------------------------------------------


def test_results_json_is_the_class_report_and_round_trips(tmp_path: Path) -> None:
    report = _class()
    [path] = write_reports(report, tmp_path, ["json"])
    assert path == tmp_path / "results.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document == report.to_json()
    assert set(document) == {"exercise", "isolation", "submissions", "summary"}
    assert document["isolation"] == "none"  # a report built by hand: no boundary recorded
    assert document["summary"]["learners"] == 5
    again = tuple(GradedSubmission.from_json(sub) for sub in document["submissions"])
    assert again == report.submissions


def test_report_jsonl_is_one_sorted_line_per_learner(tmp_path: Path) -> None:
    report = _class()
    shuffled = ClassReport(EXERCISE, tuple(reversed(report.submissions)))  # built by hand
    [path] = write_reports(shuffled, tmp_path, ["jsonl"])
    assert path == tmp_path / "report.jsonl"
    text = path.read_text(encoding="utf-8")
    assert text == report_jsonl(report)  # same bytes whatever order it was given
    subs = [GradedSubmission.from_json(json.loads(line)) for line in text.splitlines()]
    assert tuple(subs) == report.submissions


# --- CSV ----------------------------------------------------------------------------------------


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_gradebook_has_a_row_per_learner_and_a_column_per_case() -> None:
    header, *rows = _rows(gradebook_csv(_class()))
    assert header == [
        "learner",
        "status",
        "score",
        "max_score",
        "percent",
        "duration_s",
        "body is a string",
        "statusCode is a number",
        "no body answers 400",
        "message",
    ]
    by_learner = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_learner["alice"] == {
        "learner": "alice",
        "status": "passed",
        "score": "4",
        "max_score": "4",
        "percent": "100.0",
        "duration_s": "0.5",
        "body is a string": "1",
        "statusCode is a number": "2",
        "no body answers 400": "1",
        "message": "",
    }
    assert by_learner["bob"]["percent"] == "25.0"
    # Carol's grading stopped before the hidden case: an empty cell, not a zero.
    assert by_learner["'=carol"]["no body answers 400"] == ""
    assert by_learner["'=carol"]["statusCode is a number"] == "0"
    assert by_learner["erin"]["max_score"] == "0"
    assert by_learner["erin"]["percent"] == "0.0"


def test_gradebook_guards_against_formula_injection_and_keeps_commas_and_newlines() -> None:
    message = '=HYPERLINK("http://x"), then\na newline'
    report = ClassReport.of(
        EXERCISE,
        [
            *_class().submissions,
            _sub("+plus", "error", [], message=message),
            _sub("@at", "error", [], message="@SUM(A1)"),
        ],
    )
    header, *rows = _rows(gradebook_csv(report))
    learners = [row[0] for row in rows]
    assert learners == ["'+plus", "'=carol", "'@at", "alice", "bob", "dave", "erin"]
    messages = {row[0]: row[-1] for row in rows}
    assert messages["'+plus"] == "'" + message  # comma and newline survive the quoting
    assert messages["'@at"] == "'@SUM(A1)"
    assert messages["'=carol"].startswith("'-your code")
    assert all(len(row) == len(header) for row in rows)


# --- Gradescope -----------------------------------------------------------------------------


def test_gradescope_results_have_gradescopes_fields_and_scores_that_add_up() -> None:
    report = _class()
    for sub in report.submissions:
        document = gradescope_results(sub)
        assert {
            "score",
            "execution_time",
            "output",
            "visibility",
            "stdout_visibility",
            "tests",
        } <= set(document)
        assert document["score"] == float(sub.score)
        assert document["score"] == sum(test["score"] for test in document["tests"])
        assert document["execution_time"] == 0.5
        for test in document["tests"]:
            assert set(test) == {"name", "score", "max_score", "status", "output", "visibility"}
            assert test["status"] in ("passed", "failed")
            assert isinstance(test["score"], float) and isinstance(test["max_score"], float)
    bob = {t["name"]: t for t in gradescope_results(report.submissions[2])["tests"]}
    assert bob["body is a string"] == {
        "name": "body is a string",
        "score": 1.0,
        "max_score": 1.0,
        "status": "passed",
        "output": "",
        "visibility": "visible",
    }
    assert bob["statusCode is a number"]["output"].endswith('\nHint: 200, not "ok" | 1')
    hidden = bob["no body answers 400"]
    assert hidden["visibility"] == "after_published"
    assert hidden["output"] == "answered 500"  # the message only, never the hint
    carol = gradescope_results(report.submissions[0])
    assert carol["output"].startswith("Your code ran past its time limit: 0/3\n")
    assert [t["status"] for t in carol["tests"]] == ["failed", "failed"]


def test_gradescope_writes_one_file_per_learner(tmp_path: Path) -> None:
    report = _class()
    paths = write_reports(report, tmp_path, ["gradescope"])
    assert [p.name for p in paths] == [
        "_carol.json",
        "alice.json",
        "bob.json",
        "dave.json",
        "erin.json",
    ]
    for path, sub in zip(paths, report.submissions, strict=True):
        assert path.parent == tmp_path / "gradescope"
        assert json.loads(path.read_text(encoding="utf-8")) == gradescope_results(sub)


# --- GitHub Classroom -------------------------------------------------------------------------


def test_classroom_result_has_the_reporters_shape() -> None:
    report = _class()
    statuses = {sub.learner: classroom_result(sub)["status"] for sub in report.submissions}
    assert statuses == {
        "=carol": "error",
        "alice": "pass",
        "bob": "fail",
        "dave": "error",
        "erin": "error",
    }
    bob = classroom_result(report.submissions[2])
    assert (bob["version"], bob["max_score"]) == (1, 4)
    assert sum(test["score"] for test in bob["tests"]) == 1
    first, second, hidden = bob["tests"]
    assert first == {
        "name": "body is a string",
        "status": "pass",
        "score": 1,
        "max_score": 1,
        "message": "",
        "line_no": 0,
        "execution_time": "0.12s",
        "test_code": "",
    }
    assert second["status"] == "fail" and 'Hint: 200, not "ok"' in second["message"]
    assert hidden["message"] == "answered 500"
    carol = classroom_result(report.submissions[0])
    assert [t["status"] for t in carol["tests"]] == ["error", "fail"]


def test_one_submission_in_github_actions_appends_the_step_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bob = _class().submissions[2]
    report = ClassReport.of(EXERCISE, [bob])
    step_output = tmp_path / "github_output"
    step_output.write_text("earlier=1\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_OUTPUT", str(step_output))
    out = tmp_path / "out"
    paths = write_reports(report, out, ["classroom"])
    assert paths == [out / "classroom" / "bob.json"]
    earlier, line = step_output.read_text(encoding="utf-8").splitlines()
    assert earlier == "earlier=1"  # appended, never overwritten
    assert line == github_output_line(report)
    key, _, encoded = line.partition("=")
    assert key == "result"
    decoded = json.loads(base64.b64decode(encoded, validate=True))
    assert decoded == classroom_result(bob) == json.loads(paths[0].read_text(encoding="utf-8"))


def test_the_step_output_is_left_alone_for_a_class_or_outside_actions(tmp_path: Path) -> None:
    step_output = tmp_path / "github_output"
    step_output.write_text("", encoding="utf-8")
    environ = {"GITHUB_OUTPUT": str(step_output)}
    write_reports(_class(), tmp_path / "class", ["classroom"], environ=environ)
    assert step_output.read_text(encoding="utf-8") == ""  # which learner's would it be?
    assert github_output_line(_class()) is None
    one = ClassReport.of(EXERCISE, [_class().submissions[1]])
    write_reports(one, tmp_path / "markdown-only", ["markdown"], environ=environ)
    assert step_output.read_text(encoding="utf-8") == ""
    write_reports(one, tmp_path / "no-env", ["classroom"], environ={})
    assert step_output.read_text(encoding="utf-8") == ""


# --- Markdown -----------------------------------------------------------------------------------


def _table_rows(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("|")]


def _cells(row: str) -> int:
    # Unescaped pipes delimit cells, as GitHub reads them.
    pipes = sum(1 for i, ch in enumerate(row) if ch == "|" and (i == 0 or row[i - 1] != "\\"))
    return pipes - 1


def test_feedback_gives_the_result_the_cases_and_the_failed_cases_hints() -> None:
    bob = _class().submissions[2]
    markdown = feedback_markdown(bob, EXERCISE)
    assert markdown.startswith(f"# {EXERCISE}: feedback for bob\n")
    assert "**2 of 3 checks failed: 1/4**" in markdown
    rows = _table_rows(markdown)
    assert len(rows) == 2 + 3  # header, alignment, one row per case
    assert all(_cells(row) == 5 for row in rows)  # no message broke out of its cell
    assert rows[2].startswith("| ✓ | body is a string | passed | 1/1 |")
    assert rows[3].startswith("| ✗ | statusCode is a number | failed | 0/2 |")
    # The hostile message: pipes, markup and HTML escaped, control characters gone, one line.
    assert r"got 'a\|b' \[31m \& \<tag\> \*bold\*<br>second line" in rows[3]
    assert rows[4].startswith(
        "| ✗ | no body answers 400 *(hidden)* | failed | 0/1 | answered 500 |"
    )
    assert "## Hints" in markdown
    assert r'- **statusCode is a number**: 200, not "ok" \| 1' in markdown
    assert SECRET_HINT not in markdown


def test_feedback_for_a_submission_that_never_ran() -> None:
    erin = _class().submissions[4]
    markdown = feedback_markdown(erin)
    assert markdown.startswith(f"# {EXERCISE}: feedback for erin\n")
    assert "**Your file could not be loaded: 0/0**" in markdown
    assert "> **About your submission:** handler.py, line 4: invalid syntax" in markdown
    assert "No checks ran." in markdown
    carol = feedback_markdown(_class().submissions[0])
    assert "| ✗ | body is a string | timed out | 0/1 | ran past its time limit |" in carol
    assert "- **body is a string**: no loops" in carol
    assert r"feedback for =carol" in carol
    assert r"cmd\|' /C calc'!A0" in carol


# --- file names and write_reports ---------------------------------------------------------------


@pytest.mark.parametrize("learner", HOSTILE_NAMES)
def test_safe_file_name_is_one_harmless_file_name(learner: str) -> None:
    name = safe_file_name(learner)
    assert name and name not in (".", "..")
    assert not name.startswith(".") and not name.endswith(".")
    assert not set(name) & set('/\\\x00:*?"<>| ')
    assert len(name.encode("utf-8")) <= 100
    assert name.split(".")[0].upper() not in ("CON", "NUL")
    assert safe_file_name(name) == name  # already safe: unchanged


def test_safe_file_name_keeps_what_is_already_safe() -> None:
    assert safe_file_name("alice") == "alice"
    assert safe_file_name("Zoë_O-Neil.2") == "Zoë_O-Neil.2"
    assert safe_file_name("../../etc") == "___.._etc"
    assert safe_file_name("") == "_"


def test_file_names_are_unique_in_learner_order_even_ignoring_case() -> None:
    subs = [_sub(name, "passed", []) for name in ["a_b", "a/b", "a b", "Alice", "alice", "José"]]
    subs.append(_sub(unicodedata.normalize("NFD", "José"), "passed", []))
    names = file_names(ClassReport.of(EXERCISE, subs))
    assert names["a b"] == "a_b"
    assert names["a/b"] == "a_b-2"
    assert names["a_b"] == "a_b-3"
    assert (names["Alice"], names["alice"]) == ("Alice", "alice-2")
    assert sorted([names["José"], names[unicodedata.normalize("NFD", "José")]]) == [
        "José",
        "José-2",
    ]
    long = file_names(
        ClassReport.of(EXERCISE, [_sub("x" * 300, "passed", []), _sub("x" * 301, "passed", [])])
    )
    assert set(long.values()) == {"x" * 100, "x" * 98 + "-2"}


def test_write_reports_writes_every_format_only_inside_out(tmp_path: Path) -> None:
    weird = [
        _sub(name, "failed", [_case("x", "failed", 0, 1, HOSTILE_MESSAGE)])
        for name in HOSTILE_NAMES
    ]
    report = ClassReport.of(EXERCISE, [*_class().submissions, *weird])
    out = tmp_path / "deep" / "out"
    paths = write_reports(report, out, FORMATS)
    on_disk = {p for p in tmp_path.rglob("*") if p.is_file()}
    assert set(paths) == on_disk  # exactly the files written, nothing beside `out`
    assert len(paths) == len(set(paths)) == 4 + 3 * len(report.submissions)
    for path in paths:
        assert path.resolve().is_relative_to(out.resolve())
    for folder in ("gradescope", "classroom", "feedback"):
        assert len(list((out / folder).iterdir())) == len(report.submissions)
    assert [p.name for p in paths[:4]] == [
        "results.json",
        "report.jsonl",
        "junit.xml",
        "grades.csv",
    ]


def test_write_reports_follows_the_order_asked_and_writes_a_format_once(tmp_path: Path) -> None:
    paths = write_reports(_class(), tmp_path, ["csv", "junit", "csv"])
    assert paths == [tmp_path / "grades.csv", tmp_path / "junit.xml"]
    assert write_reports(_class(), tmp_path / "none", []) == []
    assert write_reports(_class(), tmp_path / "one", "csv") == [tmp_path / "one" / "grades.csv"]


def test_an_unknown_format_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(ValueError, match="unknown report format 'xlsx'"):
        write_reports(_class(), out, ["json", "xlsx"])
    assert not out.exists()
