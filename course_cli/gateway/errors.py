"""Everything that can go wrong between an HTTP request and its response, as API Gateway says it.

```
GatewayError                      the request failed; the client gets AWS's error response
├── MissingRoute                  403 {"message":"Missing Authentication Token"}: no such
│                                 resource, or the resource lacks that method
│                                 (MISSING_AUTHENTICATION_TOKEN)
├── Unauthorized                  401 {"message":"Unauthorized"}: no identity for the Lambda
│                                 authorizer, or it refused the token (UNAUTHORIZED)
├── AccessDenied                  403 {"Message":"User is not authorized ..."}: the
│                                 authorizer's policy denies the method (ACCESS_DENIED)
├── AuthorizerConfigurationError  500 {"message":null}: the authorizer failed or answered
│                                 something unusable (AUTHORIZER_CONFIGURATION_ERROR)
├── InvalidApiKey                 403 {"message":"Forbidden"}: the method requires an API key
│                                 and x-api-key holds none of the API's (INVALID_API_KEY)
├── UnsupportedMediaType          415 (hook for content handling and custom integrations)
│                                 (UNSUPPORTED_MEDIA_TYPE)
├── IntegrationFailure            500 "Internal server error": the integration is set up wrong
│                                 (or the runtime behind it crashed) (API_CONFIGURATION_ERROR,
│                                 or INTEGRATION_FAILURE where its raise site says)
├── MalformedProxyResponse        502 "Internal server error": the function's return value is
│                                 not a valid proxy response (carries the named problems,
│                                 each a `Problem`) (DEFAULT_5XX, unverified)
├── FunctionError                 502 "Internal server error": unhandled exception,
│                                 Runtime.MarshalError, or the function's own timeout
│                                 (INTEGRATION_FAILURE)
└── IntegrationTimeout            504 "Endpoint request timed out": no answer within the
                                  integration timeout (29 s unless configured)
                                  (INTEGRATION_TIMEOUT)

course_cli.errors.UsageError
└── ApiDefinitionError            an API definition (route table) AWS would refuse; exit 2
```

A `GatewayError` is not a bug and never escapes the pipeline: it knows its status, body and
`x-amzn-ErrorType`, the lines AWS writes to the execution log, a plain-words explanation for
the learner, and its gateway response type (in parentheses above), and the pipeline turns it into
the response, customised as the API's gateway responses say (`gateway_responses.py`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

from course_cli.errors import UsageError
from course_cli.gateway.http import Headers, HttpResponse
from course_cli.gateway.invoker import LambdaResult


class ApiDefinitionError(UsageError):
    """An API definition that AWS (or our route-table format) does not accept."""


class GatewayError(Exception):
    """A failed request, answered the way API Gateway answers it."""

    status: ClassVar[int] = 500
    message: ClassVar[str] = "Internal server error"
    error_type: ClassVar[str] = "InternalServerErrorException"
    # Recorded on AWS: gateway responses write `{"message":"..."}`; Lambda errors add a space.
    compact_body: ClassVar[bool] = False
    # False when the request never reached a method, so AWS logs no "Method completed" line.
    reached_method: ClassVar[bool] = True
    # The gateway response type (`gateway_responses.py`); the base class, course's own failure,
    # is answered as AWS's generic 5XX.
    response_type: str = "DEFAULT_5XX"

    def __init__(self, explanation: str, log_lines: Sequence[str] = ()) -> None:
        super().__init__(explanation)
        self.explanation = explanation
        self.log_lines = list(log_lines)

    @property
    def body(self) -> bytes:
        """The response body AWS sends for this error."""
        separator = ":" if self.compact_body else ": "
        return f'{{"message"{separator}"{self.message}"}}'.encode()

    def to_response(self, request_id: str, apigw_id: str, trace_id: str) -> HttpResponse:
        """The client's response, headers in the order a recorded AWS 502/504 sends them."""
        headers = Headers(
            [
                ("Content-Type", "application/json"),
                ("X-Amzn-Trace-Id", trace_id),
                ("x-amzn-RequestId", request_id),
                ("x-amzn-ErrorType", self.error_type),
                ("x-amz-apigw-id", apigw_id),
            ]
        )
        return HttpResponse(self.status, headers, self.body)


