"""Gateway errors: AWS's status, body, headers and log lines, and the learner's explanation."""

from __future__ import annotations

from course_cli.gateway.errors import (
    FunctionError,
    GatewayError,
    IntegrationFailure,
    IntegrationTimeout,
    MalformedProxyResponse,
    MissingRoute,
    UnsupportedMediaType,
)
from course_cli.gateway.proxy_response import validate_proxy_result


def test_missing_route_without_resource() -> None:
    error = MissingRoute("GET", "/prodcts", resource_path=None, routes=["GET /products"])
    assert error.status == 403
    assert error.body == b'{"message":"Missing Authentication Token"}'
    assert error.error_type == "MissingAuthenticationTokenException"
    assert error.log_lines == [] and not error.reached_method
    assert "No resource of this API matches the path /prodcts" in error.explanation
    assert "not 404" in error.explanation and "GET /products" in error.explanation


def test_missing_route_without_method() -> None:
    error = MissingRoute(
        "POST", "/products", resource_path="/products", allowed=["GET"], routes=["GET /products"]
    )
    assert "matches the resource /products" in error.explanation
    assert "no POST method (it has GET)" in error.explanation
    bare = MissingRoute("GET", "/products", resource_path="/products")
    assert (
        "no methods at all" in bare.explanation and "Routes this API has: none" in bare.explanation
    )


def test_malformed_proxy_response() -> None:
    problems = validate_proxy_result({"statusCode": 200, "body": {"a": 1}})
    error = MalformedProxyResponse(problems)
    assert error.status == 502
    assert error.body == b'{"message": "Internal server error"}'
    assert error.error_type == "InternalServerErrorException"
    assert error.log_lines == [
        "Execution failed due to configuration error: Malformed Lambda proxy response"
    ]
    assert error.problems == problems
    assert "`body` must be a string" in error.explanation


def test_function_errors_explain_each_kind() -> None:
    raised = FunctionError(
        {"errorMessage": "boom", "errorType": "KeyError"}, "lambda-1", timed_out=False
    )
    assert raised.status == 502
    assert raised.log_lines == [
        "Lambda execution failed with status 200 due to customer function error: boom. "
        "Lambda request id: lambda-1"
    ]
    assert "raised KeyError: boom" in raised.explanation
    marshal = FunctionError(
        {"errorMessage": "Unable to marshal response", "errorType": "Runtime.MarshalError"},
        "l",
        timed_out=False,
    )
    assert "only str, int, float" in marshal.explanation
    # The runtime writes a Decimal itself: a MarshalError names the type it could not write.
    dated = FunctionError(
        {
            "errorMessage": "Unable to marshal response: Object of type datetime is not JSON "
            "serializable",
            "errorType": "Runtime.MarshalError",
        },
        "l",
        timed_out=False,
    )
    assert "a datetime" in dated.explanation and ".isoformat()" in dated.explanation
    assert "Decimal" not in dated.explanation
    # The handler's own json.dumps does not know Decimal: the fix is its default=.
    dumped = FunctionError(
        {
            "errorMessage": "Object of type Decimal is not JSON serializable",
            "errorType": "TypeError",
        },
        "l",
        timed_out=False,
    )
    assert "own json.dumps met a Decimal" in dumped.explanation
    assert "default=" in dumped.explanation and "Catch errors" not in dumped.explanation
    timeout = FunctionError({"errorMessage": "Task timed out"}, "l", timed_out=True)
    assert "own timeout" in timeout.explanation


def test_integration_timeout_and_failure() -> None:
    timeout = IntegrationTimeout(29.0)
    assert timeout.status == 504
    assert timeout.body == b'{"message": "Endpoint request timed out"}'
    assert timeout.log_lines == ["Execution failed due to a timeout error"]
    assert "29 s" in timeout.explanation
    failure = IntegrationFailure("Unsupported integration type MOCK", "course cannot run it")
    assert failure.status == 500
    assert failure.body == b'{"message": "Internal server error"}'
    assert failure.log_lines == [
        "Execution failed due to configuration error: Unsupported integration type MOCK"
    ]


def test_hook_for_later_errors() -> None:
    error = UnsupportedMediaType("no template for text/csv")
    assert (error.status, error.body) == (415, b'{"message":"Unsupported Media Type"}')
    assert isinstance(error, GatewayError)


def test_to_response_headers_in_aws_order() -> None:
    response = IntegrationTimeout(29).to_response("rid", "apigw=", "Root=1-a-b")
    assert response.status == 504
    assert list(response.headers) == [
        ("Content-Type", "application/json"),
        ("X-Amzn-Trace-Id", "Root=1-a-b"),
        ("x-amzn-RequestId", "rid"),
        ("x-amzn-ErrorType", "InternalServerErrorException"),
        ("x-amz-apigw-id", "apigw="),
    ]
