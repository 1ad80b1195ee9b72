"""AWS_PROXY: the Lambda proxy integration - the event in, the proxy response out."""

from __future__ import annotations

import json
from dataclasses import replace
from email.utils import formatdate
from typing import TYPE_CHECKING, Any, Final

from course_cli.gateway.errors import (
    FunctionError,
    IntegrationFailure,
    IntegrationTimeout,
    MalformedProxyResponse,
    Problem,
)
from course_cli.gateway.events import build_proxy_event
from course_cli.gateway.events_v2 import build_http_event
from course_cli.gateway.execution_log import java_map
from course_cli.gateway.http_api import ServiceUnavailable
from course_cli.gateway.integrations.http_api_proxy import read_http_answer
from course_cli.gateway.integrations.lambda_call import call_lambda, error_document
from course_cli.gateway.invoker import Outcome
from course_cli.gateway.proxy_response import build_http_response, read_proxy_result, speaking

if TYPE_CHECKING:
    from course_cli.gateway.context import Invocation
    from course_cli.gateway.definition import ApiDefinition, Integration
    from course_cli.gateway.http import HttpRequest
    from course_cli.gateway.invoker import LambdaInvoker, LambdaResult

_FAILED = (Outcome.ERROR, Outcome.TIMEOUT)

# Lambda's 6 MB response quota is 6,291,556 bytes of JSON; past it Invoke still answers 200
# with Lambda's own error, which API Gateway treats as a function error (502). The document is
# moto's AWS-recorded test_invoke_function_large_response; the log line is inferred.
MAX_RESPONSE_BYTES: Final = 6_291_556
RESPONSE_TOO_LARGE: Final = {
    "errorMessage": (
        f"Response payload size exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes)."
    ),
    "errorType": "Function.ResponseSizeTooLarge",
}


def function_name(integration: Integration) -> str:
    """The Lambda function an integration calls: its name, or the one in its URI."""
    if integration.function_name:
        return integration.function_name
    # `arn:aws:apigateway:...:lambda:path/2015-03-31/functions/<function arn>/invocations`
    arn = integration.uri.split("/functions/", 1)[-1].removesuffix("/invocations")
    return arn.rsplit(":function:", 1)[-1].split(":", 1)[0]


def _endpoint(definition: ApiDefinition, integration: Integration) -> str:
    """Lambda's Invoke URL for the integration's function, as AWS logs it."""
    arn = definition.function_arn(function_name(integration))
    region = definition.region
    return f"https://lambda.{region}.amazonaws.com/2015-03-31/functions/{arn}/invocations"


def _endpoint_headers(
    definition: ApiDefinition, request: HttpRequest, resource_path: str, request_id: str
) -> str:
    """The signed request's headers, as AWS logs them (the signature masked, as AWS does)."""
    source_arn = (
        f"arn:aws:execute-api:{definition.region}:{definition.account_id}:"
        f"{definition.api_id}/{definition.stage}/{request.method}{resource_path}"
    )
    headers = [
        ("x-amzn-lambda-integration-tag", request_id),
        ("Authorization", "*" * 24),
        ("x-amzn-apigateway-api-id", definition.api_id),
        ("X-Amz-Source-Arn", source_arn),
        ("Accept", "application/json"),
        ("User-Agent", f"AmazonAPIGateway_{definition.api_id}"),
    ]
    return java_map(headers)


