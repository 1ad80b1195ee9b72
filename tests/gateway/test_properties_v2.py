"""Payload format 2.0 under any request and any answer: the HTTP API still answers like one.

`handle_request` never raises; the response is well-formed; the event has no null and no
multi-value key; a failure is one of the HTTP API's own answers (404, 500, 503), explained.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from course_cli.gateway.definition import FunctionConfig, Integration
from course_cli.gateway.http import HttpRequest
from course_cli.gateway.invoker import Outcome
from course_cli.gateway.pipeline import handle_request, invocation_to_json
from course_cli.local_api import http_api_for
from tests.gateway.test_properties import (
    QUICK,
    ScriptedInvoker,
    assert_well_formed,
    invokers,
    requests,
    results,
)

_FUNCTIONS = {"fn": FunctionConfig("fn", "h.py")}
HTTP_APIS = [
    http_api_for(Integration(function_name="fn"), [], "ANY", functions=_FUNCTIONS),
    http_api_for(Integration(function_name="fn"), ["/products/{id}"], "GET", functions=_FUNCTIONS),
]
ERRORS = {404: b'{"message":"Not Found"}', 500: b'{"message":"Internal Server Error"}'}
ERRORS[503] = b'{"message":"Service Unavailable"}'


@QUICK
@given(st.sampled_from(HTTP_APIS), requests, invokers)
def test_any_request_any_result_through_an_http_api(
    api: Any, request: HttpRequest, invoker: ScriptedInvoker
) -> None:
    invocation = handle_request(api, request, invoker)
    response = invocation.response
    assert_well_formed(response)
    assert response is not None and response.header("apigw-requestid")
    if invocation.event is not None:
        assert invocation.event["version"] == "2.0"
        assert None not in invocation.event.values()
        assert not any(key.startswith("multiValue") for key in invocation.event)
        assert all(name == name.lower() for name in invocation.event["headers"])
    if invocation.error is not None:
        assert response.body == ERRORS[response.status]
        assert invocation.log.explanations
    json.dumps(invocation_to_json(invocation))


@QUICK
@given(results)
def test_any_value_without_status_code_is_a_200(value: Any) -> None:
    invocation = handle_request(
        HTTP_APIS[0], HttpRequest.build("GET", "/x"), ScriptedInvoker(Outcome.OK, value)
    )
    response = invocation.response
    assert response is not None
    if not (isinstance(value, dict) and "statusCode" in value):
        assert response.status == 200 and invocation.error is None
        expected = value if isinstance(value, str) else json.dumps(value)
        assert response.body == expected.encode("utf-8", "replace")
    else:
        assert (invocation.error is None) == (not invocation.problems)
        if invocation.error is not None:  # malformed: an HTTP API's 500, never REST's 502
            assert response.status == 500
        else:
            status = value["statusCode"]
            assert response.status == (200 if status is None else int(status))
