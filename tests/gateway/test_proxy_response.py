"""What the client gets for what the function returns (spec §3), from `cases/responses.json`."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest

from course_cli.gateway.errors import Problem
from course_cli.gateway.http import HttpRequest
from course_cli.gateway.proxy_response import (
    CHOICES,
    Choices,
    build_http_response,
    read_proxy_result,
    validate_proxy_result,
)

CASE_FILE = "responses"

ERROR_BODIES = {
    403: b'{"message":"Missing Authentication Token"}',
    502: b'{"message": "Internal server error"}',
    504: b'{"message": "Endpoint request timed out"}',
}


def test_response_case(kit: Any, case: dict[str, Any]) -> None:
    api = kit.api(case.get("api"))
    request_spec = {"method": "GET", "path": "/anything", **case.get("request", {})}
    request_spec.setdefault("headers", [])
    request_spec["headers"] = [["Host", "h"], *request_spec["headers"]]
    invocation = kit.run(api, kit.request(request_spec), kit.handler_for(case))
    response = invocation.response
    expect = case["expect"]
    assert response.status == expect["status"]
    if "body" in expect:
        assert response.body == expect["body"].encode()
    if "body_base64" in expect:
        assert response.body == base64.b64decode(expect["body_base64"])
    for name, values in expect.get("headers", {}).items():
        assert response.headers.get_all(name) == values, name
    for name in expect.get("header_names", []):
        assert name in [header for header, _ in response.headers]
    for name in case.get("absent_headers", []):
        assert name not in response.headers, name
    for name, pattern in case.get("matches", {}).items():
        assert re.search(pattern, response.header(name) or ""), name
    if "problems" in expect:
        assert [problem.field for problem in invocation.problems] == expect["problems"]
    if response.status >= 500:
        assert response.body == ERROR_BODIES[response.status]
        assert response.header("x-amzn-ErrorType") == "InternalServerErrorException"
        assert response.header("Content-Type") == "application/json"
        assert response.header("x-amzn-RequestId") == invocation.request_id
        assert invocation.log.explanations


def test_validate_returns_named_problems() -> None:
    problems = validate_proxy_result({"statusCode": 200, "body": {"message": "hi"}})
    assert problems == [
        Problem(
            field="body",
            expected="a string",
            got="dict",
            fix="return json.dumps(...) of the data as the body",
            explanation=problems[0].explanation,
        )
    ]
    assert "{'message': 'hi'}" in problems[0].explanation
    assert problems[0].to_json()["got"] == "dict"
    assert validate_proxy_result({"statusCode": 200, "body": "ok"}) == []


def test_problem_json_shape() -> None:
    (problem,) = validate_proxy_result({"statusCode": "ok"})
    assert set(problem.to_json()) == {"field", "expected", "got", "fix", "explanation"}
    json.dumps(problem.to_json())


def test_unknown_key_suggests_the_right_one() -> None:
    (problem,) = validate_proxy_result({"base64Encoded": True})
    assert "isBase64Encoded" in problem.fix


def test_read_proxy_result_never_raises_on_odd_values() -> None:
    for payload in [0, 1.5, True, "x", [], None, {"headers": "x"}, {"multiValueHeaders": []}]:
        assert read_proxy_result(payload).problems


def test_build_http_response_raises_malformed_for_bad_payloads(kit: Any) -> None:
    from course_cli.gateway.errors import MalformedProxyResponse

    api = kit.api({})
    with pytest.raises(MalformedProxyResponse) as caught:
        build_http_response({"body": 1}, HttpRequest.build(), api, "rid")
    assert [problem.field for problem in caught.value.problems] == ["body"]


def test_build_http_response_derives_ids_when_not_given(kit: Any) -> None:
    api = kit.api({})
    response = build_http_response({"statusCode": 201}, HttpRequest.build(), api, "rid")
    assert response.status == 201
    assert response.header("x-amzn-RequestId") == "rid"
    assert response.header("x-amz-apigw-id")
    assert (response.header("X-Amzn-Trace-Id") or "").startswith("Root=1-")


def test_choices_are_all_documented_decisions() -> None:
    # Every uncertain case of spec §3 is settled in one place: the Choices defaults.
    assert CHOICES == Choices()
    assert {
        "number_header_values",
        "null_header_values",
        "object_header_values",
        "base64_encoded_key",
        "boolean_strings",
        "status_out_of_range",
    } <= set(Choices.__dataclass_fields__)


def test_a_javascript_function_is_told_in_javascript_words() -> None:
    from course_cli.gateway.proxy_response import read_proxy_result, speaking

    with speaking("javascript"):
        (nothing,) = read_proxy_result(None).problems
        (headers,) = read_proxy_result({"statusCode": 200, "headers": ["a"]}).problems
    assert "returned undefined (or null)" in nothing.explanation
    assert "JSON.stringify(data)" in nothing.fix
    assert headers.got == "array" and headers.expected == "an object of header names to values"
    assert 'it is array ["a"]' in headers.explanation
    # Outside, and by default, Python's words.
    (python,) = read_proxy_result({"statusCode": 200, "headers": ["a"]}).problems
    assert python.got == "list" and "a dict of header names" in python.expected
