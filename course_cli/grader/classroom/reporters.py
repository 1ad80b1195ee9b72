"""The files `course grade --format ...` writes about a class: one function per format returns
the document, and `write_reports` puts the chosen ones under an output folder.

| format       | file(s) under `out`             | document                          |
| ------------ | ------------------------------- | --------------------------------- |
| `json`       | `results.json`                  | `results_json(report)`            |
| `jsonl`      | `report.jsonl`                  | `report_jsonl(report)`            |
| `junit`      | `junit.xml`                     | `junit_xml(report)`               |
| `csv`        | `grades.csv`                    | `gradebook_csv(report)`           |
| `gradescope` | `gradescope/<name>.json`        | `gradescope_results(submission)`  |
| `classroom`  | `classroom/<name>.json`         | `classroom_result(submission)`    |
| `markdown`   | `feedback/<name>.md`            | `feedback_markdown(submission)`   |

`<name>` is the learner's name made safe for a file (`file_names`). `results.jsonl` is not
here: the batch engine owns it and writes it while it grades.

Who reads what decides what is shown. `results.json` and `report.jsonl` are the raw results,
hints of hidden cases included. Everything a learner may see (JUnit in a learner's CI, the
Gradescope and Classroom results, the Markdown feedback) never shows a hidden case's hint: its
name, whether it passed, its points and its message only (the message is written to be safe).

Pure functions over the report, standard library only, so importing this costs nothing.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import math
import os
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Final

from course_cli.errors import CourseError
from course_cli.grader.classroom.class_report import ClassReport, GradedSubmission
from course_cli.grader.result import CRASHED, ERROR, FAILED, PASSED, TIMEOUT, CaseResult

FORMATS: Final = ("json", "jsonl", "junit", "csv", "gradescope", "classroom", "markdown")

_NAME_MAX_BYTES: Final = 100  # well under every file system's 255, with room for ".json"
_WINDOWS_DEVICES: Final = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{n}" for n in range(1, 10)}
    | {f"LPT{n}" for n in range(1, 10)}
)
# Characters XML 1.0 cannot hold at all, escaped or not (and lone surrogates, which a folder
# name read with surrogateescape can carry and UTF-8 cannot encode).
_NOT_XML: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Markdown that learner text could use to break out of a table cell or restyle the page
# (`$` is math on GitHub).
_MARKDOWN_SPECIAL: Final = re.compile(r"([\\`*_\[\]<>|~&#$])")
# A spreadsheet runs a cell starting with one of these as a formula.
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
_OUTCOME_WORDS: Final = {
    PASSED: "passed",
    FAILED: "failed",
    ERROR: "error",
    TIMEOUT: "timed out",
    CRASHED: "crashed",
}
_WHOLE_SUBMISSION: Final = "(whole submission)"


def write_reports(
    report: ClassReport,
    out: Path,
    formats: Iterable[str],
    *,
    environ: Mapping[str, str] | None = None,
) -> list[Path]:
    """Write each format's files under `out` (created), return the paths written, in order.

    Every path is inside `out` whatever the learners are called. `ValueError` names an unknown
    format before anything is written. Files from an earlier run are overwritten, never deleted.

    With `classroom`, inside GitHub Actions (`GITHUB_OUTPUT` set in `environ`, which defaults to
    `os.environ`) and with exactly one submission, the step output `result=<base64 JSON>` is
    also appended to the file `GITHUB_OUTPUT` names (see `github_output_line`). That file is the
    workflow's, outside `out`, and not among the paths returned.
    """
    # One format passed as a bare string is one format, not its letters.
    wanted = list(dict.fromkeys([formats] if isinstance(formats, str) else formats))
    unknown = [name for name in wanted if name not in FORMATS]
    if unknown:
        raise ValueError(f"unknown report format {unknown[0]!r}: choose from {', '.join(FORMATS)}")
    names = file_names(report)
    written: list[Path] = []
    name = ""
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name in wanted:
            written += _WRITERS[name](report, out, names)
    except OSError as error:  # a full disk, a read-only folder: the results file stays
        from course_cli.grader.classroom.batch import RESULTS_FILE

        raise CourseError(
            f"cannot write the {name} report in {out}: {error.strerror or error}",
            hint=f"every result is kept in {out / RESULTS_FILE}; once there is room, the same "
            "command with --resume writes the reports without grading again",
        ) from None
    env = os.environ if environ is None else environ
    line = github_output_line(report) if "classroom" in wanted else None
    if line and env.get("GITHUB_OUTPUT"):
        with open(env["GITHUB_OUTPUT"], "a", encoding="utf-8") as step_output:
            step_output.write(line + "\n")
    return list(dict.fromkeys(written))


# --- file names ---------------------------------------------------------------------------


def safe_file_name(learner: str) -> str:
    """A file name (no extension) for this learner on any OS: letters, digits and `-_.` kept,
    anything else `_`; never empty, never starting or ending with a dot (so never `.`/`..`
    nor hidden), never a Windows device name, at most 100 bytes of UTF-8."""
    name = unicodedata.normalize("NFC", learner)  # one spelling for "é" typed two ways
    name = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)
    if name.split(".")[0].upper() in _WINDOWS_DEVICES:
        name = "_" + name
    name = _truncate_utf8(name, _NAME_MAX_BYTES)
    name = re.sub(r"^\.+|\.+$", lambda dots: "_" * len(dots.group()), name)
    return name or "_"


def file_names(report: ClassReport) -> dict[str, str]:
    """Each learner's file name (no extension), unique in the report even on a file system
    that ignores case: a clash gets `-2`, `-3`, ... in learner order, so reruns agree."""
    taken: set[str] = set()
    names: dict[str, str] = {}
    for sub in _by_learner(report.submissions):
        if sub.learner in names:
            continue
        base = name = safe_file_name(sub.learner)
        copy = 1
        while name.casefold() in taken:
            copy += 1
            suffix = f"-{copy}"
            name = _truncate_utf8(base, _NAME_MAX_BYTES - len(suffix)) + suffix
        taken.add(name.casefold())
        names[sub.learner] = name
    return names


def _truncate_utf8(text: str, max_bytes: int) -> str:
    text = text[:max_bytes]  # a character is at least one byte
    while len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        text = text[:-1]
    return text


# --- whole-class documents ------------------------------------------------------------------


def results_json(report: ClassReport) -> dict[str, Any]:
    """`results.json`: `{"exercise", "submissions": [...], "summary": {...}}`
    (`ClassReport.to_json`)."""
    return report.to_json()


def report_jsonl(report: ClassReport) -> str:
    """`report.jsonl`: one `GradedSubmission.to_json` line per learner, sorted by learner."""
    return "".join(json.dumps(sub.to_json()) + "\n" for sub in _by_learner(report.submissions))


def junit_xml(report: ClassReport) -> str:
    """`junit.xml`: one `<testsuite>` per learner (named after them), one `<testcase>` per case
    (classname `<exercise>.<learner>`). A failed case holds a `<failure type="failed">`; an
    error, timeout or crash an `<error>` whose type is the status. The suite's `<properties>`
    carry source, digest, status and score; its `<system-out>` the result in words and the
    submission's message. Characters XML 1.0 forbids are dropped."""
    root = ET.Element("testsuites", name=_xml_text(report.exercise))
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    time_s = 0.0
    for sub in _by_learner(report.submissions):
        suite = _junit_suite(report.exercise, sub)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
        time_s += _seconds(sub.result.duration_s)
        root.append(suite)
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{time_s:.3f}")
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
    """`grades.csv`, a gradebook: `learner,status,score,max_score,percent,duration_s`, then one
    column per case (points earned; empty when the learner's grading did not reach it), then
    `message`. One row per learner. A text cell a spreadsheet would run as a formula (starting
    with `=`, `+`, `-`, `@`, tab or CR) gets a leading `'`."""
    case_names = [case.name for case in report.summary().cases]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    header = ["learner", "status", "score", "max_score", "percent", "duration_s"]
    writer.writerow([_csv_text(cell) for cell in [*header, *case_names, "message"]])
    for sub in _by_learner(report.submissions):
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


