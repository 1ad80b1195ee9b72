"""What an HTTP API's client gets for what the function returns (payload format 2.0), from
`cases/http_responses.json`."""

from __future__ import annotations

import base64
from typing import Any

from course_cli.gateway.http_api import FunctionFailed, MalformedResponse, ServiceUnavailable
from course_cli.gateway.proxy_response_v2 import CHOICES_V2, ChoicesV2, read_http_result
from tests.gateway.test_events_v2 import http_api

CASE_FILE = "http_responses"


def test_http_response_case(kit: Any, case: dict[str, Any]) -> None:
    api = http_api(case)
    request = kit.request({"method": "GET", "path": "/anything", **case.get("request", {})})
    invocation = kit.run(api, request, kit.handler_for(case))
    response = invocation.response
    expect = case["expect"]
    assert response.status == expect["status"], invocation.log.explanations
    if "body" in expect:
        assert response.body == expect["body"].encode()
    if "body_base64" in expect:
        assert response.body == base64.b64decode(expect["body_base64"])
    for name, values in expect.get("headers", {}).items():
        assert response.headers.get_all(name) == values, name
    for name in expect.get("header_names", []):
        assert name in response.headers, name
    for name in case.get("absent_headers", []):
        assert name not in response.headers, name
    if "problems" in expect:
        assert [problem.field for problem in invocation.problems] == expect["problems"]
    assert response.header("apigw-requestid") == invocation.ids.extended_request_id
    if response.status >= 500:  # the HTTP API's own answer, explained with what 1.0 does
        assert isinstance(invocation.error, FunctionFailed | MalformedResponse | ServiceUnavailable)
        assert "REST API" in invocation.log.explanations[-1]


def test_inferred_response_explains_the_trap(kit: Any) -> None:
    invocation = kit.run(http_api({}), kit.request({}), kit.returning({"body": "x"}))
    assert invocation.response.status == 200
    (why,) = invocation.log.explanations
    assert "no statusCode" in why and "502" in why and "add a statusCode" in why


def test_read_http_result_never_raises_on_odd_values() -> None:
    for value in [{"statusCode": 200, "headers": "x"}, {"statusCode": 200, "cookies": "a=1"}]:
        assert read_http_result(value, "{}").problems
    for value in [None, [], 1.5, True, "x", {}]:
        result = read_http_result(value, "null")
        assert result.inferred and not result.problems


def test_choices_v2_are_the_documented_defaults() -> None:
    assert CHOICES_V2 == ChoicesV2()
