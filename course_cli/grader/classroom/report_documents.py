"""The documents `course grade --format ...` writes, each a pure function of the report.

Only `results.json` and `report.jsonl` (the raw results) hold the hints of hidden cases;
every document a learner may see shows those cases without them. Learner text is escaped.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import math
import re
import xml.etree.ElementTree as ET
from typing import Any, Final

from course_cli.grader.classroom.class_report import ClassReport, GradedSubmission, by_learner
from course_cli.grader.result import FAILED, PASSED, TIMEOUT, CaseResult

# Characters XML 1.0 cannot hold at all, escaped or not (and lone surrogates, which a folder
# name read with surrogateescape can carry and UTF-8 cannot encode).
_NOT_XML: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Markdown that learner text could use to break out of a table cell or restyle the page
# (`$` is math on GitHub).
_MARKDOWN_SPECIAL: Final = re.compile(r"([\\`*_\[\]<>|~&#$])")
# A spreadsheet runs a cell starting with one of these as a formula.
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
_WHOLE_SUBMISSION: Final = "(whole submission)"


def report_jsonl(report: ClassReport) -> str:
    """`report.jsonl`: one `GradedSubmission.to_json` line per learner, sorted by learner."""
    return "".join(json.dumps(sub.to_json()) + "\n" for sub in by_learner(report.submissions))


def junit_xml(report: ClassReport) -> str:
    """`junit.xml`: a `<testsuite>` per learner, a `<testcase>` per case; a failed case is a
    `<failure>`, an error, timeout or crash an `<error>`."""
    root = ET.Element("testsuites", name=_xml_text(report.exercise))
    subs = by_learner(report.submissions)
    suites = [_junit_suite(report.exercise, sub) for sub in subs]
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(sum(int(suite.get(key, "0")) for suite in suites)))
    root.set("time", f"{sum(_seconds(sub.result.duration_s) for sub in subs):.3f}")
    root.extend(suites)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _junit_suite(exercise: str, sub: GradedSubmission) -> ET.Element:
    cases = _cases_or_whole(sub)
    failures = sum(case.status == FAILED for case in cases)
    errors = sum(case.status not in (PASSED, FAILED) for case in cases)
    suite = ET.Element(
        "testsuite",
        name=_xml_name(sub.learner),
        tests=str(len(cases)),
        failures=str(failures),
        errors=str(errors),
        skipped="0",  # a case that was not run counts against the score: failed, not skipped
        time=f"{_seconds(sub.result.duration_s):.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("source", sub.source),
        ("digest", sub.digest),
        ("status", sub.status),
        ("score", str(sub.score)),
        ("max_score", str(sub.max_score)),
    ):
        ET.SubElement(properties, "property", name=name, value=_xml_text(value))
    classname = _xml_name(f"{exercise}.{sub.learner}")
    for case in cases:
        testcase = ET.SubElement(
            suite,
            "testcase",
            classname=classname,
            name=_xml_name(case.name),
            time=f"{_seconds(case.duration_s):.3f}",
        )
        if not case.passed:
            tag = "failure" if case.status == FAILED else "error"
            outcome = ET.SubElement(
                testcase, tag, message=_xml_text(case.message), type=_xml_name(case.status)
            )
            outcome.text = _xml_text(_case_feedback(case))
    ET.SubElement(suite, "system-out").text = _xml_text(_result_words(sub))
    return suite


def gradebook_csv(report: ClassReport) -> str:
    """`grades.csv`, a gradebook: a row per learner, a column per case (points; empty when
    not reached); a text cell a spreadsheet would run as a formula gets a leading `'`."""
    case_names = [case.name for case in report.summary().cases]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    header = ["learner", "status", "score", "max_score", "percent", "duration_s"]
    writer.writerow([_csv_text(cell) for cell in [*header, *case_names, "message"]])
    for sub in by_learner(report.submissions):
        points: dict[str, int] = {}
        for case in sub.result.cases:
            points[case.name] = points.get(case.name, 0) + case.points
        percent = round(100 * sub.score / sub.max_score, 1) if sub.max_score else 0.0
        writer.writerow(
            [
                _csv_text(sub.learner),
                _csv_text(sub.status),
                sub.score,
                sub.max_score,
                percent,
                round(_seconds(sub.result.duration_s), 3),
                *(points.get(name, "") for name in case_names),
                _csv_text(sub.result.message or ""),
            ]
        )
    return buffer.getvalue()


def gradescope_results(sub: GradedSubmission) -> dict[str, Any]:
    """The learner's Gradescope autograder `results.json`: a test per case, a hidden case's
    visible only once published; our log (stdout) is for instructors."""
    return {
        "score": float(sub.score),
        "execution_time": round(_seconds(sub.result.duration_s), 3),
        "output": _result_words(sub),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": {"learner": sub.learner, "status": sub.status, "max_score": sub.max_score},
        "tests": [
            {
                "name": case.name,
                "score": float(case.points),
                "max_score": float(case.max_points),
                "status": "passed" if case.passed else "failed",
                "output": _case_feedback(case),
                "visibility": "after_published" if case.hidden else "visible",
            }
            for case in _cases_or_whole(sub)
        ],
    }


def classroom_result(sub: GradedSubmission) -> dict[str, Any]:
    """The learner's result as GitHub Classroom's grading reporter decodes a runner's output."""
    return {
        "version": 1,
        "status": _classroom_status(sub.status),
        "max_score": sub.max_score,
        "tests": [
            {
                "name": case.name,
                "status": _classroom_status(case.status),
                "score": case.points,
                "max_score": case.max_points,
                "message": _case_feedback(case),
                "line_no": 0,
                "execution_time": f"{_seconds(case.duration_s):.2f}s",
                "test_code": "",
            }
            for case in _cases_or_whole(sub)
        ],
    }


