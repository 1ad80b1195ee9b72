"""The exercise grader: `check_exercise` runs an exercise's named cases against the learner's
files through the gateway and the sandbox, exactly as the lesson runs them, and returns a
`CheckResult` (see `result` for its JSON shape)."""

from course_cli.grader.checking import check_exercise, exercise_ids
from course_cli.grader.isolated_runner import default_runner
from course_cli.grader.result import CaseResult, CheckResult
from course_cli.grader.runner import InProcessRunner, SubmissionRunner

__all__ = [
    "CaseResult",
    "CheckResult",
    "InProcessRunner",
    "SubmissionRunner",
    "check_exercise",
    "default_runner",
    "exercise_ids",
]
