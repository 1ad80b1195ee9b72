"""Every failure a user is meant to see, in one family.

```
CourseError                      message + optional hint; exit code 1 unless said otherwise
├── UsageError                   exit 2: the command was asked for something that does not exist
│   ├── UnknownLessonError       "no lesson 'lesson-9'; available: lesson-3"
│   ├── UnknownStepError         "no step '9.1' in lesson-3"
│   ├── UnknownExerciseError     "no exercise '99-x'"
│   ├── BadOptionError           a malformed option value (e.g. --header without a colon)
│   ├── HandlerError             a learner's handler file cannot be loaded
│   │   └── runtime.handler_loader.HandlerLoadError   with the learner's line
│   ├── gateway.errors.ApiDefinitionError   an API definition AWS would refuse
│   ├── gateway.vtl.render.TemplateError    a mapping template that cannot render
│   ├── sam.template.TemplateError          a SAM template that cannot be served
│   ├── runtime.node.binary.NodeUnavailableError   no node 18+ on PATH
│   ├── sandbox.moto_server.SandboxPortInUseError   the sandbox's port is taken
│   ├── gateway.connections.PortInUseError / ServerAddressError   course serve cannot listen
│   ├── grader.classroom.submissions.SubmissionsError   SUBMISSIONS cannot be read
│   ├── grader.classroom.boundary.IsolationRefused   no wall for untrusted code
│   └── grader.classroom.scaffold.ScaffoldError   a file in the way of a classroom scaffold
├── ContentError                 the shipped lesson data is broken (a bug in the package)
├── WorkspaceError               a workspace cannot be created or found
├── sandbox.SandboxError         "no DynamoDB table 'x' in the sandbox"; no sandbox running
├── runtime.worker.process.WorkerStartError   the isolated worker cannot start
├── runtime.worker.folder.SubmissionTooLarge  a submission past the copy limit
├── grader.classroom.batch.GradingInterrupted   Ctrl-C while grading (exit 130)
└── jupyter.JupyterMissingError  `course notebook` without Jupyter installed
```

Library code raises these and never calls `sys.exit`; the CLI catches them at one boundary
(`course_cli.cli.main`), prints one styled line plus the hint, and exits with `exit_code`.
"""

from __future__ import annotations


class CourseError(Exception):
    """A failure with a learner-facing message and, where useful, a hint on what to do next."""

    exit_code: int = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(CourseError):
    """The user asked for something that does not exist, or gave a malformed value."""

    exit_code = 2


class UnknownLessonError(UsageError):
    """No lesson with that id."""


class UnknownStepError(UsageError):
    """No step with that id in the lesson."""


class UnknownExerciseError(UsageError):
    """No exercise with that id."""


class BadOptionError(UsageError):
    """An option's value is malformed."""


class ContentError(CourseError):
    """The lesson data shipped with the package is invalid."""


class WorkspaceError(CourseError):
    """A learner workspace cannot be created or used."""


class HandlerError(UsageError):
    """A learner's handler file is missing, does not compile, or lacks the function."""
