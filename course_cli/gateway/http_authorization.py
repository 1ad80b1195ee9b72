"""An HTTP API's Lambda authorizer: payload format 2.0, REQUEST type, simple responses.

```
identity sources present? ──no──▶ 401 {"message":"Unauthorized"}      (function not called)
      │yes
cached answer for these identity values (TTL)? ──yes──┐
      │no                                              │
call the authorizer with the 2.0 authorizer event      │
  raised "Unauthorized" ──▶ 401 (ours, as on REST)     │
  raised anything else / timed out ──▶ 500             │
  not {"isAuthorized": true|false, ...} ──▶ 500        │
      │                                                │
isAuthorized? ◀────────────────────────────────────────┘
  false ──▶ 403 {"message":"Forbidden"}
  true  ──▶ requestContext.authorizer = {"lambda": context} in the function's 2.0 event
```

The event (AWS, "Control access to HTTP APIs with AWS Lambda authorizers", payload format
2.0): `version`, `type` "REQUEST", `routeArn`, `identitySource` (the identity sources'
values, in order), `routeKey`, `rawPath`, `rawQueryString`, `cookies`, `headers`,
`queryStringParameters`, `requestContext`, `pathParameters`, `stageVariables` - the request's
2.0 event without its body. The simple response is `{"isAuthorized": bool, "context": {...}}`;
the context reaches the integration as `requestContext.authorizer.lambda`, values as returned.
A missing, null or empty identity source is 401 without calling the function (same page,
"Identity sources"). The answers' bodies are the HTTP API's short ones (`http_api.py`);
sources per case in `tests/gateway/cases/http_authorizers.json`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from course_cli.gateway.authorization import (
    cache_of,
    call_authorizer,
    decoded_answer,
    method_arn,
    start,
)
from course_cli.gateway.errors import AuthorizerConfigurationError, GatewayError
from course_cli.gateway.events_v2 import build_http_event

if TYPE_CHECKING:
    from course_cli.gateway.authorizers import Authorizer
    from course_cli.gateway.context import Invocation
    from course_cli.gateway.invoker import LambdaInvoker

# The 2.0 event's keys an authorizer gets, in the order of AWS's example (no body).
_EVENT_KEYS = (
    "routeKey",
    "rawPath",
    "rawQueryString",
    "cookies",
    "headers",
    "queryStringParameters",
    "requestContext",
    "pathParameters",
    "stageVariables",
)


class Forbidden(GatewayError):
    """403: the authorizer answered `{"isAuthorized": false}`."""

    status = 403
    message = "Forbidden"
    error_type = "ForbiddenException"
    compact_body = True
    reached_method = False
    response_type = "ACCESS_DENIED"


def build_http_authorizer_event(
    invocation: Invocation, route_arn: str, identity: list[str]
) -> dict[str, Any]:
    """The 2.0 authorizer event: the request's 2.0 event without a body, plus who asks."""
    match = invocation.match
    assert match is not None
    request_event = build_http_event(
        invocation.request,
        invocation.definition,
        match,
        invocation.ids,
        now=invocation.started_at,
    )
    event: dict[str, Any] = {
        "version": "2.0",
        "type": "REQUEST",
        "routeArn": route_arn,
        "identitySource": identity,
    }
    event |= {key: request_event[key] for key in _EVENT_KEYS if key in request_event}
    return event


def simple_answer(value: Any) -> tuple[bool, dict[str, Any]] | str:
    """(isAuthorized, context) of a simple response, or why it is not one."""
    if not isinstance(value, dict):
        return f"the authorizer returned {type(value).__name__}, not an object"
    allowed = value.get("isAuthorized")
    if not isinstance(allowed, bool):
        if "policyDocument" in value:
            return (
                "the authorizer returned an IAM policy, but this authorizer has simple "
                'responses turned on: return {"isAuthorized": true or false, "context": {...}}'
            )
        if "statusCode" in value:
            return (
                "the authorizer returned an HTTP response; an authorizer returns "
                '{"isAuthorized": true or false}, API Gateway writes the response'
            )
        return f"isAuthorized is {allowed!r}, not true or false"
    context = value.get("context", {})
    if context is None:
        context = {}
    if not isinstance(context, dict):
        return f"its context is {type(context).__name__}, not an object"
    return allowed, context


def authorize_http(invocation: Invocation, invoker: LambdaInvoker, authorizer: Authorizer) -> None:
    """The HTTP API's authorizer stage (see the module docstring); on an allow, the context
    is kept in the invocation's request context for the integration's 2.0 event."""
    definition, request = invocation.definition, invocation.request
    arn = method_arn(definition, request.method, invocation.path)
    answered = 'the HTTP API answered 401 {"message":"Unauthorized"}'
    auth_id, present = start(invocation, authorizer, answered)
    key = (authorizer.name or authorizer.function_name, "2.0", *present)
    cache = cache_of(definition)
    cached = cache.get(key, invocation.clock()) if authorizer.ttl_s else None
    if cached is not None:
        answer = cached
        invocation.log.explain(
            f"API Gateway used the authorizer's cached answer for these identity values (TTL "
            f"{authorizer.ttl_s} s) and did not call the function."
        )
    else:
        event = build_http_authorizer_event(invocation, arn, present)
        result, _ = call_authorizer(invocation, invoker, authorizer, event, auth_id)
        parsed = simple_answer(decoded_answer(invocation, result))
        if isinstance(parsed, str):
            raise AuthorizerConfigurationError(
                "Invalid authorizer response",
                f'The HTTP API answered 500 {{"message":"Internal Server Error"}}: {parsed}.',
                result,
            )
        answer = parsed
        if authorizer.ttl_s:
            cache.put(key, answer, invocation.clock() + authorizer.ttl_s)
    allowed, context = answer
    if not allowed:
        raise Forbidden(
            'The authorizer answered {"isAuthorized": false}, so the HTTP API answered 403 '
            '{"message":"Forbidden"}. (A REST authorizer says no with a Deny policy instead.)',
            ["The client is not authorized to perform this operation."],
        )
    invocation.note("Successfully completed authorizer execution")
    assert invocation.request_context is not None
    invocation.request_context["authorizer"] = {"lambda": context}
