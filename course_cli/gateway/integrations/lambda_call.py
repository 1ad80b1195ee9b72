"""Calling a Lambda function from an integration: the step AWS_PROXY and AWS share."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from course_cli.gateway.errors import IntegrationFailure, IntegrationTimeout
from course_cli.gateway.invoker import FunctionNotFound, Outcome

if TYPE_CHECKING:
    from course_cli.gateway.context import Invocation
    from course_cli.gateway.definition import Integration
    from course_cli.gateway.invoker import LambdaInvoker


def call_lambda(
    invocation: Invocation, invoker: LambdaInvoker, integration: Integration, name: str
) -> int:
    """Invoke `name` with `invocation.event`; store the result and return the latency in ms.

    The invoker gives the function its own copy of the event, so `invocation.event` stays as
    sent. A function the invoker does not know becomes AWS's 500 (a configuration error); a
    caller that gave up (`Outcome.NO_ANSWER`) becomes the 29 s integration timeout, 504.
    """
    started = invocation.clock()
    try:
        result = invoker(
            name,
            invocation.event,
            timeout_s=integration.timeout_s,
            wait_s=integration.integration_timeout_s,
        )
    except FunctionNotFound as missing:
        arn = invocation.definition.function_arn(name)
        raise IntegrationFailure(
            f"Function not found: {arn}",
            f"The integration names the Lambda function '{name}', which does not exist"
            + (f" ({missing.detail})" if missing.detail else "")
            + ". API Gateway answers 500 Internal server error for this configuration error. "
            "Create the function, or fix the integration's uri.",
        ) from None
    except Exception as error:  # the runtime promises not to raise; if it does, say so
        raise IntegrationFailure(
            "Lambda invocation failed",
            f"course's Lambda runtime failed before your function could answer "
            f"({type(error).__name__}: {error}). This is not your handler's fault.",
        ) from error
    now = invocation.log.at = invocation.clock()
    latency_ms = max(0, round((now - started) * 1000))
    invocation.timings["integration_ms"] = latency_ms
    invocation.lambda_result = result
    if result.outcome is Outcome.NO_ANSWER:
        raise IntegrationTimeout(integration.integration_timeout_s)
    return latency_ms


def error_document(payload: str) -> dict[str, Any]:
    """A failed invocation's payload as an error document (`errorMessage` when not one)."""
    try:
        document = json.loads(payload)
    except ValueError:
        return {"errorMessage": payload}
    return document if isinstance(document, dict) else {"errorMessage": payload}
