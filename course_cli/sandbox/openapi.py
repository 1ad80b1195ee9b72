"""An OpenAPI 3 or Swagger 2.0 document with `x-amazon-apigateway-integration` extensions, as an
`ApiDefinition`: a REST API, or with `http_api` an HTTP API (payload 2.0, `$default` route).

Ours, because moto's `import_rest_api` crashes on MOCK integrations and drops parameters.
An operation without an integration is refused, as AWS's import refuses it. Swagger 2.0 is
what SAM's translator writes for a REST API; an `x-api-key` security scheme makes a method
require an API key, a Lambda authorizer guards its routes (`openapi_security.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Final

from course_cli.gateway.authorizers import Authorizer, with_authorizers
from course_cli.gateway.definition import (
    HTTP_METHODS,
    INTEGRATION_TYPES,
    ApiDefinition,
    FunctionConfig,
    Integration,
    Method,
    build_api,
)
from course_cli.gateway.errors import ApiDefinitionError
from course_cli.gateway.invoker import INTEGRATION_TIMEOUT_S
from course_cli.sandbox.openapi_security import read_security, security_schemes
from course_cli.sandbox.rest_api import lambda_function_name

INTEGRATION_KEY: Final = "x-amazon-apigateway-integration"
# OpenAPI's operation keys: the verbs in lower case, and API Gateway's own key for ANY.
_VERBS: Final = {verb.lower(): verb for verb in HTTP_METHODS if verb != "ANY"} | {
    "x-amazon-apigateway-any-method": "ANY"
}
_LOCATIONS: Final = {"path": "path", "query": "querystring", "header": "header"}
_DEFAULT_ROUTE: Final = "/$default"  # an HTTP API's catch-all, as OpenAPI writes it


def read_openapi(
    document: Mapping[str, Any],
    *,
    functions: Mapping[str, FunctionConfig] | None = None,
    stage: str = "prod",
    source: str = "OpenAPI document",
    api_id: str | None = None,
    http_api: bool = False,
    warnings: list[str] | None = None,
) -> ApiDefinition:
    """The API `document` describes; `functions` maps Lambda function names to handlers.

    Raises `ApiDefinitionError` naming the operation for what AWS's import would refuse.
    What is read but not served (authorizers) is added to `warnings`, one line each.
    """
    if not (
        str(document.get("openapi", "")).startswith("3") or str(document.get("swagger")) == "2.0"
    ):
        raise ApiDefinitionError(
            f"{source}: not an OpenAPI 3 document nor Swagger 2.0 "
            "(no 'openapi: 3.x', no 'swagger: \"2.0\"')"
        )
    paths = document.get("paths")
    if not isinstance(paths, Mapping) or not paths:
        raise ApiDefinitionError(f"{source}: 'paths' must hold at least one path")
    schemes = security_schemes(document)
    routes = []
    methods: dict[tuple[str, str], Method] = {}
    authorizers: dict[tuple[str, str], Authorizer] = {}
    default_route = None
    for path, operations in paths.items():
        for key, operation in (operations or {}).items():
            verb = _VERBS.get(key)
            if verb is None:
                continue  # `parameters`, `summary`, other extensions
            where = f"{source}: {verb} {path}"
            integration = _integration(where, (operation or {}).get(INTEGRATION_KEY), http_api)
            config = (functions or {}).get(integration.function_name or "")
            if config is not None:  # the function's own timeout, as Lambda holds it
                integration = replace(integration, timeout_s=config.timeout_s)
            security = (operation or {}).get("security", document.get("security")) or ()
            api_key, authorizer = read_security(
                where,
                security,
                schemes,
                functions=functions or {},
                http_api=http_api,
                warnings=warnings,
            )
            method = Method(
                verb,
                integration,
                api_key_required=api_key,
                request_parameters=_parameters(operation or {}),
            )
            if http_api and path == _DEFAULT_ROUTE:
                default_route = method
                continue
            routes.append((path, verb, integration))
            methods[(path, verb)] = method
            if authorizer is not None:
                authorizers[(path, verb)] = authorizer
    info = document.get("info") or {}
    settings: dict[str, Any] = {"stage": stage}
    if http_api:
        from course_cli.gateway.routing import DEFAULT_STAGE

        settings = {"stage": DEFAULT_STAGE, "default_route": default_route}
    try:
        definition = build_api(
            routes,
            name=str(info.get("title", "api")),
            api_id=api_id,
            binary_media_types=tuple(document.get("x-amazon-apigateway-binary-media-types", ())),
            functions=dict(functions or {}),
            **settings,
        )
    except ApiDefinitionError as error:
        raise ApiDefinitionError(f"{source}: {error.message}", hint=error.hint) from None
    # `build_api` made plain methods (with these integrations): put back the document's.
    resources = tuple(
        replace(
            resource, methods={verb: methods[(resource.path, verb)] for verb in resource.methods}
        )
        for resource in definition.resources
    )
    return with_authorizers(replace(definition, resources=resources), authorizers)


def _integration(where: str, raw: Any, http_api: bool = False) -> Integration:
    if not isinstance(raw, Mapping):
        raise ApiDefinitionError(
            f"{where} has no {INTEGRATION_KEY}; AWS's import refuses it: No integration "
            "defined for method",
        )
    kind = str(raw.get("type", "")).upper()
    if kind not in INTEGRATION_TYPES:
        raise ApiDefinitionError(
            f"{where}: integration type {raw.get('type')!r} does not exist",
            hint=f"one of {', '.join(t.lower() for t in INTEGRATION_TYPES)}",
        )
    uri = str(raw.get("uri", ""))
    if kind != "MOCK" and not uri:
        raise ApiDefinitionError(f"{where}: a {kind} integration needs a uri")
    responses = raw.get("responses") or {}
    extra: dict[str, Any] = {}
    timeout_s = INTEGRATION_TIMEOUT_S
    if http_api:
        from course_cli.gateway.http_api import INTEGRATION_TIMEOUT_S as HTTP_API_TIMEOUT_S

        # An HTTP API's Lambda integrations default to payload 2.0 (SAM writes it anyway).
        extra["payload_format"] = str(raw.get("payloadFormatVersion", "2.0"))
        timeout_s = HTTP_API_TIMEOUT_S
    return Integration(
        type=kind,
        function_name=lambda_function_name(uri, {}) if ":lambda:path/" in uri else None,
        uri=uri,
        http_method=str(raw.get("httpMethod", "POST")).upper(),
        integration_timeout_s=int(raw.get("timeoutInMillis", timeout_s * 1000)) / 1000,
        request_templates=dict(raw.get("requestTemplates") or {}),
        request_parameters=dict(raw.get("requestParameters") or {}),
        # OpenAPI keys responses by selection pattern; API Gateway's model by status code.
        integration_responses=tuple(
            {**dict(spec), "selectionPattern": pattern}
            if pattern != "default"
            else {**dict(spec), "selectionPattern": ""}
            for pattern, spec in responses.items()
        ),
        passthrough_behavior=str(raw.get("passthroughBehavior", "when_no_match")).upper(),
        **extra,
    )


def _parameters(operation: Mapping[str, Any]) -> dict[str, bool]:
    found = {}
    for parameter in operation.get("parameters") or ():
        location = _LOCATIONS.get(parameter.get("in", ""))
        if location is not None and "name" in parameter:
            found[f"method.request.{location}.{parameter['name']}"] = bool(
                parameter.get("required", location == "path")
            )
    return found
