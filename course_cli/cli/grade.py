"""`course grade`: grade a class's submissions of one exercise (for instructors)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from course_cli.cli.common import print_json
from course_cli.errors import BadOptionError

TABLE = "table"


def grade(
    submissions: Annotated[
        Path,
        typer.Argument(
            metavar="SUBMISSIONS",
            help="A folder of submissions (one folder or file per learner), a zip of them, "
            "or one learner's submission.",
            show_default=False,
        ),
    ],
    exercise: Annotated[
        str,
        typer.Option("--exercise", help="Exercise id, e.g. 06-crud-handler (or 6)."),
    ],
    workers: Annotated[
        int | None,
        typer.Option("--workers", "-j", help="Submissions graded at once.", show_default="cores"),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for results.jsonl and the reports.")
    ] = Path("grades"),
    formats: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            "-f",
            help="table, json, jsonl, junit, csv, gradescope, classroom or markdown; "
            "repeat for several.",
            show_default="table",
        ),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option("--resume", help="Keep the results in OUT and grade only what is missing."),
    ] = False,
    timeout: Annotated[
        float,
        typer.Option("--timeout", help="The most one submission may take in all, in seconds."),
    ] = 120.0,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print results.json's document on stdout instead.")
    ] = False,
    isolation: Annotated[
        str,
        typer.Option(
            "--isolation",
            help="The wall around each submission: auto (the strongest this machine has), "
            "namespaces or uid.",
        ),
    ] = "auto",
    trust_submissions: Annotated[
        bool,
        typer.Option(
            "--trust-submissions",
            help="UNSAFE: grade with no isolation at all, where none can be had. A submission "
            "can then read the solutions and change any grade: only for code you trust.",
        ),
    ] = False,
) -> None:
    """Grade every submission of one exercise in parallel isolated workers, writing each
    result as it comes; then show the class and write the reports asked for.

    Every case runs, hidden ones too. A submission that loops, crashes or misbehaves ends as
    a result and the batch goes on; Ctrl-C keeps what was graded (continue with --resume).
    Exit 0 once every submission is graded, whatever the scores.
    """
    from course_cli.grader.classroom.batch import grade_class
    from course_cli.grader.classroom.boundary import choose, describe
    from course_cli.ui.console import get_console, print_warning
    from course_cli.ui.grade_view import GradeProgress, render_class_report

    wanted = _formats(formats or [TABLE])
    mode = choose(isolation, trust_submissions=trust_submissions)
    errors = get_console(stderr=True)
    errors.print(describe(mode), style="muted" if mode != "none" else "warning", soft_wrap=True)
    with GradeProgress(errors) as progress:
        batch = grade_class(
            submissions,
            exercise,
            out,
            workers=workers,
            timeout_s=timeout,
            resume=resume,
            listener=progress,
            isolation=mode,
        )
    for warning in batch.warnings:
        print_warning(warning)
    from course_cli.grader.classroom.reporters import write_reports

    written = write_reports(batch.report, out, [f for f in wanted if f != TABLE])
    if as_json:
        print_json(batch.report.to_json())
        return
    console = get_console()
    if TABLE in wanted:
        console.print(render_class_report(batch))
    files = [batch.results_file, *written]
    console.print("[muted]wrote " + ", ".join(str(path) for path in files) + "[/]", soft_wrap=True)


def _formats(formats: list[str]) -> list[str]:
    """The formats asked for, checked, each once, in the order given."""
    from course_cli.grader.classroom.reporters import FORMATS

    known = (TABLE, *FORMATS)
    names = [name.strip().lower() for value in formats for name in value.split(",")]
    for name in names:
        if name not in known:
            raise BadOptionError(
                f"unknown --format '{name}'", hint="choose from " + ", ".join(known)
            )
    return list(dict.fromkeys(names))
