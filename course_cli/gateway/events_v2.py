"""The HTTP API Lambda event, payload format 2.0, field by field as API Gateway builds it.

What differs from the REST (1.0) event in `events.py`, each rule with its source in
`tests/gateway/cases/http_events.json`:

- `version`, `routeKey` (`GET /items/{id}`, or `$default`), `rawPath` and `rawQueryString`
  instead of `resource`, `path` and `httpMethod`;
- header names lower-cased, a repeated header's values joined with commas, no
  `multiValueHeaders`; the `Cookie` header moves to `cookies`, one entry per cookie;
- a repeated query key's values joined with commas, no `multiValueQueryStringParameters`;
  query and path parameters URL-decoded;
- a key with nothing to hold is absent, never null: `cookies`, `queryStringParameters`,
  `pathParameters`, `stageVariables`, `body`;
- the body is text only for text media types (`text/*`, JSON, XML, JavaScript); any other
  body, or one without a Content-Type, is base64 (HTTP APIs have no binaryMediaTypes);
- `requestContext` is short: ids, domain, `http` {method, path, protocol, sourceIp,
  userAgent}, routeKey, stage `$default`, `time` and `timeEpoch`.
"""

from __future__ import annotations

import base64
from typing import Any, Final
from urllib.parse import parse_qsl, unquote

from course_cli.gateway.definition import ApiDefinition
from course_cli.gateway.events import (
    DROPPED_HEADERS,
    FORWARDED_PORT,
    FORWARDED_PROTO,
    FieldNote,
)
from course_cli.gateway.execution_log import format_request_time
from course_cli.gateway.http import HttpRequest, media_type
from course_cli.gateway.http_api import route_key
from course_cli.gateway.ids import RequestIds
from course_cli.gateway.routing import RouteMatch

# HTTP APIs pass Content-Length on (a recorded event holds `content-length: "0"`); the other
# connection-level headers are the connection's, as on REST APIs.
_DROPPED: Final = DROPPED_HEADERS - {"content-length"}
# The media types whose body reaches the function as text; everything else is base64
# (verified against AWS, ministackorg/ministack#766).
_TEXT_TYPES: Final = frozenset({"application/json", "application/xml", "application/javascript"})


def http_headers(
    request: HttpRequest, definition: ApiDefinition, ids: RequestIds
) -> tuple[dict[str, str], list[str]]:
    """(headers, cookies) as a 2.0 event holds them: lower-case names in sorted order, a
    repeated header's values joined with ","; the Cookie header split into its cookies."""
    values: dict[str, list[str]] = {}
    for lower, (_, given) in request.headers.groups().items():
        if lower not in _DROPPED:
            values[lower] = given[:]
    cookies = [
        cookie.strip()
        for header in values.pop("cookie", [])
        for cookie in header.split(";")
        if cookie.strip()
    ]
    values.setdefault("host", [definition.domain_name])
    values.setdefault("x-amzn-trace-id", [ids.event_trace])
    chain = values.get("x-forwarded-for")
    values["x-forwarded-for"] = [", ".join([*(chain or []), request.source_ip])]
    values["x-forwarded-port"] = [FORWARDED_PORT]
    values["x-forwarded-proto"] = [FORWARDED_PROTO]
    return {name: ",".join(values[name]) for name in sorted(values)}, cookies


def http_query(raw_query: str) -> dict[str, str]:
    """queryStringParameters: decoded, a repeated key's values joined with "," in order."""
    joined: dict[str, list[str]] = {}
    for key, value in parse_qsl(raw_query, keep_blank_values=True):
        joined.setdefault(key, []).append(value)
    return {key: ",".join(values) for key, values in joined.items()}


def is_text(content_type: str | None) -> bool:
    """Whether an HTTP API hands a body of this media type to the function as text."""
    kind = media_type(content_type)
    return bool(kind) and (kind.startswith("text/") or kind in _TEXT_TYPES)


def http_body(request: HttpRequest) -> tuple[str | None, bool]:
    """(body, isBase64Encoded): text for text media types (non-UTF-8 bytes become U+FFFD),
    base64 for any other body; (None, False) when there is no body."""
    body = request.body
    if not body:
        return None, False
    if is_text(request.headers.get("Content-Type")):
        return body.decode("utf-8", "replace"), False
    return base64.b64encode(body).decode("ascii"), True


