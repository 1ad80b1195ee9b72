"""Whatever the request and whatever the handler returns, the gateway answers like a gateway.

`handle_request` never raises and always ends with a well-formed `HttpResponse`: a status
between 100 and 599, bytes for a body, string headers that HTTP can carry; and the event it
builds always has the twelve keys.
"""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course_cli.gateway.definition import single_route
from course_cli.gateway.errors import MalformedProxyResponse
from course_cli.gateway.http import HttpRequest, HttpResponse
from course_cli.gateway.invoker import LambdaResult, Outcome
from course_cli.gateway.pipeline import handle_request, invocation_to_json
from course_cli.gateway.route_table import load_route_table

QUICK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")

APIS = [
    single_route("fn", api_id="abc123defg"),
    single_route("fn", "/users/{userId}", ("GET", "POST"), api_id="abc123defg"),
    load_route_table(
        {
            "stage": "prod",
            "stageVariables": {"table": "T"},
            "binaryMediaTypes": ["image/*", "application/octet-stream"],
            "functions": {"fn": {"handler": "h.py"}},
            "routes": [
                {"resource": "/products", "method": "GET", "integration": {"function": "fn"}},
                {"resource": "/products/{id}", "method": "ANY", "integration": {"function": "fn"}},
                {"resource": "/{proxy+}", "method": "OPTIONS", "integration": {"function": "fn"}},
            ],
        }
    ),
]

segment = st.text(alphabet="abcxyz019-_.~%+@ é/", max_size=8)
paths = st.lists(segment, max_size=5).map(lambda parts: "/" + "/".join(parts)) | st.sampled_from(
    ["/", "//", "/prod", "/prod/", "/prod/products/1", "/products/%2F", "/users/7"]
)
methods = st.sampled_from(["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"]) | st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZget", min_size=1, max_size=7
)
header_names = st.sampled_from(
    ["Host", "Accept", "Content-Type", "Content-Length", "Cookie", "X-Amzn-Trace-Id", "user-agent"]
) | st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,10}", fullmatch=True)
header_values = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FF, exclude_characters="\x7f"),
    max_size=20,
) | st.sampled_from(["image/png", "application/json", "image/png, text/html", "*/*", "Root=1-x"])
requests = st.builds(
    HttpRequest.build,
    methods,
    paths,
    query=st.text(alphabet="abc=&+%2B0; é", max_size=15),
    headers=st.lists(st.tuples(header_names, header_values), max_size=6),
    body=st.none() | st.binary(max_size=40) | st.text(max_size=20),
    source_ip=st.sampled_from(["127.0.0.1", "203.0.113.7", "::1"]),
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)
header_maps = st.none() | json_values | st.dictionaries(header_names, json_values, max_size=3)
proxy_like = st.fixed_dictionaries(
    {},
    optional={
        "statusCode": st.integers(-5, 700)
        | st.sampled_from(["200", "ok", "404", ""])
        | json_values,
        "headers": header_maps,
        "multiValueHeaders": st.none()
        | st.dictionaries(
            header_names, st.lists(json_values, max_size=3) | json_values, max_size=3
        ),
        "body": st.text(max_size=20) | st.sampled_from(["aGk=", "not base64"]) | json_values,
        "isBase64Encoded": st.booleans() | json_values,
        "base64Encoded": st.booleans(),
    },
)
results = proxy_like | json_values


class ScriptedInvoker:
    """Answers every call with one scripted outcome, whatever the event."""

    def __init__(self, outcome: Outcome, value: Any) -> None:
        self.outcome, self.value = outcome, value

    def __call__(self, function_name: str, event: Any, **kwargs: Any) -> LambdaResult:
        json.dumps(event)  # the event must always be JSON, as Lambda receives it
        if self.outcome is Outcome.OK:
            return LambdaResult(Outcome.OK, json.dumps(self.value), request_id="l-1")
        if self.outcome is Outcome.NO_ANSWER:
            return LambdaResult(Outcome.NO_ANSWER, "", request_id="l-1")
        error = {"errorMessage": str(self.value), "errorType": "Exception"}
        # Half the time the runtime leaves `error` out and the gateway must read the payload.
        document = error if isinstance(self.value, str) else None
        return LambdaResult(self.outcome, json.dumps(error), document, request_id="l-1")


invokers = st.builds(ScriptedInvoker, st.just(Outcome.OK), results) | st.builds(
    ScriptedInvoker, st.sampled_from(list(Outcome)), json_values
)


def assert_well_formed(response: HttpResponse | None) -> None:
    assert isinstance(response, HttpResponse)
    assert 100 <= response.status <= 599
    assert isinstance(response.body, bytes)
    for name, value in response.headers:
        assert TOKEN.fullmatch(name), name
        assert isinstance(value, str) and not re.search(r"[\r\n\x00]", value), value


@QUICK
@given(st.sampled_from(APIS), requests, invokers)
def test_any_request_any_result_gets_a_well_formed_response(
    api: Any, request: HttpRequest, invoker: ScriptedInvoker
) -> None:
    invocation = handle_request(api, request, invoker)
    assert_well_formed(invocation.response)
    assert invocation.response is not None
    if invocation.event is not None:
        assert len(invocation.event) == 12
    # Every failure of the gateway's own (not a 4xx the function chose) is explained.
    if invocation.error is not None:
        assert invocation.log.explanations
    # Rendering the lazy log, and the --json document, never fails either.
    document = invocation_to_json(invocation)
    assert len(document["log"]) == len(invocation.log)
    json.dumps(document)


@QUICK
@given(results)
def test_any_handler_result_through_a_proxy_route(value: Any) -> None:
    invocation = handle_request(
        APIS[0], HttpRequest.build("GET", "/x"), ScriptedInvoker(Outcome.OK, value)
    )
    response = invocation.response
    assert_well_formed(response)
    assert response is not None
    # Malformed means 502 with named problems; anything else went through.
    malformed = isinstance(invocation.error, MalformedProxyResponse)
    assert malformed == bool(invocation.problems)
    assert not malformed or response.status == 502
    assert invocation.error is None or malformed
