"""Checks for 06-crud-handler: the learner's handler deployed in a sandbox exactly as topic 5
deploys the reference (table, function, REST API, permission, stage), then the CRUD sequence
through the gateway, with the table read by the grader."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from course_cli.grader.checks._crud import CRUD_CASES, CrudTarget, sandbox_target
from course_cli.grader.runner import SubmissionRunner, SubmittedFunction

EXERCISE = "06-crud-handler"


@contextmanager
def session(folder: Path, runner: SubmissionRunner) -> Iterator[CrudTarget]:
    from course_cli.sandbox import Sandbox
    from course_cli.sandbox.crud import (
        allow_and_deploy,
        create_products_function,
        create_products_table,
        wire_products_api,
    )

    handler = folder / "handler.py"
    # A worker reaches moto only through its server on loopback (AWS_ENDPOINT_URL).
    with Sandbox(server=runner.separate_process) as sandbox, ThreadPoolExecutor(1) as loader:
        # Loaded up front, with the environment `sandbox_target` gives it (so an isolated
        # runner keeps this worker for the cases): a syntax error is one clear result. A
        # worker loads it (boto3 and all) in its own process while this one deploys.
        environment = {**sandbox.variables(), "TABLE_NAME": "products"}
        function = SubmittedFunction(f"{handler}:handler", environment)
        loading = loader.submit(runner.load, function) if runner.separate_process else None
        if loading is None:
            runner.load(function)
        create_products_table(sandbox)
        # Lambda's default 3 s: moto answers in milliseconds, and an endless loop should not
        # hold a class's grading up for the reference deployment's 10 s.
        arn = create_products_function(sandbox, handler_file=handler, timeout_s=3)
        api_id = wire_products_api(sandbox, arn)
        allow_and_deploy(sandbox, api_id, "products")
        if loading is not None:
            loading.result()
        yield sandbox_target(sandbox, api_id, runner)


CASES = CRUD_CASES