class MissingRoute(GatewayError):
    """No resource matches the path, or the matching resource has no method for the verb."""

    status = 403
    message = "Missing Authentication Token"
    error_type = "MissingAuthenticationTokenException"
    compact_body = True
    reached_method = False
    response_type = "MISSING_AUTHENTICATION_TOKEN"

    def __init__(
        self,
        method: str,
        path: str,
        *,
        resource_path: str | None,
        allowed: Sequence[str] = (),
        routes: Sequence[str] = (),
    ) -> None:
        if resource_path is None:
            what = f"No resource of this API matches the path {path}."
        elif allowed:
            what = (
                f"The path {path} matches the resource {resource_path}, but that resource has "
                f"no {method} method (it has {', '.join(allowed)})."
            )
        else:
            what = (
                f"The path {path} matches the resource {resource_path}, but that resource has "
                "no methods at all."
            )
        existing = ", ".join(routes) if routes else "none"
        super().__init__(
            f"{what} API Gateway answers a missing route with 403 "
            '{"message":"Missing Authentication Token"} - not 404 - although nothing is wrong '
            f"with authentication. Routes this API has: {existing}."
        )


class UnsupportedMediaType(GatewayError):
    """The request's Content-Type has no template and passthrough is NEVER (custom integrations)."""

    status = 415
    message = "Unsupported Media Type"
    error_type = "UnsupportedMediaTypeException"
    compact_body = True
    response_type = "UNSUPPORTED_MEDIA_TYPE"


class IntegrationFailure(GatewayError):
    """The integration cannot run as configured; AWS answers 500 and logs the reason.
    API_CONFIGURATION_ERROR unless the raise site says INTEGRATION_FAILURE (AWS's type table)."""

    def __init__(
        self, reason: str, explanation: str, *, response_type: str = "API_CONFIGURATION_ERROR"
    ) -> None:
        super().__init__(explanation, [f"Execution failed due to configuration error: {reason}"])
        self.response_type = response_type


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a proxy response is malformed, in terms a learner can act on."""

    field: str
    expected: str
    got: str
    fix: str
    explanation: str

    def to_json(self) -> dict[str, str]:
        """The problem as the `course invoke --json` document shows it."""
        return asdict(self)


class MalformedProxyResponse(GatewayError):
    """The function returned something API Gateway cannot turn into an HTTP response."""

    status = 502
    # Unverified: AWS documents no type for it; LocalStack raises it as a plain 5XX.
    response_type = "DEFAULT_5XX"

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        details = " ".join(problem.explanation for problem in self.problems)
        super().__init__(
            "API Gateway answered 502 because the function's return value is not a valid "
            f"proxy response. {details}",
            ["Execution failed due to configuration error: Malformed Lambda proxy response"],
        )


class FunctionError(GatewayError):
    """The function failed: an unhandled exception, an unserialisable value, or its timeout."""

    status = 502
    # Recorded in AWS access logs: "Lambda Customer Function Error" is INTEGRATION_FAILURE, 502.
    response_type = "INTEGRATION_FAILURE"

    def __init__(self, error: dict[str, Any], lambda_request_id: str, *, timed_out: bool) -> None:
        message = str(error.get("errorMessage", ""))
        kind = str(error.get("errorType", ""))
        if timed_out:
            what = (
                "The function ran longer than its own timeout and Lambda stopped it "
                f"({message}). Make it faster, or raise the function's timeout."
            )
        elif kind == "Runtime.MarshalError":
            culprit = unserialisable_type(message)
            what = (
                "The function returned a value the Lambda runtime cannot turn into JSON "
                f"({message})"
                + (
                    f": a {culprit} somewhere in the returned dict (a header value, the status, "
                    f"a body that is not a string yet). {json_advice(culprit)}"
                    if culprit
                    else ". Return only str, int, float, bool, None, list and dict values."
                )
            )
        elif kind == "Runtime.ExitError":
            reason = message.partition(" Error: ")[2] or message
            what = (
                f"The function ended the process it ran in ({reason}), so it never answered: "
                "Lambda reports Runtime.ExitError and starts a fresh execution environment for "
                "the next request. A handler must return, never call sys.exit() or os._exit(); "
                "a signal such as a segmentation fault comes from C code (ctypes, an "
                "extension module) given a bad pointer."
            )
        elif kind in _NO_AWS_ERRORS:
            what = (
                f"The function calls AWS, and found none ({kind}: {message}): `course invoke` "
                "and `course serve HANDLER` run it with no region and no credentials, so it "
                "never reaches a real account. Run it against the offline sandbox, which has "
                "the products table: course serve HANDLER --sandbox."
            )
        elif kind == "TypeError" and (culprit := unserialisable_type(message)):
            what = (
                f"The function's own json.dumps met a {culprit}, which it cannot write "
                f"({message}). {json_advice(culprit)}"
            )
        else:
            what = (
                f"The function raised {kind or 'an exception'}: {message}. Catch errors in the "
                'handler and return {"statusCode": 500, "body": ...} to choose what the '
                "client sees."
            )
        super().__init__(
            f"{what} With a proxy integration every function error reaches the client as 502 "
            '{"message": "Internal server error"}; the details are only in the logs.',
            [
                "Lambda execution failed with status 200 due to customer function error: "
                f"{message}. Lambda request id: {lambda_request_id}"
            ],
        )


# botocore's errors for a process with no AWS set-up (no region, no credentials).
_NO_AWS_ERRORS = frozenset({"NoRegionError", "NoCredentialsError", "PartialCredentialsError"})
_UNSERIALISABLE = re.compile(r"Object of type (\w+) is not JSON serializable")

# What to do with a value JSON cannot hold, by its type's name.
_JSON_ADVICE = {
    "Decimal": (
        "DynamoDB hands out every number as a Decimal: give json.dumps a default= function "
        "that turns a Decimal into int or float (json.dumps(data, default=float) is the shortest)."
    ),
    "datetime": "Turn it into text first, e.g. value.isoformat().",
    "date": "Turn it into text first, e.g. value.isoformat().",
    "time": "Turn it into text first, e.g. value.isoformat().",
    "set": "Turn it into a list first: list(value) (or sorted(value)).",
    "frozenset": "Turn it into a list first: list(value) (or sorted(value)).",
    "bytes": "Decode it to text first: value.decode().",
    "coroutine": (
        "An async def handler returns a coroutine, which Lambda's Python runtime does not "
        "await: write the handler as a plain def."
    ),
}


def unserialisable_type(message: str) -> str | None:
    """The type named by Python's "Object of type X is not JSON serializable", or None."""
    found = _UNSERIALISABLE.search(message)
    return found[1] if found else None


