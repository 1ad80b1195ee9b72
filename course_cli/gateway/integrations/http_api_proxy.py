"""AWS_PROXY with payload format 2.0: reading the function's answer as an HTTP API does.

The 1.0 path (`aws_proxy.py`) branches here for the integration response; the event is built
by `events_v2.py`, the response rules are `proxy_response_v2.py`'s, the errors `http_api.py`'s.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from course_cli.gateway.errors import Problem
from course_cli.gateway.http_api import FunctionFailed, MalformedResponse
from course_cli.gateway.integrations.lambda_call import error_document
from course_cli.gateway.invoker import Outcome
from course_cli.gateway.proxy_response_v2 import (
    base64_problem,
    build_http_api_response,
    read_http_result,
)

if TYPE_CHECKING:
    from course_cli.gateway.context import Invocation

# The explanation of a function error as AWS_PROXY 1.0 words it, and as 2.0 does.
_REST_502 = '502 {"message": "Internal server error"}'
_HTTP_500 = '500 {"message":"Internal Server Error"}'


def read_http_answer(invocation: Invocation, too_large: type[Exception] | None = None) -> None:
    """The integration response for payload format 2.0: an error document is 500; a value
    without statusCode becomes an inferred 200; a response that cannot be read is 500."""
    result = invocation.lambda_result
    assert result is not None
    if result.outcome in (Outcome.ERROR, Outcome.TIMEOUT):
        error = result.error if result.error is not None else error_document(result.payload)
        invocation.result = error
        failure = FunctionFailed(
            error, result.request_id, timed_out=result.outcome is Outcome.TIMEOUT
        )
        if too_large is not None and error.get("errorType") == "Function.ResponseSizeTooLarge":
            explained = too_large(error, result.request_id, result.value)
            failure.explanation = str(explained).replace(_REST_502, _HTTP_500)
            failure.args = (failure.explanation,)
        raise failure
    try:
        value: Any = json.loads(result.payload)
    except ValueError:
        invocation.result = result.payload
        problem = Problem(
            "(return value)",
            "JSON",
            "text that is not JSON",
            "return a dict or a string; the runtime turns it into JSON",
            "The function's answer is not JSON at all, so API Gateway cannot read it.",
        )
        raise MalformedResponse([problem]) from None
    invocation.result = value
    answer = read_http_result(value, result.payload)
    if answer.problems:
        raise MalformedResponse(answer.problems)
    try:
        response = build_http_api_response(answer, invocation.ids.extended_request_id)
    except ValueError:
        raise MalformedResponse([base64_problem(answer.body)]) from None
    invocation.response = response
    if answer.inferred:
        invocation.log.explain(_inferred(value))
    elif answer.ignored:
        names = ", ".join(answer.ignored)
        invocation.log.explain(
            f"Payload format 2.0 reads statusCode, headers, cookies, body and isBase64Encoded; "
            f"it ignored {names}. (1.0 would have answered 502 for a key it does not know; "
            "2.0 has no multiValueHeaders: send repeated Set-Cookie headers as cookies.)"
        )


def _inferred(value: Any) -> str:
    """Why a return value without statusCode became a 200, and what 1.0 would have done."""
    if isinstance(value, str):
        what = "the string itself as the body"
    else:
        what = "the returned value, as JSON, as the body"
    text = (
        "The function returned no statusCode, so API Gateway (payload format 2.0) inferred "
        f"the response: status 200, content-type application/json, and {what}. A REST API "
        "(payload 1.0) answers 502 for the same return value."
    )
    if isinstance(value, dict) and value.keys() & {"body", "headers", "cookies"}:
        text += (
            " Your body/headers keys were not read as a response but sent to the client as "
            "JSON: add a statusCode to have them read."
        )
    return text