def build_http_event(
    request: HttpRequest,
    definition: ApiDefinition,
    match: RouteMatch,
    ids: RequestIds,
    *,
    now: float,
) -> dict[str, Any]:
    """The event an HTTP API's Lambda integration sends with payload format 2.0, its keys in
    the order of AWS's documented example. Absent keys are left out, not set to null."""
    headers, cookies = http_headers(request, definition, ids)
    body, is_base64 = http_body(request)
    key = route_key(match)
    domain = headers["host"]
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": key,
        "rawPath": request.path,
        "rawQueryString": request.query_string,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    query = http_query(request.query_string)
    if query:
        event["queryStringParameters"] = query
    event["requestContext"] = {
        "accountId": definition.account_id,
        "apiId": definition.api_id,
        "domainName": domain,
        "domainPrefix": domain.split(".", 1)[0],
        "http": {
            "method": request.method,
            "path": request.path,
            "protocol": request.protocol,
            "sourceIp": request.source_ip,
            "userAgent": request.headers.get("User-Agent") or "",
        },
        # An HTTP API's request id has the short form of a REST API's extendedRequestId.
        "requestId": ids.extended_request_id,
        "routeKey": key,
        "stage": definition.stage,
        "time": format_request_time(now),
        "timeEpoch": int(now * 1000),
    }
    if body is not None:
        event["body"] = body
    if match.path_params:
        event["pathParameters"] = {name: unquote(v) for name, v in match.path_params.items()}
    event["isBase64Encoded"] = is_base64
    if definition.stage_variables:
        event["stageVariables"] = dict(definition.stage_variables)
    return event


def explain_http_event(event: dict[str, Any], request: HttpRequest) -> list[FieldNote]:
    """A note for every field of a 2.0 `event`, and for the 1.0 fields it does not have:
    where each came from in `request`, and what a handler written for 1.0 must change."""
    notes: list[FieldNote] = []

    def note(field: str, value: Any, explanation: str) -> None:
        notes.append(FieldNote(field, value, explanation))

    absent = "absent (not null): "
    note("version", event.get("version"), "Payload format 2.0: an HTTP API's Lambda event.")
    key = event.get("routeKey")
    note(
        "routeKey",
        key,
        "The route that matched: '$default' catches what no other route matches."
        if key == "$default"
        else f"The route that matched, verb and path template ({key}). 1.0 has `resource`.",
    )
    note(
        "rawPath",
        event.get("rawPath"),
        "The path as the client sent it (percent-encoding kept); the $default stage is not in "
        "it. 1.0 calls it `path`, and has `httpMethod`: here it is requestContext.http.method.",
    )
    note(
        "rawQueryString",
        event.get("rawQueryString"),
        "The query string exactly as sent, without the '?'; \"\" when there is none.",
    )
    if "cookies" in event:
        note(
            "cookies",
            event["cookies"],
            "The Cookie header split into its cookies ('a=1; b=2' gives two); it is not in "
            "headers any more.",
        )
    else:
        note("cookies", None, absent + "the request sent no Cookie header.")
    note(
        "headers",
        event.get("headers"),
        "Every header, its name lower-cased (event['headers']['content-type'], never "
        "'Content-Type'); a header sent twice has its values joined with commas. API Gateway "
        "added host, x-amzn-trace-id and the x-forwarded-* headers. No multiValueHeaders.",
    )
    if "queryStringParameters" in event:
        note(
            "queryStringParameters",
            event["queryStringParameters"],
            f"Decoded from ?{request.query_string}; a repeated key's values are joined with "
            "commas (?tag=a&tag=b gives 'a,b'). No multiValueQueryStringParameters.",
        )
    else:
        note(
            "queryStringParameters",
            None,
            absent + "no query string. event['queryStringParameters'] raises KeyError; use "
            "event.get('queryStringParameters', {}).",
        )
    if "pathParameters" in event:
        note(
            "pathParameters",
            event["pathParameters"],
            "The values of the route's {variables}, URL-decoded (1.0 keeps them encoded).",
        )
    else:
        note("pathParameters", None, absent + f"the route {key} has no {{variables}}.")
    if "stageVariables" in event:
        note("stageVariables", event["stageVariables"], "The stage's variables.")
    else:
        note("stageVariables", None, absent + "the stage has no stage variables.")
    context = event.get("requestContext") or {}
    note(
        "requestContext",
        context,
        "Shorter than 1.0's: no identity, resourceId or requestTime; the request's method, "
        "path, source IP and user agent are in requestContext.http.",
    )
    note(
        "requestContext.requestId",
        context.get("requestId"),
        "A fresh id for every request; the response carries it as apigw-requestid.",
    )
    note(
        "requestContext.timeEpoch",
        context.get("timeEpoch"),
        "When the request arrived, in milliseconds (1.0: requestTimeEpoch).",
    )
    if "body" not in event:
        note("body", None, absent + "the request has no body.")
    elif event.get("isBase64Encoded"):
        note(
            "body",
            event["body"],
            "The payload base64-encoded, because its Content-Type is not a text type (text/*, "
            "application/json, application/xml, application/javascript) - a body sent without "
            "a Content-Type, or as a form, arrives base64 too: base64.b64decode(event['body']).",
        )
    else:
        note(
            "body",
            event["body"],
            "The raw payload as a string, never parsed: json.loads(event['body']) if it is JSON.",
        )
    note(
        "isBase64Encoded",
        event.get("isBase64Encoded"),
        "true when the body was base64-encoded because its media type is not text.",
    )
    return notes
