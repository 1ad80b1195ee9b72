"""One request through all the stages: handle_request, prepare_event, the --json document."""

from __future__ import annotations

import json
from typing import Any

from course_cli.gateway.http import HttpRequest
from course_cli.gateway.invoker import Outcome
from course_cli.gateway.pipeline import (
    handle_request,
    invocation_to_json,
    prepare_event,
    response_to_json,
)


def echo(event: Any, context: Any) -> Any:
    return {"statusCode": 200, "body": json.dumps({"path": event["path"]})}


def test_successful_request_fills_the_invocation(kit: Any) -> None:
    api = kit.api({"resource": "/users/{userId}", "methods": ["GET"]})
    invocation = kit.run(api, kit.request({"path": "/prod/users/9"}), echo)
    assert invocation.response.status == 200
    assert invocation.response.body == b'{"path": "/users/9"}'
    assert invocation.event is not None and invocation.event["pathParameters"] == {"userId": "9"}
    assert invocation.lambda_result is not None
    assert invocation.lambda_result.outcome is Outcome.OK
    assert invocation.result == {"statusCode": 200, "body": '{"path": "/users/9"}'}
    assert invocation.error is None and invocation.problems == []
    assert invocation.log.explanations == []
    assert invocation.timings == {"integration_ms": 0, "total_ms": 0.0}


def test_the_invoker_gets_function_timeouts(kit: Any) -> None:
    api = kit.api({"routes": [{"resource": "/x", "method": "GET"}]})
    invoker = kit.invoker({"fn": echo})
    handle_request(api, kit.request({"path": "/x"}), invoker, clock=kit.clock)
    ((name, event, timeout_s, wait_s),) = invoker.calls
    assert (name, timeout_s, wait_s) == ("fn", 3.0, 29.0)
    assert event["resource"] == "/x"


def test_an_invoker_that_raises_still_gets_an_answer(kit: Any) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("worker died")

    api = kit.api({})
    invocation = handle_request(api, kit.request({"path": "/x"}), broken, clock=kit.clock)
    assert invocation.response is not None and invocation.response.status == 500
    assert "worker died" in invocation.log.explanations[0]
    assert "not your handler's fault" in invocation.log.explanations[0]


def test_a_bug_in_course_is_still_a_gateway_answer(kit: Any, monkeypatch: Any) -> None:
    import course_cli.gateway.integrations.aws_proxy as aws_proxy

    def explode(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("oops")

    monkeypatch.setattr(aws_proxy, "build_proxy_event", explode)
    invocation = kit.run(kit.api({}), kit.request({"path": "/x"}))
    assert invocation.response.status == 500
    assert invocation.response.body == b'{"message": "Internal server error"}'
    assert "bug in course" in invocation.log.explanations[0]


def test_prepare_event_stops_before_the_call(kit: Any) -> None:
    api = kit.api({"resource": "/x", "methods": ["POST"]})
    request = HttpRequest.build("POST", "/x", headers={"Host": "h"}, body="{}")
    invocation = prepare_event(api, request, clock=kit.clock)
    assert invocation.event is not None and invocation.event["body"] == "{}"
    assert invocation.lambda_result is None and invocation.response is None
    assert invocation.log.messages[-1].startswith("Endpoint request body after transformations")


def test_invocation_to_json_success(kit: Any) -> None:
    api = kit.api({"resource": "/x", "methods": ["GET"]})
    document = invocation_to_json(kit.run(api, kit.request({"path": "/x"}), echo))
    assert list(document) == [
        "event",
        "result",
        "response",
        "log",
        "functionLog",
        "explanations",
        "problems",
    ]
    assert document["functionLog"] == []  # this test's invoker writes no log
    assert document["result"] == {"statusCode": 200, "body": '{"path": "/x"}'}
    response = document["response"]
    assert response["statusCode"] == 200
    assert response["body"] == '{"path": "/x"}' and response["isBase64Encoded"] is False
    assert response["headers"]["Content-Type"] == "application/json"
    assert response["multiValueHeaders"]["Content-Type"] == ["application/json"]
    assert document["log"][-1].endswith("Method completed with status: 200")
    assert document["problems"] == []
    json.dumps(document)


def test_invocation_to_json_malformed(kit: Any) -> None:
    api = kit.api({})
    handler = kit.returning({"statusCode": 200, "body": {"message": "hi"}})
    document = invocation_to_json(kit.run(api, kit.request({"path": "/x"}), handler))
    assert document["response"]["statusCode"] == 502
    assert document["result"] == {"statusCode": 200, "body": {"message": "hi"}}
    (problem,) = document["problems"]
    assert problem["field"] == "body" and problem["got"] == "dict"
    assert problem["expected"] == "a string"
    assert document["explanations"]


def test_invocation_to_json_function_error_and_missing_route(kit: Any) -> None:
    def fails(event: Any, context: Any) -> Any:
        raise KeyError("queryStringParameters")

    api = kit.api({"resource": "/x", "methods": ["GET"]})
    document = invocation_to_json(kit.run(api, kit.request({"path": "/x"}), fails))
    assert document["result"]["errorType"] == "KeyError"
    missing = invocation_to_json(kit.run(api, kit.request({"path": "/nope"})))
    assert missing["event"] is None and missing["result"] is None
    assert missing["response"]["statusCode"] == 403
    assert missing["log"] == []


def test_binary_response_shows_as_base64_in_json(kit: Any) -> None:
    api = kit.api({"binaryMediaTypes": ["image/png"]})
    handler = kit.returning({"statusCode": 200, "body": "/w==", "isBase64Encoded": True})
    invocation = kit.run(
        api, kit.request({"path": "/x", "headers": [["Accept", "image/png"]]}), handler
    )
    assert invocation.response.body == b"\xff"
    document = response_to_json(invocation.response)
    assert document is not None
    assert (document["body"], document["isBase64Encoded"]) == ("/w==", True)
    assert "[Binary Data]" in invocation.log.messages[-4]
    assert response_to_json(None) is None


def test_each_request_gets_fresh_ids(kit: Any) -> None:
    api = kit.api({})
    invoker = kit.invoker({"fn": echo})
    first = handle_request(api, kit.request({"path": "/x"}), invoker)
    second = handle_request(api, kit.request({"path": "/x"}), invoker)
    assert first.request_id != second.request_id
    assert first.event is not None and second.event is not None
    assert first.event["requestContext"]["requestId"] == first.request_id
