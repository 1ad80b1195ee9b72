"""What an OpenAPI operation's `security` asks of API Gateway: an API key, a Lambda authorizer.

An `apiKey` scheme named `x-api-key` in the header (and no `x-amazon-apigateway-authtype`) is
API Gateway's API key. A scheme with `x-amazon-apigateway-authorizer` of type `token` or
`request` whose `authorizerUri` invokes a Lambda function is a REST API's Lambda authorizer,
run by our gateway. Everything else (Cognito user pools, IAM, an HTTP API's authorizers) is
read but not enforced, and said in one warning line per route.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from course_cli.gateway.authorizers import (
    DEFAULT_IDENTITY_SOURCE,
    DEFAULT_TTL_S,
    Authorizer,
    parse_identity_source,
)
from course_cli.gateway.errors import ApiDefinitionError
from course_cli.sandbox.rest_api import lambda_function_name

AUTHORIZER_KEY: Final = "x-amazon-apigateway-authorizer"
_LAMBDA_TYPES: Final = {"token": "TOKEN", "request": "REQUEST"}


def security_schemes(document: Mapping[str, Any]) -> Mapping[str, Any]:
    """Security schemes by name: Swagger 2.0's `securityDefinitions`, OpenAPI 3's components."""
    if "securityDefinitions" in document:
        return document.get("securityDefinitions") or {}
    return (document.get("components") or {}).get("securitySchemes") or {}


def read_security(
    where: str,
    security: Any,
    schemes: Mapping[str, Any],
    *,
    functions: Mapping[str, Any],
    http_api: bool,
    warnings: list[str] | None,
) -> tuple[bool, Authorizer | None]:
    """(whether the operation requires an API key, the Lambda authorizer guarding it)."""
    api_key, authorizer = False, None
    for requirement in security:
        for name in requirement or {}:
            if name == "NONE":  # SAM's way of saying this route has no authorizer
                continue
            scheme = schemes.get(name)
            if not isinstance(scheme, Mapping):
                _warn(warnings, f"{where}: security scheme {name} is not defined; not applied")
                continue
            if _is_api_key(scheme):
                api_key = True
                continue
            found = None if http_api else _lambda_authorizer(name, scheme, functions)
            if found is not None:
                authorizer = found
                continue
            settings = scheme.get(AUTHORIZER_KEY) or {}
            kind = scheme.get("x-amazon-apigateway-authtype") or settings.get("type")
            described = f"{name} ({kind})" if kind else name
            _warn(warnings, f"{where}: authorizer {described} is not served here; route open")
    return api_key, authorizer


def _is_api_key(scheme: Mapping[str, Any]) -> bool:
    return (
        scheme.get("type") == "apiKey"
        and str(scheme.get("name", "")).lower() == "x-api-key"
        and scheme.get("in") == "header"
        and "x-amazon-apigateway-authtype" not in scheme
    )


def _lambda_authorizer(
    name: str, scheme: Mapping[str, Any], functions: Mapping[str, Any]
) -> Authorizer | None:
    """The REST API Lambda authorizer `scheme` describes, if its function runs here."""
    settings = scheme.get(AUTHORIZER_KEY)
    if not isinstance(settings, Mapping):
        return None
    kind = _LAMBDA_TYPES.get(str(settings.get("type", "")).lower())
    function = lambda_function_name(str(settings.get("authorizerUri", "")), {})
    if kind is None or function is None or function not in functions:
        return None
    source = settings.get("identitySource")
    if source is None and kind == "TOKEN":
        header = scheme.get("name") or "Authorization"
        source = f"method.request.header.{header}" if scheme.get("in") == "header" else None
    try:
        return Authorizer(
            function_name=function,
            type=kind,
            identity_source=parse_identity_source(str(source))
            if source
            else (DEFAULT_IDENTITY_SOURCE,)
            if kind == "TOKEN"
            else (),
            ttl_s=int(settings.get("authorizerResultTtlInSeconds", DEFAULT_TTL_S)),
            name=name,
        )
    except (ApiDefinitionError, ValueError):
        return None


def _warn(warnings: list[str] | None, line: str) -> None:
    if warnings is not None and line not in warnings:
        warnings.append(line)
