"""The REST (v1) Lambda proxy event, field by field as API Gateway builds it (spec §1).

`build_proxy_event` always returns the twelve keys; "nothing there" is `null`, never `{}`.
`explain_event` says, for each field, where it came from in the HTTP request and why it is
`null` - the learner's side of `course event --explain`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import parse_qsl

from course_cli.gateway.definition import ApiDefinition
from course_cli.gateway.http import HttpRequest, matches_media_types, media_type
from course_cli.gateway.ids import RequestIds
from course_cli.gateway.routing import RouteMatch

# Connection-level headers API Gateway never passes on, not even to proxies (LocalStack's
# AWS-validated list; spec §1 names Content-Length and Connection).
DROPPED_HEADERS: Final = frozenset(
    {
        "connection",
        "content-length",
        "content-md5",
        "expect",
        "max-forwards",
        "proxy-authenticate",
        "server",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "www-authenticate",
    }
)
# What API Gateway's front door (CloudFront) adds; the client reached AWS over HTTPS on 443.
FORWARDED_PORT: Final = "443"
FORWARDED_PROTO: Final = "https"
# A request without Content-Type is treated as JSON when matching binaryMediaTypes, as API
# Gateway treats it when choosing a mapping template (uncertain for binary matching).
DEFAULT_CONTENT_TYPE: Final = "application/json"


def query_parameters(
    raw_query: str,
) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    """(queryStringParameters, multiValueQueryStringParameters) for a raw query string.

    Values are URL-decoded (`+` is a space, `%2B` a plus); a repeated key keeps its last value
    in the single map and all values in order in the multi map; `?x` and `?x=` give `""`.
    """
    multi: dict[str, list[str]] = {}
    for key, value in parse_qsl(raw_query, keep_blank_values=True):
        multi.setdefault(key, []).append(value)
    if not multi:
        return None, None
    return {key: values[-1] for key, values in multi.items()}, multi


def event_headers(
    request: HttpRequest, definition: ApiDefinition, ids: RequestIds
) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    """(headers, multiValueHeaders) as the function sees them.

    Both are null for a request without any header (a test invocation). Otherwise hop-by-hop
    headers are dropped; `Host`, `X-Amzn-Trace-Id` and the `X-Forwarded-*` headers are added
    as AWS adds them. Names keep the client's casing (the first casing sent, for a name sent
    twice); the single map holds the last value. Keys are sorted case-insensitively: AWS builds
    both maps as case-insensitive sorted maps (seen in recorded AWS execution logs).
    """
    groups = request.headers.groups()
    if not groups:
        return None, None
    entries: dict[str, tuple[str, list[str]]] = {}  # lower-case name -> (casing, values)
    for lower, (name, given) in groups.items():
        if lower not in DROPPED_HEADERS:
            entries[lower] = (name, given[:])  # the event owns its lists
    if "host" not in entries:
        entries["host"] = ("Host", [definition.domain_name])
    if "x-amzn-trace-id" not in entries:
        entries["x-amzn-trace-id"] = ("X-Amzn-Trace-Id", [ids.event_trace])
    # AWS appends the client address to any X-Forwarded-For chain, and sets port and protocol.
    chain = entries.get("x-forwarded-for")
    if chain is None:
        entries["x-forwarded-for"] = ("X-Forwarded-For", [request.source_ip])
    else:
        entries["x-forwarded-for"] = (chain[0], [", ".join([*chain[1], request.source_ip])])
    port, proto = entries.get("x-forwarded-port"), entries.get("x-forwarded-proto")
    entries["x-forwarded-port"] = (port[0] if port else "X-Forwarded-Port", [FORWARDED_PORT])
    entries["x-forwarded-proto"] = (proto[0] if proto else "X-Forwarded-Proto", [FORWARDED_PROTO])
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for lower in sorted(entries):
        name, given = entries[lower]
        single[name] = given[-1]
        multi[name] = given
    return single, multi


def event_body(request: HttpRequest, definition: ApiDefinition) -> tuple[str | None, bool]:
    """(body, isBase64Encoded): base64 when the Content-Type matches binaryMediaTypes, else
    text, non-UTF-8 bytes becoming U+FFFD (why binary uploads arrive corrupted on AWS too)."""
    body = request.body
    if not body:
        return None, False
    content_type = media_type(request.headers.get("Content-Type")) or DEFAULT_CONTENT_TYPE
    if matches_media_types(content_type, definition.binary_media_types):
        return base64.b64encode(body).decode("ascii"), True
    return body.decode("utf-8", "replace"), False


def build_proxy_event(
    request: HttpRequest,
    definition: ApiDefinition,
    match: RouteMatch,
    request_context: dict[str, Any],
    path: str,
    ids: RequestIds,
) -> dict[str, Any]:
    """The event a Lambda proxy integration sends: always the twelve keys of spec §1.

    `path` is the request path without the stage; `request_context` comes from
    `build_request_context`. `httpMethod` is the client's verb even when the method is ANY.
    The event shares no dict or list with its arguments: changing it changes nothing else.
    """
    context = request_context.copy()
    context["identity"] = request_context["identity"].copy()
    if "authorizer" in request_context:  # a Lambda authorizer's (flat) answer
        context["authorizer"] = dict(request_context["authorizer"])
    headers, multi_headers = event_headers(request, definition, ids)
    query, multi_query = query_parameters(request.query_string)
    body, is_base64 = event_body(request, definition)
    return {
        "resource": match.resource.path,
        "path": path,
        "httpMethod": request.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": dict(match.path_params) or None,
        "stageVariables": dict(definition.stage_variables) if definition.stage_variables else None,
        "requestContext": context,
        "body": body,
        "isBase64Encoded": is_base64,
    }


@dataclass(frozen=True, slots=True)
class FieldNote:
    """One event field, its value, and where it came from (or why it is null)."""

    field: str
    value: Any
    explanation: str


_ADDED = ("Host", "X-Amzn-Trace-Id", "X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto")


def explain_event(event: dict[str, Any], request: HttpRequest) -> list[FieldNote]:
    """A note for every top-level field of `event` (and the requestContext fields learners
    trip over), saying where each came from in `request` and why a null is null."""
    notes: list[FieldNote] = []

    def note(field: str, explanation: str) -> None:
        value: Any = event
        for key in field.split("."):  # `requestContext.path` is event["requestContext"]["path"]
            value = value.get(key) if isinstance(value, dict) else None
        notes.append(FieldNote(field, value, explanation))

    resource = event.get("resource")
    note("resource", f"The resource template that matched ({resource}), not the path.")
    note(
        "path",
        f"The path the client asked for ({request.path}) without the stage prefix, "
        "percent-encoding kept.",
    )
    note(
        "httpMethod",
        "The verb the client sent - the real one, even when the resource's method is ANY.",
    )
    if event.get("headers") is None:
        why = "null because the request had no headers at all (a test invocation; a real HTTP "
        why += "request always has Host)."
        note("headers", why)
        note("multiValueHeaders", why)
    else:
        dropped = sorted({n for n, _ in request.headers if n.lower() in DROPPED_HEADERS})
        added = [n for n in _ADDED if n not in request.headers or n.startswith("X-Forwarded")]
        changes = f"API Gateway added or set {', '.join(added)}"
        if dropped:
            changes += f" and dropped {', '.join(dropped)}"
        note(
            "headers",
            f"The request's headers, client casing kept; a repeated header shows its last value "
            f"here. {changes}.",
        )
        note(
            "multiValueHeaders",
            "Every header with all its values in order (two Cookie headers are two entries).",
        )
    if event.get("queryStringParameters") is None:
        why = "null because the request has no query string: event['queryStringParameters']['x']"
        why += " raises TypeError; use (event.get('queryStringParameters') or {}).get('x')."
        note("queryStringParameters", why)
        note("multiValueQueryStringParameters", why.split(":")[0] + ".")
    else:
        note(
            "queryStringParameters",
            f"Decoded from ?{request.query_string} ('+' is a space, %2B a plus); a repeated "
            "key keeps its last value here.",
        )
        note(
            "multiValueQueryStringParameters",
            "Every query key with all its values in order (?tag=a&tag=b gives two).",
        )
    if event.get("pathParameters") is None:
        note("pathParameters", f"null because {resource} has no {{variables}} in its path.")
    else:
        note(
            "pathParameters",
            f"The values of the variables in {resource}, percent-encoding kept; a {{name+}} "
            "variable holds the rest of the path.",
        )
    if event.get("stageVariables") is None:
        note("stageVariables", "null because the stage has no stage variables.")
    else:
        note("stageVariables", "The deployed stage's variables.")
    note("requestContext", "What API Gateway knows about the request: ids, time, stage.")
    note("requestContext.path", "The path WITH the stage prefix - unlike event['path'].")
    note(
        "requestContext.requestId",
        "A fresh id for every request; the response carries it as x-amzn-RequestId.",
    )
    note(
        "requestContext.identity.sourceIp",
        "The client's address (the caller of the API, not a proxy in between).",
    )
    body = event.get("body")
    if body is None:
        note("body", "null because the request has no body (GET requests rarely have one).")
    elif event.get("isBase64Encoded"):
        note(
            "body",
            "The payload base64-encoded, because its Content-Type matches the API's "
            "binaryMediaTypes: base64.b64decode(event['body']) gives the bytes.",
        )
    else:
        replaced = " Bytes that were not UTF-8 became U+FFFD." if "\ufffd" in body else ""
        note(
            "body",
            "The raw payload as a string, never parsed: json.loads(event['body']) if it is "
            f"JSON.{replaced}",
        )
    note(
        "isBase64Encoded",
        "true only when the body was base64-encoded because of binaryMediaTypes.",
    )
    return notes
