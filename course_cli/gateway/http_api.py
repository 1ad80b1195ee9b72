"""What an HTTP API does differently from a REST API, up to the integration: routing and errors.

An API whose Lambda integrations send payload format 2.0 is an HTTP API here
(`ApiDefinition.http_api`). It is served as its `$default` stage is: no stage in the path. A
request no route matches goes to the `$default` route when the API has one, else it is 404
`{"message":"Not Found"}` - not REST's 403 "Missing Authentication Token". The HTTP API's own
errors are short: 500 `{"message":"Internal Server Error"}` for a function that failed or
answered in a shape it cannot read, 503 `{"message":"Service Unavailable"}` when the function
did not answer within the integration timeout (30 s at most). The sources of each are in
`tests/gateway/cases/http_responses.json`. HTTP APIs have no gateway responses to customise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from course_cli.gateway.errors import (
    FunctionError,
    GatewayError,
    MalformedProxyResponse,
    Problem,
)
from course_cli.gateway.http import Headers, HttpResponse
from course_cli.gateway.routing import DEFAULT_ROUTE, RouteMatch

if TYPE_CHECKING:
    from course_cli.gateway.context import Invocation

# "Maximum integration timeout: 30 seconds" (HTTP API quotas); REST's is 29 s.
INTEGRATION_TIMEOUT_S: Final = 30.0
# The HTTP API's answers for the errors it produces, by status (bodies are compact JSON).
MESSAGES: Final = {404: "Not Found", 500: "Internal Server Error", 503: "Service Unavailable"}
# What a REST API would have answered instead: named in the explanations.
_REST_TAIL: Final = " With a proxy integration every function error reaches the client as 502"


def route_key(match: RouteMatch) -> str:
    """The event's `routeKey`: `GET /items/{id}` (`ANY /{proxy+}`), or `$default`."""
    if match.resource.path == DEFAULT_ROUTE:
        return DEFAULT_ROUTE
    return f"{match.method.http_method} {match.resource.path}"


class RouteNotFound(GatewayError):
    """No route matches the request and the API has no `$default` route."""

    status = 404
    message = "Not Found"
    error_type = "NotFoundException"
    compact_body = True
    reached_method = False
    response_type = "NOT_FOUND"

    def __init__(self, method: str, path: str, routes: Sequence[str]) -> None:
        existing = ", ".join(routes) if routes else "none"
        super().__init__(
            f"No route of this HTTP API matches {method} {path}, and it has no $default route "
            'to catch it, so the client got 404 {"message":"Not Found"}. (A REST API answers '
            'the same miss with 403 {"message":"Missing Authentication Token"}.) Routes this '
            f"API has: {existing}."
        )


class FunctionFailed(FunctionError):
    """The function raised, ran past its own timeout, or Lambda could not return its value."""

    status = 500
    message = "Internal Server Error"
    compact_body = True

    def __init__(self, error: dict[str, Any], lambda_request_id: str, *, timed_out: bool) -> None:
        super().__init__(error, lambda_request_id, timed_out=timed_out)
        what = self.explanation.split(_REST_TAIL, 1)[0]
        self.explanation = (
            f"{what} An HTTP API answers every function error with 500 "
            '{"message":"Internal Server Error"} (a REST API answers 502 {"message": "Internal '
            'server error"}); the details are only in the logs.'
        )
        self.args = (self.explanation,)


class MalformedResponse(MalformedProxyResponse):
    """The function returned a statusCode, but the rest of its answer is not a 2.0 response."""

    status = 500
    message = "Internal Server Error"
    compact_body = True

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(problems)
        details = " ".join(problem.explanation for problem in self.problems)
        self.explanation = (
            "API Gateway answered 500 because the function returned a statusCode, so payload "
            "format 2.0 reads its answer as a response (statusCode, headers, cookies, body, "
            f"isBase64Encoded), and that response is malformed. {details}. (A REST API answers "
            "the same mistake with 502.)"
        )
        self.args = (self.explanation,)
        self.log_lines = [
            "Execution failed due to configuration error: Malformed Lambda response (payload "
            "format 2.0)"
        ]


class ServiceUnavailable(GatewayError):
    """The function did not answer within the HTTP API's integration timeout."""

    status = 503
    message = "Service Unavailable"
    compact_body = True
    response_type = "INTEGRATION_TIMEOUT"

    def __init__(self, waited_s: float) -> None:
        super().__init__(
            f"The function did not answer within {waited_s:g} s, the HTTP API's integration "
            'timeout (30 s at most), so the client got 503 {"message":"Service '
            'Unavailable"} (a REST API answers 504 "Endpoint request timed out" after 29 s). '
            "The function may still be running.",
            ["Execution failed due to a timeout error"],
        )


# The headers of the HTTP API's own errors: apigw-requestid always; Content-Type except on
# the 503, which was recorded without one (cortexlabs/cortex#1225).
_UNTYPED: Final = frozenset({503})


def error_response(invocation: Invocation, error: GatewayError) -> HttpResponse:
    """The HTTP API's answer to `error`: its short message, no `x-amzn-ErrorType`, and no
    customisation (HTTP APIs have no gateway responses)."""
    status = error.status if error.status in MESSAGES or error.status < 500 else 500
    message = MESSAGES.get(status, error.message)
    pairs = [] if status in _UNTYPED else [("Content-Type", "application/json")]
    pairs.append(("apigw-requestid", invocation.ids.extended_request_id))
    body = f'{{"message":"{message}"}}'.encode()
    return HttpResponse(status, Headers(pairs), body)
