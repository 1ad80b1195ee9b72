"""AWS: the custom (non-proxy) Lambda integration - the function never sees HTTP.

The request template's output is the payload, the return value the response body. A
function error's `errorMessage` selects the integration response; when none matches the default
answers, usually 200 with the error as the body: the classic trap, reproduced and explained.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from course_cli.gateway.errors import IntegrationFailure
from course_cli.gateway.integrations.aws_proxy import function_name
from course_cli.gateway.integrations.custom import (
    build_response,
    integration_request_body,
    select_response,
)
from course_cli.gateway.integrations.lambda_call import call_lambda
from course_cli.gateway.invoker import Outcome

if TYPE_CHECKING:
    from course_cli.gateway.context import Invocation
    from course_cli.gateway.invoker import LambdaInvoker


class AwsIntegration:
    """Lambda behind a request template and integration responses."""

    def integration_request(self, invocation: Invocation) -> None:
        """Render the request template; the payload must be JSON for Lambda's Invoke API."""
        text = integration_request_body(invocation) or "{}"
        try:
            invocation.event = json.loads(text)
        except ValueError as error:
            invocation.event = text
            raise IntegrationFailure(
                "Unable to transform request",
                f"The request template printed text that is not JSON ({error}), and Lambda "
                "accepts only a JSON payload. Check commas and quotes with `course vtl`.",
            ) from None
        invocation.note(f"Endpoint request body after transformations: {text}")

    def integrate(self, invocation: Invocation, invoker: LambdaInvoker) -> None:
        """Invoke the function with the payload."""
        integration = invocation.integration
        name = function_name(integration)
        invocation.note(f"Sending request to Lambda function {name}")
        latency = call_lambda(invocation, invoker, integration, name)
        result = invocation.lambda_result
        assert result is not None
        invocation.note(
            f"Received response. Status: 200, Integration latency: {latency} ms",
            f"Endpoint response body before transformations: {result.payload}",
        )

    def integration_response(self, invocation: Invocation) -> None:
        """Select by errorMessage (errors) or take the default (success); render."""
        result = invocation.lambda_result
        assert result is not None
        message: str | None = None
        if result.outcome is not Outcome.OK:
            error: dict[str, Any] = result.error or {"errorMessage": result.payload}
            invocation.result = error
            message = str(error.get("errorMessage", ""))
            invocation.note(
                "Lambda execution failed with status 200 due to customer function error: "
                f"{message}. Lambda request id: {result.request_id}"
            )
        else:
            invocation.result = json.loads(result.payload) if result.payload else None
        selected = select_response(invocation, message, 200)
        invocation.response = build_response(invocation, selected, result.payload)
        if message is not None and not selected.get("selectionPattern"):
            invocation.log.explain(
                f"The function failed ({message}), but no integration response's "
                "selectionPattern matched its errorMessage, so the default integration "
                f"response answered {invocation.response.status} with the error as the body. "
                "Add an integration response whose selectionPattern matches the message "
                "(a Java regex over the whole message, e.g. 'Not found.*')."
            )


INTEGRATION = AwsIntegration()
