"""Gateway responses: how an API customises the answers API Gateway writes itself.

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
| ACCESS_DENIED                  | 403    | `authorization.AccessDenied`: the authorizer's       |
|                                |        | policy denies the method (explicitly or implicitly)  |
| API_CONFIGURATION_ERROR        | 500    | `IntegrationFailure`: invalid endpoint address, no   |
|                                |        | integration response matches and none is default,    |
|                                |        | ...                                                  |
| AUTHORIZER_CONFIGURATION_ERROR | 500    | `authorization.AuthorizerConfigurationError`: the    |
|                                |        | authorizer failed or answered no usable policy       |
| AUTHORIZER_FAILURE             | 500    | never produced: no recorded case maps to it          |
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
| UNAUTHORIZED                   | 401    | `authorization.Unauthorized`: no identity, or the    |
|                                |        | authorizer raised "Unauthorized"                     |
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
`REQUEST_TOO_LARGE` cannot be customised (the developer guide, as quoted in zenn.dev/august/
articles/67c76de854cb6d), so `course serve` answers 413 before any definition is consulted.

How a customisation is applied to a request's error: `error_answer`. Its body templates are
not VTL: API Gateway only substitutes `$context` and `$stageVariables` values in them (the
`x-amazon-apigateway-gateway-responses.responseTemplates` reference). `$context.error.message`
is the message, `$context.error.messageString` the same as a quoted JSON string,
`$context.error.responseType` the type and `$context.error.validationErrorString` the
validation detail (empty here: no request validation). Header values are a `'literal'` or a
request parameter (`method.request.header|querystring|path.<name>`); `stageVariables.<name>`
and `context.<name>` are our extension. Our choices, unverified: a variable with no value
becomes nothing, a header whose source has no value is left out, and the template is picked by
the request's first Accept type as for integration responses (else `application/json`, else
the first one), its media type becoming the Content-Type.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from course_cli.gateway.errors import ApiDefinitionError

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