# --- per-learner documents ------------------------------------------------------------------


def gradescope_results(sub: GradedSubmission) -> dict[str, Any]:
    """The learner's Gradescope autograder `results.json`: `score`, `execution_time`
    (seconds), `output` (the result in words), `visibility`, `stdout_visibility` (hidden: our
    log is for instructors), `extra_data`, and one test per case with `name`, `score`,
    `max_score`, `status` (`passed`/`failed`), `output` and `visibility` (`after_published`
    for a hidden case, else `visible`)."""
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
    """The learner's result in the shape GitHub Classroom's autograding reporter
    (`classroom-resources/autograding-grading-reporter`) decodes from a runner's `result`
    output: `{"version": 1, "status": "pass"|"fail"|"error", "max_score", "tests": [...]}`, each
    test with `name`, `status`, `score`, `max_score`, `message`, `line_no`, `execution_time`
    and `test_code`. An error, timeout or crash is `error`."""
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
    learner's own repository in CI), else None. Appended to `$GITHUB_OUTPUT` by a step with an
    `id`, it becomes `steps.<id>.outputs.result`, which the reporter action reads from its
    `<ID>_RESULTS` variable."""
    if len(report.submissions) != 1:
        return None
    document = json.dumps(classroom_result(report.submissions[0]), separators=(",", ":"))
    return "result=" + base64.b64encode(document.encode("utf-8", "replace")).decode("ascii")


def feedback_markdown(sub: GradedSubmission, exercise: str | None = None) -> str:
    """Feedback ready to hand back to the learner: a title with the exercise and the learner,
    the result in words, the submission's message if any, a table of cases (✓/✗, result,
    points, message) and the hints of the visible cases that did not pass. All text is
    escaped, so nothing in a message can break the table or restyle the page."""
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
            lines.append(
                f"| {'✓' if case.passed else '✗'} | {name} | {_outcome(case.status)} "
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


# --- writing ------------------------------------------------------------------------------

_Writer = Callable[[ClassReport, Path, Mapping[str, str]], list[Path]]


def _write(path: Path, text: str) -> Path:
    # newline="": the documents choose their own line ends (CSV's are CRLF, as RFC 4180 says).
    path.write_text(text, encoding="utf-8", errors="replace", newline="")
    return path


def _per_learner(
    report: ClassReport,
    folder: Path,
    names: Mapping[str, str],
    suffix: str,
    render: Callable[[GradedSubmission], str],
) -> list[Path]:
    folder.mkdir(exist_ok=True)
    return [
        _write(folder / (names[sub.learner] + suffix), render(sub))
        for sub in _by_learner(report.submissions)
    ]


def _json_text(document: Any) -> str:
    # ASCII-only JSON: a learner name carrying a lone surrogate still encodes.
    return json.dumps(document, indent=2) + "\n"


_WRITERS: Final[dict[str, _Writer]] = {
    "json": lambda report, out, _: [_write(out / "results.json", _json_text(report.to_json()))],
    "jsonl": lambda report, out, _: [_write(out / "report.jsonl", report_jsonl(report))],
    "junit": lambda report, out, _: [_write(out / "junit.xml", junit_xml(report))],
    "csv": lambda report, out, _: [_write(out / "grades.csv", gradebook_csv(report))],
    "gradescope": lambda report, out, names: _per_learner(
        report, out / "gradescope", names, ".json", lambda s: _json_text(gradescope_results(s))
    ),
    "classroom": lambda report, out, names: _per_learner(
        report, out / "classroom", names, ".json", lambda s: _json_text(classroom_result(s))
    ),
    "markdown": lambda report, out, names: _per_learner(
        report,
        out / "feedback",
        names,
        ".md",
        lambda s: feedback_markdown(s, report.exercise),
    ),
}


# --- helpers ------------------------------------------------------------------------------


def _by_learner(subs: Iterable[GradedSubmission]) -> list[GradedSubmission]:
    # The order `ClassReport.of` keeps, applied again for reports built by hand.
    return sorted(subs, key=lambda sub: (sub.learner.casefold(), sub.learner))


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


def _outcome(status: str) -> str:
    return _OUTCOME_WORDS.get(status, _md(status))


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