def json_advice(type_name: str) -> str:
    """How to make a value of `type_name` fit in JSON."""
    return _JSON_ADVICE.get(
        type_name, f"Turn the {type_name} into a str, int, float, bool, list or dict first."
    )


class IntegrationTimeout(GatewayError):
    """No answer from the integration before API Gateway stopped waiting."""

    status = 504
    message = "Endpoint request timed out"
    response_type = "INTEGRATION_TIMEOUT"

    def __init__(self, waited_s: float) -> None:
        super().__init__(
            f"The function did not answer within {waited_s:g} s, API Gateway's integration "
            "timeout (29 s by default), so the client got 504 "
            '{"message": "Endpoint request timed out"}. The function may still be running.',
            ["Execution failed due to a timeout error"],
        )


class Unauthorized(GatewayError):
    """401: no identity, or the authorizer said "Unauthorized"."""

    status = 401
    message = "Unauthorized"
    error_type = "UnauthorizedException"
    compact_body = True
    reached_method = False
    response_type = "UNAUTHORIZED"


EXPLICIT_DENY = "User is not authorized to access this resource with an explicit deny"


class AccessDenied(GatewayError):
    """403: the policy denies this method, explicitly or by allowing something else."""

    status = 403
    message = "User is not authorized to access this resource"
    error_type = "AccessDeniedException"
    compact_body = True
    reached_method = False
    response_type = "ACCESS_DENIED"

    def __init__(self, explanation: str, log_lines: list[str], *, explicit: bool) -> None:
        super().__init__(explanation, log_lines)
        if explicit:
            self.message = EXPLICIT_DENY  # type: ignore[misc]

    @property
    def body(self) -> bytes:
        """`{"Message":...}`: capital M, as recorded (unlike every other gateway error)."""
        return json.dumps({"Message": self.message}, separators=(",", ":")).encode()


class AuthorizerConfigurationError(GatewayError):
    """500 with `{"message":null}`: the authorizer failed or answered something unusable."""

    message: ClassVar[str | None] = None  # type: ignore[assignment]
    error_type = "AuthorizerConfigurationException"
    reached_method = False
    response_type = "AUTHORIZER_CONFIGURATION_ERROR"

    def __init__(self, reason: str, explanation: str, result: LambdaResult | None = None) -> None:
        super().__init__(
            explanation,
            [f"Execution failed due to configuration error: {reason}", self.error_type],
        )
        # What the authorizer function did, when it ran: the grader tells a timeout or a
        # crash of a learner's authorizer from a wrong answer by it.
        self.lambda_result = result

    @property
    def body(self) -> bytes:
        return b'{"message":null}'


class InvalidApiKey(GatewayError):
    """403 `{"message":"Forbidden"}`: the method requires an API key and the request's
    `x-api-key` is missing or not one of the API's keys (`api_keys.py`)."""

    status = 403
    message = "Forbidden"
    error_type = "ForbiddenException"
    compact_body = True
    reached_method = False
    response_type = "INVALID_API_KEY"
