"""`course grade`: grade a whole class of one exercise, in parallel, losing nothing.

Results are saved as they come (`results_log.py`), and `--resume` grades only learners
missing or changed since. A grading process past `timeout_s` is stopped (`timeout`); one that
dies is restarted and the submission tried once more, then `crashed`.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from course_cli.errors import CourseError, UsageError
from course_cli.grader.classroom.class_report import ClassReport, GradedSubmission
from course_cli.grader.classroom.results_log import RESULTS_FILE, ResultsLog
from course_cli.grader.classroom.submissions import Submission, find_submissions
from course_cli.grader.result import CRASHED, ERROR, TIMEOUT, CheckResult

# The most one submission may take in all, by default: the slowest reference check takes a
# few seconds, and a submission that times out stops its remaining cases.
DEFAULT_TIMEOUT_S = 120.0
# How long a grading process has to end its workers after SIGTERM before it is killed.
_STOP_GRACE_S = 3.0
_MAX_REPLY_BYTES = 64 << 20
GRADING_COMMAND = (sys.executable, "-m", "course_cli.grader.classroom.grading_process")


class GradingInterrupted(CourseError):
    """Ctrl-C during `course grade`: what was graded is kept (exit 130)."""

    exit_code = 130


@dataclass
class BatchResult:
    """What `grade_class` did: the report, and how it got there."""

    report: ClassReport
    results_file: Path
    graded_now: int  # submissions graded in this run
    reused: int  # results taken from an earlier run (`--resume`)
    warnings: list[str] = field(default_factory=list)
    single: bool = False  # SUBMISSIONS was one learner's submission
    elapsed_s: float = 0.0


class GradeListener:
    """Told about the batch as it goes (the CLI's progress bar); by default, nothing."""

    def started(self, total: int, to_grade: int) -> None:
        """Grading begins: `total` submissions, `to_grade` of them in this run."""

    def graded(self, graded: GradedSubmission) -> None:
        """One submission's result was written."""


def exercise_files(exercise_id: str) -> list[str]:
    """The files an exercise's starter has (what a submission must hold)."""
    from course_cli.workspace import bundled_dir

    folder = bundled_dir("exercises") / exercise_id
    return sorted(
        p.name
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix != ".pyc"
    )


def accepted_files(exercise_id: str) -> dict[str, tuple[str, ...]]:
    """The files an exercise grades in place of its starter's (`grader.handler_files`)."""
    from course_cli.grader.checking import check_module

    return dict(getattr(check_module(exercise_id), "ACCEPTED_FILES", {}))


def grade_class(
    submissions: Path,
    exercise_id: str,
    out: Path,
    *,
    workers: int | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    resume: bool = False,
    listener: GradeListener | None = None,
    isolation: str | None = None,
) -> BatchResult:
    """Grade every submission in `submissions`, each behind `isolation` (None: the strongest
    this machine has), and return the class report; results go to `out/results.jsonl` as they
    come. `UsageError` for a bad exercise, path, worker count or results file;
    `GradingInterrupted` on Ctrl-C, once the grading processes are stopped."""
    from course_cli.grader.checking import not_run_result, resolve_exercise_id
    from course_cli.grader.classroom.boundary import choose, hidden_from_workers, private_paths

    isolation = isolation or choose("auto", trust_submissions=False)
    exercise_id = resolve_exercise_id(exercise_id)
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers < 1:
        raise UsageError(f"--workers must be at least 1, not {workers}")
    if timeout_s <= 0:
        raise UsageError(f"--timeout must be more than 0 seconds, not {timeout_s:g}")
    listener = listener or GradeListener()
    started = time.perf_counter()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(
            f"cannot create --out {out}: {error.strerror or error}",
            hint="choose a folder you can write to",
        ) from None
    hidden = private_paths(out, submissions) if isolation == "uid" else []
    with (
        hidden_from_workers(hidden),
        tempfile.TemporaryDirectory(prefix="course-grade-") as staging,
    ):
        found = find_submissions(
            submissions,
            exercise_files(exercise_id),
            exercise_id,
            Path(staging),
            skip=out,
            accepted=accepted_files(exercise_id),
        )
        log = ResultsLog(out / RESULTS_FILE, exercise_id, resume=resume)
        warnings = [*log.warnings, *found.warnings]
        digests = {s.learner: s.digest for s in found.submissions}
        reused = {
            learner: graded
            for learner, graded in log.previous.items()
            if digests.get(learner) == graded.digest and graded.result.exercise == exercise_id
        }
        todo = [s for s in found.submissions if s.learner not in reused]
        listener.started(len(found.submissions), len(todo))
        graded: list[GradedSubmission] = list(reused.values())

        def record(submission: Submission, result: CheckResult) -> None:
            done = GradedSubmission(
                submission.learner, result, submission.source, submission.digest
            )
            log.append(done)
            graded.append(done)
            listener.graded(done)

        with log:
            for submission in [s for s in todo if s.problem is not None]:
                record(submission, not_run_result(exercise_id, ERROR, submission.problem or ""))
            runnable = [s for s in todo if s.problem is None]
            if runnable:
                _grade_in_parallel(runnable, exercise_id, workers, timeout_s, record, isolation)
    report = ClassReport.of(exercise_id, graded, isolation)
    return BatchResult(
        report,
        log.path,
        graded_now=len(todo),
        reused=len(reused),
        warnings=warnings,
        single=found.single,
        elapsed_s=time.perf_counter() - started,
    )


class _ProcessGone(Exception):
    """The grading process died before it answered; its message: its last words on stderr."""


class _GradingProcess:
    """One `grading_process` child and its two private pipes."""

    def __init__(self, isolation: str) -> None:
        request_read, self._request = os.pipe()
        self._reply, reply_write = os.pipe()
        # Its stderr is ours (no learner code runs in it): kept, to say why it died, if it does.
        self._stderr = tempfile.TemporaryFile()
        try:
            self.process = subprocess.Popen(
                [*GRADING_COMMAND, str(request_read), str(reply_write), isolation],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._stderr,
                pass_fds=(request_read, reply_write),
                # Its own session: Ctrl-C reaches `course grade` only, which stops it cleanly.
                start_new_session=True,
            )
        except OSError as error:
            os.close(self._request)
            os.close(self._reply)
            self._stderr.close()
            raise CourseError(f"cannot start a grading process: {error}") from None
        finally:
            os.close(request_read)
            os.close(reply_write)

    def grade(self, exercise_id: str, folder: Path, timeout_s: float) -> CheckResult | str | None:
        """The check result, a failure of the grader's own (str), or None past `timeout_s`.
        `_ProcessGone` if the process died meanwhile."""
        from course_cli.runtime.worker.framing import ProtocolError, read_frame, write_frame

        try:
            write_frame(self._request, {"exercise": exercise_id, "folder": str(folder)})
            reply = read_frame(
                self._reply,
                max_bytes=_MAX_REPLY_BYTES,
                deadline=time.monotonic() + timeout_s,
                alive=lambda: self.process.poll() is None,
            )
        except (OSError, ProtocolError):
            raise _ProcessGone(self.last_words()) from None
        if reply is None:
            return None
        if "failure" in reply:
            return str(reply["failure"])
        try:
            return CheckResult.from_json(reply["result"])
        except (KeyError, ValueError, TypeError):
            raise _ProcessGone("it answered something that is not a result") from None

    def last_words(self) -> str:
        """The last line the process wrote on stderr (a traceback's last line says why)."""
        with contextlib.suppress(OSError, ValueError):
            self._stderr.seek(0)
            lines = self._stderr.read()[-4096:].decode("utf-8", "replace").strip().splitlines()
            return lines[-1] if lines else ""
        return ""

    def stop(self) -> None:
        """End the process (and, through its `finally`, the workers it started)."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(_STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        # Closed only once it is gone: a thread still reading sees it die, not a reused fd.
        for fd in (self._request, self._reply):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._stderr.close()


def _grade_in_parallel(
    todo: list[Submission],
    exercise_id: str,
    workers: int,
    timeout_s: float,
    record: Callable[[Submission, CheckResult], None],
    isolation: str,
) -> None:
    """Grade `todo` on `workers` grading processes; `record` each result in this thread."""
    stopping = threading.Event()
    slots = [_Slot(exercise_id, timeout_s, stopping, isolation) for _ in todo[:workers]]
    idle: queue.Queue[_Slot] = queue.Queue()
    for slot in slots:
        idle.put(slot)

    def grade(submission: Submission) -> CheckResult:
        slot = idle.get()
        try:
            return slot.grade(submission)
        finally:
            idle.put(slot)

    pool = ThreadPoolExecutor(len(slots), thread_name_prefix="course-grade")
    graded = {pool.submit(grade, submission): submission for submission in todo}
    try:
        for future in as_completed(graded):
            record(graded[future], future.result())
    except KeyboardInterrupt:
        raise GradingInterrupted(
            "grading interrupted; every result so far is saved",
            hint="run the same command with --resume to grade the rest",
        ) from None
    finally:
        stopping.set()
        pool.shutdown(wait=False, cancel_futures=True)
        for slot in slots:
            slot.stop()
        pool.shutdown()


@dataclass
class _Slot:
    """One grading process, lent to one submission at a time."""

    exercise_id: str
    timeout_s: float
    stopping: threading.Event
    isolation: str
    process: _GradingProcess | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def grade(self, submission: Submission) -> CheckResult:
        from course_cli.grader.checking import not_run_result

        assert submission.folder is not None
        started = time.perf_counter()
        for attempt in (1, 2):
            try:
                answer = self._process().grade(self.exercise_id, submission.folder, self.timeout_s)
            except _ProcessGone as gone:
                self.stop()
                if attempt == 1 and not self.stopping.is_set():
                    continue  # a fresh process tries once more
                why = f" ({gone})" if str(gone) else ""
                status = CRASHED
                message = "the grading process stopped while grading this submission, twice" + why
                break
            if isinstance(answer, CheckResult):
                return answer
            if answer is None:
                self.stop()
                status = TIMEOUT
                message = f"grading took longer than {self.timeout_s:g} s in all and was stopped"
            else:
                status = ERROR
                bug = "the grader failed on this submission (a bug in course, not your code)"
                message = f"{bug}: {answer}"
            break
        return not_run_result(
            self.exercise_id, status, message, duration_s=time.perf_counter() - started
        )

    def _process(self) -> _GradingProcess:
        with self._lock:
            if self.stopping.is_set():  # no new process once the batch is stopping
                raise _ProcessGone()
            if self.process is None:
                self.process = _GradingProcess(self.isolation)
            return self.process

    def stop(self) -> None:
        """Stop the grading process, if any; the next submission starts a fresh one."""
        with self._lock:
            process, self.process = self.process, None
        if process is not None:
            process.stop()
