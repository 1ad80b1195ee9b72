"""An OpenAPI 3 document with `x-amazon-apigateway-integration` extensions, as an `ApiDefinition`.

Ours, because moto's `import_rest_api` crashes on MOCK integrations and drops parameters.
An operation without an integration is refused, as AWS's import refuses it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from course_cli.gateway.definition import (
    INTEGRATION_TYPES,
    ApiDefinition,
    FunctionConfig,
    Integration,
    Method,
    build_api,
)
from course_cli.gateway.errors import ApiDefinitionError
from course_cli.gateway.invoker import INTEGRATION_TIMEOUT_S
from course_cli.sandbox.rest_api import lambda_function_name

INTEGRATION_KEY: Final = "x-amazon-apigateway-integration"
_VERBS: Final = {
    "get": "GET",
    "post": "POST",
    "put": "PUT",
    "delete": "DELETE",
    "patch": "PATCH",
    "head": "HEAD",
    "options": "OPTIONS",
    "x-amazon-apigateway-any-method": "ANY",
}
_LOCATIONS: Final = {"path": "path", "query": "querystring", "header": "header"}


def read_openapi(
    document: Mapping[str, Any],
    *,
    functions: Mapping[str, FunctionConfig] | None = None,
    stage: str = "prod",
    source: str = "OpenAPI document",
) -> ApiDefinition:
    """The API `document` describes; `functions` maps Lambda function names to handlers.

    Raises `ApiDefinitionError` naming the operation for what AWS's import would refuse.
    """
    if not str(document.get("openapi", "")).startswith("3"):
        raise ApiDefinitionError(f"{source}: not an OpenAPI 3 document (no 'openapi: 3.x')")
    paths = document.get("paths")
    if not isinstance(paths, Mapping) or not paths:
        raise ApiDefinitionError(f"{source}: 'paths' must hold at least one path")
    routes = []
    methods: dict[tuple[str, str], Method] = {}
    for path, operations in paths.items():
        for key, operation in (operations or {}).items():
            verb = _VERBS.get(key)
            if verb is None:
                continue  # `parameters`, `summary`, other extensions
            where = f"{source}: {verb} {path}"
            integration = _integration(where, (operation or {}).get(INTEGRATION_KEY))
            routes.append((path, verb, integration))
            methods[(path, verb)] = Method(
                verb, integration, request_parameters=_parameters(operation)
            )
    info = document.get("info") or {}
    try:
        definition = build_api(
            routes,
            name=str(info.get("title", "api")),
            stage=stage,
            binary_media_types=tuple(document.get("x-amazon-apigateway-binary-media-types", ())),
            functions=dict(functions or {}),
        )
    except ApiDefinitionError as error:
        raise ApiDefinitionError(f"{source}: {error.message}", hint=error.hint) from None
    return _with_methods(definition, methods)


def _integration(where: str, raw: Any) -> Integration:
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
    return Integration(
        type=kind,
        function_name=lambda_function_name(uri, {}) if ":lambda:path/" in uri else None,
        uri=uri,
        http_method=str(raw.get("httpMethod", "POST")).upper(),
        integration_timeout_s=int(raw.get("timeoutInMillis", INTEGRATION_TIMEOUT_S * 1000)) / 1000,
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
        content_handling=raw.get("contentHandling"),
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


def _with_methods(
    definition: ApiDefinition, methods: Mapping[tuple[str, str], Method]
) -> ApiDefinition:
    """`build_api` made plain methods; put back the request parameters read from the document."""
    from dataclasses import replace

    resources = tuple(
        replace(
            resource,
            methods={
                verb: replace(methods[(resource.path, verb)], integration=method.integration)
                for verb, method in resource.methods.items()
            },
        )
        for resource in definition.resources
    )
    return replace(definition, resources=resources)