class AwsProxyIntegration:
    """Sends the v1 proxy event to a Lambda function and reads its proxy response."""

    def integration_request(self, invocation: Invocation) -> None:
        """Build the proxy event and log the endpoint request as AWS does."""
        match = invocation.match
        assert match is not None and invocation.request_context is not None
        integration = match.method.integration
        if integration.http_method != "POST":
            # AWS accepts such an integration but every call fails with 500, gateway response
            # type INTEGRATION_FAILURE (recorded by LocalStack, PR #11183); the log wording is
            # ours.
            raise IntegrationFailure(
                f"AWS_PROXY integrations must call Lambda with POST, not {integration.http_method}",
                "Lambda proxy integrations always invoke the function with POST, whatever the "
                "client's verb: set the integration's HTTP method to POST.",
                response_type="INTEGRATION_FAILURE",
            )
        definition, request, ids = invocation.definition, invocation.request, invocation.ids
        if integration.payload_format == "2.0":  # an HTTP API's event
            now = invocation.started_at
            event = invocation.event = build_http_event(request, definition, match, ids, now=now)
            authorized = invocation.request_context.get("authorizer")
            if authorized is not None:  # after apiId, as in AWS's example event
                context = event["requestContext"]
                event["requestContext"] = {
                    **{k: context[k] for k in ("accountId", "apiId")},
                    "authorizer": authorized,
                    **context,
                }
        else:
            event = invocation.event = build_proxy_event(
                request, definition, match, invocation.request_context, invocation.path, ids
            )
        resource_path = match.resource.path
        invocation.note(
            lambda: f"Endpoint request URI: {_endpoint(definition, integration)}",
            lambda: (
                "Endpoint request headers: "
                + _endpoint_headers(definition, request, resource_path, ids.request_id)
            ),
            lambda: (
                "Endpoint request body after transformations: "
                + json.dumps(event, separators=(",", ":"))
            ),
        )

    def integrate(self, invocation: Invocation, invoker: LambdaInvoker) -> None:
        """Invoke the function; a caller-side timeout becomes AWS's 504."""
        integration = invocation.integration
        definition = invocation.definition
        invocation.note(lambda: f"Sending request to {_endpoint(definition, integration)}")
        try:
            latency_ms = call_lambda(invocation, invoker, integration, function_name(integration))
        except IntegrationTimeout:
            if integration.payload_format != "2.0":
                raise
            raise ServiceUnavailable(integration.integration_timeout_s) from None
        assert invocation.lambda_result is not None
        result = invocation.lambda_result = within_response_limit(invocation.lambda_result)
        now, trace = invocation.log.at, invocation.ids.trace_root
        invocation.note(
            f"Received response. Status: 200, Integration latency: {latency_ms} ms",
            lambda: f"Endpoint response headers: {_lambda_headers(result, now, trace)}",
            lambda: f"Endpoint response body before transformations: {result.payload}",
        )

    def integration_response(self, invocation: Invocation) -> None:
        """Read the function's answer: an error document (502), or a proxy response."""
        result = invocation.lambda_result
        assert result is not None
        if invocation.integration.payload_format == "2.0":
            with speaking(result.language):
                return read_http_answer(invocation, ResponseTooLarge)
        if result.outcome in _FAILED:
            error = result.error if result.error is not None else error_document(result.payload)
            invocation.result = error
            if error.get("errorType") == RESPONSE_TOO_LARGE["errorType"]:
                raise ResponseTooLarge(error, result.request_id, result.value)
            timed_out = result.outcome is Outcome.TIMEOUT
            raise FunctionError(error, result.request_id, timed_out=timed_out)
        try:
            value: Any = json.loads(result.payload)
        except ValueError:
            invocation.result = result.payload
            problem = Problem(
                "(return value)",
                "JSON",
                "text that is not JSON",
                "return a dict; the runtime turns it into JSON",
                "The function's answer is not JSON at all, so it cannot be a proxy response.",
            )
            raise MalformedProxyResponse([problem]) from None
        invocation.result = value
        with speaking(result.language):
            proxy = read_proxy_result(value)
        if proxy.problems:
            raise MalformedProxyResponse(proxy.problems)
        ids = invocation.ids
        invocation.response = build_http_response(
            proxy,
            invocation.request,
            invocation.definition,
            ids.request_id,
            apigw_id=ids.extended_request_id,
            trace_id=ids.response_trace,
        )


def within_response_limit(result: LambdaResult) -> LambdaResult:
    """`result` as Lambda's Invoke hands it to API Gateway: an answer over 6 MB becomes Lambda's
    `Function.ResponseSizeTooLarge` error (the function's own value stays in `value`)."""
    # A character is 1 to 4 bytes of UTF-8: encode only when the length cannot decide.
    if result.outcome is not Outcome.OK or len(result.payload) * 4 <= MAX_RESPONSE_BYTES:
        return result
    if len(result.payload.encode("utf-8", "replace")) <= MAX_RESPONSE_BYTES:
        return result
    return replace(
        result,
        outcome=Outcome.ERROR,
        payload=json.dumps(RESPONSE_TOO_LARGE),
        error=dict(RESPONSE_TOO_LARGE),
    )


class ResponseTooLarge(FunctionError):
    """The function answered, but with more than Lambda returns from a synchronous call."""

    def __init__(self, error: dict[str, Any], lambda_request_id: str, value: Any) -> None:
        super().__init__(error, lambda_request_id, timed_out=False)
        size = _json_size(value)
        answer = (
            f"The function's answer is {size:,} bytes of JSON, more than"
            if size
            else "The function's answer is larger than"
        )
        # FunctionError's explanation would say the function raised; it did not.
        self.explanation = (
            f"{answer} the {MAX_RESPONSE_BYTES:,} bytes Lambda hands back from a "
            "synchronous call (its 6 MB quota), so Lambda reported Function.ResponseSizeTooLarge "
            'instead, and API Gateway answered 502 {"message": "Internal server error"}. Send '
            "less: one page of the results and a way to ask for the next, or put the large "
            "object in S3 and answer with a link to it."
        )
        self.args = (self.explanation,)


def _json_size(value: Any) -> int | None:
    """How many bytes of JSON the runtime made of `value` (None when it cannot be said)."""
    if value is None:  # an invoker that keeps no value; `null` itself is never too large
        return None
    try:
        return len(json.dumps(value).encode("utf-8", "replace"))
    except (TypeError, ValueError):
        return None


def _lambda_headers(result: LambdaResult, now: float, trace_root: str) -> str:
    """The headers Lambda's Invoke API answers with, as AWS logs them."""
    pairs: list[tuple[str, object]] = [
        ("Date", formatdate(now, usegmt=True)),
        ("Content-Type", "application/json"),
        ("Content-Length", len(result.payload.encode("utf-8", "replace"))),
        ("Connection", "keep-alive"),
        ("x-amzn-RequestId", result.request_id),
    ]
    if result.outcome is not Outcome.OK:
        pairs.append(("X-Amz-Function-Error", "Unhandled"))
    pairs += [("x-amzn-Remapped-Content-Length", 0), ("X-Amz-Executed-Version", "$LATEST")]
    pairs.append(("X-Amzn-Trace-Id", f"root={trace_root};sampled=0"))
    return java_map(pairs)


INTEGRATION = AwsProxyIntegration()
