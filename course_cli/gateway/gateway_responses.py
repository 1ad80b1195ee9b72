"""Gateway responses: how an API customises the answers API Gateway writes itself.

Every error the gateway produces itself has a response type (`GatewayError.response_type`).
`put_gateway_response` may customise a type: a status code, `gatewayresponse.header.<Name>`
mappings and body templates by media type. A failed request uses its type's customisation,
else DEFAULT_4XX/DEFAULT_5XX's for its status family, else the built-in answer.
`error_answer` applies them.

Types and default statuses: AWS's "Gateway response types" table (developer guide,
supported-gateway-response-types.html). Produced here: ACCESS_DENIED, UNAUTHORIZED and
AUTHORIZER_CONFIGURATION_ERROR (`authorization`), API_CONFIGURATION_ERROR
(`IntegrationFailure`), INTEGRATION_FAILURE (`FunctionError`, with 502 not 504),
INTEGRATION_TIMEOUT, INVALID_API_KEY (`api_keys`), MISSING_AUTHENTICATION_TOKEN (also an
unsupported method or resource), UNSUPPORTED_MEDIA_TYPE, and REQUEST_TOO_LARGE (`course
serve`'s wire layer); AUTHORIZER_FAILURE never (no recorded case maps to it); the rest belong
to features not emulated.

Recorded on AWS, not in the table: a proxy function error (exception, Runtime.ExitError,
Function.ResponseSizeTooLarge) is INTEGRATION_FAILURE with status 502, and a DEFAULT_5XX
customised without statusCode keeps the 502 (DataBiosphere/azul #6284, #7466, #7470, #8258);
an AWS_PROXY integration whose method is not POST is INTEGRATION_FAILURE, 500 (localstack
PR #11183). Unverified, our choice: a malformed proxy response is DEFAULT_5XX, as in
LocalStack. REQUEST_TOO_LARGE cannot be customised (developer guide, quoted in
zenn.dev/august/articles/67c76de854cb6d).

Body templates are not VTL: only `$context` and `$stageVariables` are substituted
(`x-amazon-apigateway-gateway-responses.responseTemplates`); `$context.error` holds message,
messageString, responseType and validationErrorString (empty: no request validation). Header
sources are a `'literal'` or `method.request.header|querystring|path.<name>`, plus
`stageVariables.<name>` and `context.<name>` (our extension). Our choices, unverified: a
variable without a value becomes nothing, a header without one is left out, and the template
is chosen by the first Accept type (else `application/json`, else the first).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from course_cli.gateway.errors import ApiDefinitionError

# Each type and its default status code (None: the fallbacks have none), from AWS's table.
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
