"""Checks for 06-crud-handler: the learner's handler deployed in a sandbox exactly as topic 5
deploys the reference (table, function, REST API, permission, stage), then the CRUD sequence
through the gateway, with the table read by the grader. A `handler.mjs` in JavaScript is graded
in place of `handler.py` (`grader.handler_files`); it imports the AWS SDK v3 installed for
course (`runtime.node.sdk`), as on Lambda, where the runtime has it built in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from course_cli.grader.checks._crud import CRUD_CASES, CrudTarget, sandbox_target
from course_cli.grader.handler_files import HANDLER_IN_EITHER_LANGUAGE, graded_handler
from course_cli.grader.runner import SubmissionFailed, SubmissionRunner, SubmittedFunction

EXERCISE = "06-crud-handler"
# handler.mjs (or .js, .cjs) is graded in place of handler.py when it is there.
ACCEPTED_FILES = HANDLER_IN_EITHER_LANGUAGE


@contextmanager
def session(folder: Path, runner: SubmissionRunner) -> Iterator[CrudTarget]:
    from course_cli.sandbox import Sandbox
    from course_cli.sandbox.crud import (
        allow_and_deploy,
        create_products_function,
        create_products_table,
        wire_products_api,
    )

    handler = graded_handler(folder)
    # A worker, or a `node`, reaches moto only through its server on loopback
    # (AWS_ENDPOINT_URL).
    server = runner.separate_process or handler.suffix != ".py"
    with Sandbox(server=server) as sandbox, ThreadPoolExecutor(1) as loader:
        # Loaded up front, with the environment `sandbox_target` gives it (so an isolated
        # runner keeps this worker for the cases): a syntax error is one clear result. A
        # worker loads it (boto3 and all) in its own process while this one deploys.
        environment = {**sandbox.variables(), "TABLE_NAME": "products"}
        function = SubmittedFunction(f"{handler}:handler", environment)
        load = _loading_with_sdk_hint(runner)
        loading = loader.submit(load, function) if runner.separate_process else None
        if loading is None:
            load(function)
        create_products_table(sandbox)
        # Lambda's default 3 s: moto answers in milliseconds, and an endless loop should not
        # hold a class's grading up for the reference deployment's 10 s.
        arn = create_products_function(sandbox, handler_file=handler, timeout_s=3)
        api_id = wire_products_api(sandbox, arn)
        allow_and_deploy(sandbox, api_id, "products")
        if loading is not None:
            loading.result()
        yield sandbox_target(sandbox, api_id, runner)


def _loading_with_sdk_hint(runner: SubmissionRunner) -> Callable[[SubmittedFunction], None]:
    """`runner.load`, whose failure to import the AWS SDK v3 also says how to install it."""
    from course_cli.runtime.node.sdk import missing_sdk_hint

    def load(function: SubmittedFunction) -> None:
        try:
            runner.load(function)
        except SubmissionFailed as failed:
            hint = missing_sdk_hint(failed.message)
            if hint is None:
                raise
            raise SubmissionFailed(failed.status, f"{failed.message}; {hint}") from None

    return load


CASES = CRUD_CASES