def github_output_line(report: ClassReport) -> str | None:
    """`result=<base64 of classroom_result JSON>` for a report of exactly one submission (a
    learner's repository in CI), else None: the step output the reporter action reads."""
    if len(report.submissions) != 1:
        return None
    document = json.dumps(classroom_result(report.submissions[0]), separators=(",", ":"))
    return "result=" + base64.b64encode(document.encode("utf-8", "replace")).decode("ascii")


def feedback_markdown(sub: GradedSubmission, exercise: str | None = None) -> str:
    """Feedback to hand back to the learner: the result, a table of cases, and the hints of
    the visible cases that did not pass; all learner text escaped."""
    result = sub.result
    lines = [
        f"# {_md(exercise or result.exercise)}: feedback for {_md(sub.learner)}",
        "",
        f"**{_md(_capitalised(result.summary()))}**",
        "",
    ]
    if result.message:
        lines += [f"> **About your submission:** {_md(result.message)}", ""]
    if result.cases:
        lines += ["| | Check | Result | Points | What happened |", "|:-:|---|---|--:|---|"]
        for case in result.cases:
            name = _md(case.name) + (" *(hidden)*" if case.hidden else "")
            outcome = "timed out" if case.status == TIMEOUT else _md(case.status)
            lines.append(
                f"| {'✓' if case.passed else '✗'} | {name} | {outcome} "
                f"| {case.points}/{case.max_points} | {_md(case.message)} |"
            )
        lines.append("")
    else:
        lines += ["No checks ran.", ""]
    hints = [case for case in result.cases if not case.passed and case.hint and not case.hidden]
    if hints:
        lines += ["## Hints", ""]
        lines += [f"- **{_md(case.name)}**: {_md(case.hint)}" for case in hints]
        lines.append("")
    return "\n".join(lines)


def _cases_or_whole(sub: GradedSubmission) -> tuple[CaseResult, ...]:
    """The cases; or, when none ran and the submission did not pass, one zero-point case
    standing for the whole submission, so a report never shows a broken submission as green."""
    result = sub.result
    if result.cases or result.status == PASSED:
        return result.cases
    message = result.message or result.summary()
    return (CaseResult(_WHOLE_SUBMISSION, result.status, 0, 0, message, duration_s=0.0),)


def _case_feedback(case: CaseResult) -> str:
    """What went wrong and, unless the case is hidden, the hint."""
    if case.passed:
        return ""
    if case.hint and not case.hidden:
        return f"{case.message}\nHint: {case.hint}" if case.message else f"Hint: {case.hint}"
    return case.message


def _result_words(sub: GradedSubmission) -> str:
    words = _capitalised(sub.result.summary())
    return f"{words}\n{sub.result.message}" if sub.result.message else words


def _classroom_status(status: str) -> str:
    return {PASSED: "pass", FAILED: "fail"}.get(status, "error")


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _seconds(value: float) -> float:
    # A results file edited by hand could say NaN or -1; no report format can hold those.
    return value if math.isfinite(value) and value > 0 else 0.0


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def _xml_name(text: str) -> str:
    return _xml_text(text).strip() or "_"


def _csv_text(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def _md(text: str) -> str:
    """Learner-facing text as inert inline Markdown: specials escaped, line breaks as `<br>`
    (a raw newline would end a table row)."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", _xml_text(text))
    return "<br>".join(escaped.splitlines()) if escaped else ""
