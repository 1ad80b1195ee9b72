"""The `context` object: the attributes AWS gives it and a remaining time that counts down."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable

from course_cli.gateway.invoker import Outcome
from course_cli.runtime import InProcessRuntime, LambdaContext

CONTEXT_HANDLER = """
import time

def handler(event, context):
    first = context.get_remaining_time_in_millis()
    time.sleep(0.05)
    return {
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "aws_request_id": context.aws_request_id,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "identity": [context.identity.cognito_identity_id,
                     context.identity.cognito_identity_pool_id],
        "client_context": context.client_context,
        "remaining": [first, context.get_remaining_time_in_millis()],
    }
"""


def test_context_attributes_are_lambdas(runtime_for: Callable[[str], InProcessRuntime]) -> None:
    runtime = runtime_for(CONTEXT_HANDLER)
    started = time.monotonic()
    result = runtime("fn", {}, timeout_s=3)
    took_ms = (time.monotonic() - started) * 1000
    assert result.outcome is Outcome.OK
    seen = json.loads(result.payload)
    assert seen["function_name"] == "fn"
    assert seen["function_version"] == "$LATEST"
    assert seen["invoked_function_arn"] == "arn:aws:lambda:us-east-1:123456789012:function:fn"
    # A string on AWS too: the runtime reads it from an environment variable.
    assert seen["memory_limit_in_mb"] == "128"
    assert seen["aws_request_id"] == result.request_id
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
        seen["aws_request_id"],
    )
    assert seen["log_group_name"] == "/aws/lambda/fn"
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}", seen["log_stream_name"])
    assert seen["identity"] == [None, None]
    assert seen["client_context"] is None
    first, second = seen["remaining"]
    # Counted down from the timeout: less the time the whole call took at most (bounds that a
    # garbage collection during the call, or a slow loading of the module, cannot break).
    assert 3000 - took_ms <= first <= 3000
    assert 40 <= first - second <= took_ms


def test_request_ids_are_fresh(runtime_for: Callable[[str], InProcessRuntime]) -> None:
    runtime = runtime_for("def handler(event, context):\n    return context.aws_request_id\n")
    ids = {json.loads(runtime("fn", {}).payload) for _ in range(20)}
    assert len(ids) == 20


def test_remaining_time_never_goes_negative() -> None:
    context = LambdaContext(
        function_name="f", aws_request_id="r", log_stream_name="s", timeout_s=0.01
    )
    time.sleep(0.02)
    assert context.get_remaining_time_in_millis() == 0
