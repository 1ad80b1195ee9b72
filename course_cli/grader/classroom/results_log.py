"""`results.jsonl`: every result of `course grade`, one line each, synced as it arrives, so a
crash keeps what was graded; `--resume` reads it back, else it is set aside first.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path
from typing import IO

from course_cli.errors import CourseError, UsageError
from course_cli.grader.classroom.class_report import GradedSubmission

RESULTS_FILE = "results.jsonl"


class ResultsLog:
    """`results.jsonl`: read back for `--resume`, appended to as results arrive."""

    def __init__(self, path: Path, exercise_id: str, *, resume: bool) -> None:
        self.path = path
        self.previous: dict[str, GradedSubmission] = {}
        self.warnings: list[str] = []
        self.appended = 0  # results written by this run
        self._file: IO[str] | None = None
        if not path.exists():
            return
        if not resume:
            kept = path.with_name(f"results-{time.strftime('%Y%m%d-%H%M%S')}.jsonl")
            try:
                path.rename(kept)
            except OSError as error:
                raise self._cannot_write(error) from None
            self.warnings.append(
                f"an earlier {path.name} was kept as {kept.name} (use --resume to continue it)"
            )
            return
        self._read(exercise_id)

    def _read(self, exercise_id: str) -> None:
        try:
            lines = self.path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError as error:
            raise UsageError(f"cannot read {self.path}: {error.strerror}") from None
        unreadable = 0
        for line in lines:
            if not line.strip():
                continue
            try:
                graded = GradedSubmission.from_json(json.loads(line))
            except (ValueError, KeyError, TypeError):
                unreadable += 1  # a line cut short by a crash: that learner is graded again
                continue
            if graded.result.exercise != exercise_id:
                raise UsageError(
                    f"{self.path} holds grades of {graded.result.exercise}, not {exercise_id}",
                    hint="give another --out for this exercise",
                )
            self.previous[graded.learner] = graded
        if unreadable:
            self.warnings.append(
                f"{unreadable} unreadable line(s) in {self.path.name} were skipped; "
                "those learners are graded again"
            )

    def __enter__(self) -> ResultsLog:
        try:
            self._file = self.path.open("a+", encoding="utf-8")
            self._file.seek(0, os.SEEK_END)
            if self._file.tell():
                # A crash may have cut the last line short: start on a line of our own.
                self._file.seek(self._file.tell() - 1)
                last = self._file.read(1)
                if last != "\n":
                    self._file.write("\n")
        except OSError as error:
            self.__exit__()
            raise self._cannot_write(error) from None
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):  # what did not fit was reported already
                self._file.close()
            self._file = None

    def append(self, graded: GradedSubmission) -> None:
        """Write one result and sync it to disk; `CourseError` when it cannot be (a full disk)."""
        assert self._file is not None, "use ResultsLog as a context manager"
        try:
            self._file.write(json.dumps(graded.to_json(), ensure_ascii=False) + "\n")
            self._file.flush()
            os.fsync(self._file.fileno())
        except OSError as error:
            raise self._cannot_write(error) from None
        self.appended += 1

    def _cannot_write(self, error: OSError) -> CourseError:
        kept = len(self.previous) + self.appended
        return CourseError(
            f"cannot write {self.path}: {error.strerror or error}; grading stopped, "
            f"the {kept} result(s) written before it are kept",
            hint="free some space (or choose another --out), then run the same command with "
            "--resume to grade the rest",
        )
