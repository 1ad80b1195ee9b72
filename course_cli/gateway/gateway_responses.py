"""Gateway responses: the answers API Gateway writes itself, and how an API customises them.

Every error the gateway produces without a backend answer has a **response type** (a
`GatewayError`'s `response_type`). An API may customise a type with `put_gateway_response`: a
status code, header mappings (`gatewayresponse.header.<Name>`) and body templates by media
type. When a request fails, API Gateway uses the customisation of the error's own type if
there is one, else that of `DEFAULT_4XX` or `DEFAULT_5XX` for the error's status family, else
its built-in answer (the error's status and `{"message": ...}` body).

What each response type is, with its default status code - AWS's table, "Gateway response
types for API Gateway" (docs.aws.amazon.com/apigateway/latest/developerguide/
supported-gateway-response-types.html):

| type                           | status | what produces it (here)                              |
| ------------------------------ | ------ | ---------------------------------------------------- |
| DEFAULT_4XX, DEFAULT_5XX       | null   | the fallbacks; their statusCode, if set, becomes the |
|                                |        | status of every other 4XX/5XX type that falls back   |
| ACCESS_DENIED                  | 403    | authorizers (not emulated)                           |
| API_CONFIGURATION_ERROR        | 500    | `IntegrationFailure`: invalid endpoint address, no   |
|                                |        | integration response matches and none is default,    |
|                                |        | ...                                                  |
| AUTHORIZER_CONFIGURATION_ERROR | 500    | authorizers (not emulated)                           |
| AUTHORIZER_FAILURE             | 500    | authorizers (not emulated)                           |
| BAD_REQUEST_PARAMETERS         | 400    | request validators (not emulated)                    |
| BAD_REQUEST_BODY               | 400    | request validators (not emulated)                    |
| EXPIRED_TOKEN                  | 403    | IAM authorization (not emulated)                     |
| INTEGRATION_FAILURE            | 504    | `FunctionError`: the status is 502, not 504          |
| INTEGRATION_TIMEOUT            | 504    | `IntegrationTimeout`                                 |
| INVALID_API_KEY                | 403    | API keys (not emulated)                              |
| INVALID_SIGNATURE              | 403    | IAM authorization (not emulated)                     |
| MISSING_AUTHENTICATION_TOKEN   | 403    | `MissingRoute`: "including the cases when the client |
|                                |        | attempts to invoke an unsupported API method or      |
|                                |        | resource" (AWS's table)                              |
| QUOTA_EXCEEDED                 | 429    | usage plans (not emulated)                           |
| REQUEST_TOO_LARGE              | 413    | `course serve`'s wire layer, before the gateway      |
| RESOURCE_NOT_FOUND             | 404    | only after authentication passed (not emulated)      |
| THROTTLED                      | 429    | throttling (not emulated)                            |
| UNAUTHORIZED                   | 401    | authorizers (not emulated)                           |
| UNSUPPORTED_MEDIA_TYPE         | 415    | `UnsupportedMediaType` (passthrough NEVER, ...)      |
| WAF_FILTERED                   | 403    | AWS WAF (not emulated)                               |

Recorded on AWS, not in the table: a Lambda proxy's function error (unhandled exception,
Runtime.ExitError, Function.ResponseSizeTooLarge) is INTEGRATION_FAILURE with status **502**,
and a customised DEFAULT_5XX without statusCode keeps the 502 and adds its headers (access
logs and curl output in DataBiosphere/azul issues #6284, #7466, #7470, #8258); an integration
timeout is INTEGRATION_TIMEOUT, 504 "Endpoint request timed out" (azul #6284). An AWS_PROXY
integration whose method is not POST is INTEGRATION_FAILURE with status 500 (LocalStack's
AWS-validated test, localstack PR #11183). *Unverified*, our choice: a malformed Lambda proxy
response (502) is DEFAULT_5XX, as LocalStack raises it; AWS documents no type for it.
`REQUEST_TOO_LARGE` cannot be customised ("customization of the 413 REQUEST_TOO_LARGE default
gateway response isn't supported", quoted from the developer guide by zenn.dev/august/articles/
67c76de854cb6d), so `course serve` answers 413 before any definition is consulted.

Body templates are **not VTL**: "A GatewayResponse mapping template isn't processed by the
Velocity Template Language (VTL) engine" and supports "only simple variable substitution"
(x-amazon-apigateway-gateway-responses.responseTemplates). They "can access `$context`
variable values and `$stageVariables` property values" (Gateway responses in API Gateway);
`$context.error.message` is the message, `$context.error.messageString` "the quoted value of
`$context.error.message`, namely `"$context.error.message"`", `$context.error.responseType` the
type and `$context.error.validationErrorString` the validation detail (empty here: no request
validation). Header values are `'literal'` or a request parameter
(`method.request.header|querystring|path.<name>`), as in the responseParameters example there;
`stageVariables.<name>` and `context.<name>` are our extension of "any incoming request
parameter value". Our choices, unverified: a variable with no value substitutes as nothing, a
header whose source has no value is left out, and the template is picked by the request's first
Accept type as for integration responses (else `application/json`, else the first one), its
media type becoming the Content-Type.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from course_cli.gateway.errors import ApiDefinitionError

if TYPE_CHECKING:
    from course_cli.gateway.context import Invocation
    from course_cli.gateway.errors import GatewayError
    from course_cli.gateway.http import HttpResponse

# Each type and its default status code (None: the fallbacks have none), AWS's table above.
RESPONSE_TYPES: Final[Mapping[str, int | None]] = {
    "DEFAULT_4XX": None,
    "DEFAULT_5XX": None,
    "ACCESS_DENIED": 403,
    "API_CONFIGURATION_ERROR": 500,
    "AUTHORIZER_CONFIGURATION_ERROR": 500,
    "AUTHORIZER_FAILURE": 500,
    "BAD_REQUEST_PARAMETERS": 400,
    "BAD_REQUEST_BODY": 400,
    "EXPIRED_TOKEN": 403,
    "INTEGRATION_FAILURE": 504,
    "INTEGRATION_TIMEOUT": 504,
    "INVALID_API_KEY": 403,
    "INVALID_SIGNATURE": 403,
    "MISSING_AUTHENTICATION_TOKEN": 403,
    "QUOTA_EXCEEDED": 429,
    "REQUEST_TOO_LARGE": 413,
    "RESOURCE_NOT_FOUND": 404,
    "THROTTLED": 429,
    "UNAUTHORIZED": 401,
    "UNSUPPORTED_MEDIA_TYPE": 415,
    "WAF_FILTERED": 403,
}
# GatewayResponse.statusCode's pattern in AWS's API reference.
_STATUS: Final = re.compile(r"[1-5]\d\d")
_PARAMETER: Final = re.compile(
    r"gatewayresponse\.(header|path|querystring)\.[!#$%&'*+.^_`|~0-9A-Za-z-]+"
)
# `$context.error.message`, `${context.requestId}`, `$stageVariables.name`.
_VARIABLE: Final = re.compile(
    r"\$\{(context|stageVariables)((?:\.[A-Za-z0-9_-]+)+)\}"
    r"|\$(context|stageVariables)((?:\.[A-Za-z_][A-Za-z0-9_]*)+)"
)
DEFAULT_MEDIA_TYPE: Final = "application/json"


@dataclass(frozen=True, slots=True)
class GatewayResponse:
    """One customised response type, in AWS's terms (`put_gateway_response`'s arguments)."""

    response_type: str
    status_code: int | None = None
    parameters: Mapping[str, str] = field(default_factory=dict)
    templates: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_aws(cls, raw: Mapping[str, Any], *, where: str) -> GatewayResponse:
        """From a `GatewayResponse` document (`get_gateway_responses`' items, a route table's
        or OpenAPI's `gatewayResponses` entries: statusCode, responseParameters, templates)."""
        response_type = str(raw.get("responseType", ""))
        status = raw.get("statusCode")
        if status is not None and not _STATUS.fullmatch(str(status)):
            raise ApiDefinitionError(
                f"{where}: statusCode {status!r} is not a status code AWS accepts ([1-5]\\d\\d)"
            )
        return cls(
            response_type=response_type,
            status_code=None if status is None else int(str(status)),
            parameters=dict(raw.get("responseParameters") or {}),
            templates=dict(raw.get("responseTemplates") or {}),
        )


def check_gateway_responses(responses: Mapping[str, GatewayResponse]) -> None:
    """Raise `ApiDefinitionError` for a customisation AWS refuses."""
    for key, response in responses.items():
        where = f"gateway response {key}"
        if key != response.response_type:
            raise ApiDefinitionError(f"{where}: holds a {response.response_type} response")
        if key not in RESPONSE_TYPES:
            raise ApiDefinitionError(
                f"{where}: {key!r} is not a gateway response type; AWS refuses it",
                hint="e.g. DEFAULT_4XX, DEFAULT_5XX, MISSING_AUTHENTICATION_TOKEN",
            )
        for name in response.parameters:
            if not _PARAMETER.fullmatch(name):
                raise ApiDefinitionError(
                    f"{where}: {name!r} is not a gateway response parameter; AWS refuses it: "
                    "Invalid mapping expression specified",
                    hint='map headers as "gatewayresponse.header.<Name>": "\'value\'"',
                )


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


def error_context(error: GatewayError) -> dict[str, str]:
    """`$context.error` for `error`."""
    return {
        "message": error.message,
        "messageString": json.dumps(error.message),
        "responseType": error.response_type,
        "validationErrorString": "",
    }


def gateway_response(invocation: Invocation, error: GatewayError) -> HttpResponse:
    """The client's answer to `error`: AWS's own, customised as the API says."""
    from course_cli.gateway.http import Headers, HttpResponse, first_accept_type

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
    from course_cli.gateway.events import query_parameters

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
    """`$context` for a gateway response: the request context (what can be known before
    routing, when the request matched no route) and `error`."""
    from course_cli.gateway.execution_log import format_request_time

    context = dict(invocation.request_context or {})
    if not context:
        definition, request, ids = invocation.definition, invocation.request, invocation.ids
        domain = request.headers.get("Host") or definition.domain_name
        context = {
            "accountId": definition.account_id,
            "apiId": definition.api_id,
            "deploymentId": definition.deployment_id,
            "domainName": domain,
            "domainPrefix": domain.split(".", 1)[0],
            "extendedRequestId": ids.extended_request_id,
            "httpMethod": request.method,
            "identity": {
                "sourceIp": request.source_ip,
                "userAgent": request.headers.get("User-Agent"),
            },
            "path": invocation.stage_path,
            "protocol": request.protocol,
            "requestId": ids.request_id,
            "requestTime": format_request_time(invocation.started_at),
            "requestTimeEpoch": int(invocation.started_at * 1000),
            "stage": definition.stage,
        }
    context["error"] = error_context(error)
    return context
