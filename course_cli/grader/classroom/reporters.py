"""The files `course grade --format ...` writes about a class (`write_reports`): each
format's files (`_CLASS_FILES`, `_LEARNER_FILES` under safe names made by `file_names`), the
documents made by `report_documents.py`. `results.jsonl` is the batch's own (`results_log.py`).
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Final

from course_cli.errors import CourseError
from course_cli.grader.classroom.class_report import ClassReport, GradedSubmission, by_learner
from course_cli.grader.classroom.report_documents import (
    classroom_result,
    feedback_markdown,
    github_output_line,
    gradebook_csv,
    gradescope_results,
    junit_xml,
    report_jsonl,
)
from course_cli.grader.classroom.results_log import RESULTS_FILE

FORMATS: Final = ("json", "jsonl", "junit", "csv", "gradescope", "classroom", "markdown")

_NAME_MAX_BYTES: Final = 100  # well under every file system's 255, with room for ".json"
_WINDOWS_DEVICES: Final = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{n}" for n in range(1, 10)}
    | {f"LPT{n}" for n in range(1, 10)}
)


def write_reports(
    report: ClassReport,
    out: Path,
    formats: Iterable[str],
    *,
    environ: Mapping[str, str] | None = None,
) -> list[Path]:
    """Write each format's files inside `out`; return the paths written. `ValueError` for an
    unknown format, before anything is written. With `classroom` in GitHub Actions
    (`GITHUB_OUTPUT` in `environ`), also append `github_output_line` there."""
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
            if name in _CLASS_FILES:
                file, document = _CLASS_FILES[name]
                written.append(_write(out / file, document(report)))
                continue
            folder, suffix, render = _LEARNER_FILES[name]
            (out / folder).mkdir(exist_ok=True)
            for sub in by_learner(report.submissions):
                path = out / folder / (names[sub.learner] + suffix)
                written.append(_write(path, render(sub, report.exercise)))
    except OSError as error:  # a full disk, a read-only folder: the results file stays
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


def safe_file_name(learner: str) -> str:
    """A file name (no extension) for this learner that is safe on any OS: never empty, hidden,
    `.`/`..` or a Windows device name, at most 100 bytes of UTF-8."""
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
    for sub in by_learner(report.submissions):
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


def _write(path: Path, text: str) -> Path:
    # newline="": the documents choose their own line ends (CSV's are CRLF, as RFC 4180 says).
    path.write_text(text, encoding="utf-8", errors="replace", newline="")
    return path


def _json_text(document: Any) -> str:
    # ASCII-only JSON: a learner name carrying a lone surrogate still encodes.
    return json.dumps(document, indent=2) + "\n"


# Format -> its file in `out`, and the document written there.
_CLASS_FILES: Final[dict[str, tuple[str, Callable[[ClassReport], str]]]] = {
    "json": ("results.json", lambda report: _json_text(report.to_json())),
    "jsonl": ("report.jsonl", report_jsonl),
    "junit": ("junit.xml", junit_xml),
    "csv": ("grades.csv", gradebook_csv),
}
# Format -> its folder in `out`, the files' suffix, and the learner's document.
_LEARNER_FILES: Final[dict[str, tuple[str, str, Callable[[GradedSubmission, str], str]]]] = {
    "gradescope": ("gradescope", ".json", lambda sub, _: _json_text(gradescope_results(sub))),
    "classroom": ("classroom", ".json", lambda sub, _: _json_text(classroom_result(sub))),
    "markdown": ("feedback", ".md", feedback_markdown),
}
