"""What API Gateway answers for an error it produces itself: its own answer, customised by the
API's gateway response for the error's type or its DEFAULT_4XX/DEFAULT_5XX fallback (the rules
and their sources: `gateway_responses`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Final

from course_cli.gateway.context import Invocation, build_request_context
from course_cli.gateway.errors import GatewayError
from course_cli.gateway.events import query_parameters
from course_cli.gateway.gateway_responses import GatewayResponse
from course_cli.gateway.http import Headers, HttpResponse, first_accept_type

# `$context.error.message`, `${context.requestId}`, `$stageVariables.name`.
_VARIABLE: Final = re.compile(
    r"\$\{(context|stageVariables)((?:\.[A-Za-z0-9_-]+)+)\}"
    r"|\$(context|stageVariables)((?:\.[A-Za-z_][A-Za-z0-9_]*)+)"
)
DEFAULT_MEDIA_TYPE: Final = "application/json"


def customisation_for(
    responses: Mapping[str, GatewayResponse], response_type: str, status: int
) -> tuple[GatewayResponse | None, bool]:
    """The customisation that applies to an error of `response_type` answered with `status`,
    and whether it is the DEFAULT_4XX/DEFAULT_5XX fallback. REQUEST_TOO_LARGE never has one."""
    if response_type == "REQUEST_TOO_LARGE":
        return None, False
    own = responses.get(response_type)
    if own is not None:
        return own, False
    family = "DEFAULT_5XX" if status >= 500 else "DEFAULT_4XX"
    fallback = responses.get(family) if response_type != family else None
    return fallback, fallback is not None


def gateway_response(invocation: Invocation, error: GatewayError) -> HttpResponse:
    """The client's answer to `error`: AWS's own, customised as the API says."""
    ids = invocation.ids
    response = error.to_response(ids.request_id, ids.extended_request_id, ids.error_trace)
    responses = invocation.definition.gateway_responses
    custom, fallback = customisation_for(responses, error.response_type, error.status)
    if custom is None:
        return response
    status = custom.status_code or error.status
    context = _context(invocation, error)
    stage_variables = dict(invocation.definition.stage_variables or {})
    pairs = list(response.headers)
    body = response.body
    if custom.templates:
        accept = first_accept_type(invocation.request.headers.get("Accept"))
        media = next(
            (m for m in (accept, DEFAULT_MEDIA_TYPE) if m in custom.templates),
            next(iter(custom.templates)),
        )
        body = render_template(custom.templates[media], context, stage_variables).encode()
        pairs = _replace(pairs, "Content-Type", media)
    mapped = []
    for target, source in custom.parameters.items():
        if not target.startswith("gatewayresponse.header."):
            continue
        name = target.removeprefix("gatewayresponse.header.")
        value = _parameter(invocation, str(source), context, stage_variables)
        if value is not None:
            pairs = _replace(pairs, name, value)
            mapped.append(name)
    used = (
        f"{custom.response_type} (the fallback for {error.response_type})"
        if fallback
        else (error.response_type)
    )
    what = [f"status {status}" if custom.status_code else f"status {error.status} kept"]
    if mapped:
        what.append(f"headers {', '.join(mapped)}")
    if custom.templates:
        what.append("its body template")
    invocation.log.explain(
        f"API Gateway answered with the gateway response of type {error.response_type}, "
        f"customised by this API's {used}: {'; '.join(what)}."
    )
    return HttpResponse(status, Headers(pairs), body)


def render_template(
    text: str, context: Mapping[str, Any], stage_variables: Mapping[str, str]
) -> str:
    """A gateway response body template with its `$context` and `$stageVariables` substituted
    (simple substitution, not VTL); a variable with no value becomes nothing."""

    def value(match: re.Match[str]) -> str:
        root = match[1] or match[3]
        path = (match[2] or match[4]).split(".")[1:]
        found = _lookup(context if root == "context" else stage_variables, path)
        return "" if found is None else _text(found)

    return _VARIABLE.sub(value, text)


def _lookup(data: Any, path: list[str]) -> Any:
    for key in path:
        if not isinstance(data, Mapping) or key not in data:
            return None
        data = data[key]
    return data


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"))


def _replace(pairs: list[tuple[str, str]], name: str, value: str) -> list[tuple[str, str]]:
    """`pairs` with header `name` (any casing) set to `value`, in the first one's place."""
    for index, (existing, _) in enumerate(pairs):
        if existing.lower() == name.lower():
            rest = [p for p in pairs[index + 1 :] if p[0].lower() != name.lower()]
            return [*pairs[:index], (existing, value), *rest]
    return [*pairs, (name, value)]


def _parameter(
    invocation: Invocation,
    source: str,
    context: Mapping[str, Any],
    stage_variables: Mapping[str, str],
) -> str | None:
    """A header mapping's value: `'literal'`, `method.request.(header|querystring|path).X`,
    `stageVariables.X` or `context.X`; None when the request has no such value."""
    if len(source) >= 2 and source[0] == source[-1] == "'":
        return source[1:-1]
    request = invocation.request
    kind, _, name = source.removeprefix("method.request.").partition(".")
    if source.startswith("method.request.") and name:
        if kind == "header":
            return request.headers.get(name)
        if kind == "querystring":
            return (query_parameters(request.query_string)[0] or {}).get(name)
        if kind == "path":
            match = invocation.match
            return None if match is None else match.path_params.get(name)
        return None
    if source.startswith("stageVariables."):
        return stage_variables.get(source.removeprefix("stageVariables."))
    if source.startswith("context."):
        found = _lookup(context, source.split(".")[1:])
        return None if found is None else _text(found)
    return None


def _context(invocation: Invocation, error: GatewayError) -> dict[str, Any]:
    """`$context` for a gateway response: the request context (before routing, what is known
    without a resource, with only sourceIp and userAgent as identity) and `error`."""
    context = dict(invocation.request_context or {})
    if not context:
        context = build_request_context(
            invocation.definition,
            invocation.request,
            None,
            invocation.ids,
            stage_path=invocation.stage_path,
            now=invocation.started_at,
        )
        identity = context["identity"]
        context["identity"] = {key: identity[key] for key in ("sourceIp", "userAgent")}
    context["error"] = {
        "message": error.message,
        "messageString": json.dumps(error.message),
        "responseType": error.response_type,
        "validationErrorString": "",
    }
    return context
