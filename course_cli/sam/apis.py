"""The APIs of an expanded template as one `ApiDefinition`, read by the sandbox's OpenAPI reader.

SAM's translator writes every REST API (the implicit one of `Api` events, each
`AWS::Serverless::Api`) as a Swagger or OpenAPI `Body`, and every HTTP API the same way.
As `sam local start-api` does, all REST APIs are served together on one port, their paths
merged (the first API keeps a path given twice, with a warning); with no REST API, the HTTP
APIs are served instead (payload 2.0). What the reader does not serve is named in warnings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from course_cli.gateway.definition import ApiDefinition, FunctionConfig
from course_cli.gateway.errors import ApiDefinitionError
from course_cli.sam.intrinsics import Intrinsics, Unresolvable
from course_cli.sam.resources import HTTP_API, REST_API, REST_STAGE, api_id_for
from course_cli.sam.template import TemplateError

_NOT_READ: Final = {
    "x-amazon-apigateway-gateway-responses": "gateway responses",
    "x-amazon-apigateway-request-validators": "request validators",
    "x-amazon-apigateway-policy": "a resource policy",
}


def build_definition(
    resources: Mapping[str, Mapping[str, Any]],
    intrinsics: Intrinsics,
    functions: Mapping[str, FunctionConfig],
    warnings: list[str],
    *,
    name: str,
    source: str,
) -> ApiDefinition | None:
    """The API to serve, or None when the template has none (functions to invoke only)."""
    from course_cli.sandbox.openapi import read_openapi

    rest = _bodies(resources, REST_API, intrinsics, warnings)
    http = _bodies(resources, HTTP_API, intrinsics, warnings)
    if rest and http:
        for logical_id in http:
            warnings.append(
                f"HTTP API {logical_id} is not served: a port serves either the REST APIs or "
                "the HTTP APIs, and this template has REST APIs"
            )
    chosen = rest or http
    if not chosen:
        return None
    first = next(iter(chosen))
    document = _merged(chosen, warnings)
    document.setdefault("info", {})["title"] = name
    try:
        return read_openapi(
            document,
            functions=functions,
            stage=_stage_of(resources, first),
            source=source,
            api_id=api_id_for(first),
            http_api=not rest,
            warnings=warnings,
        )
    except ApiDefinitionError as error:
        raise TemplateError(error.message, hint=error.hint) from None


def _bodies(
    resources: Mapping[str, Mapping[str, Any]],
    kind: str,
    intrinsics: Intrinsics,
    warnings: list[str],
) -> dict[str, dict[str, Any]]:
    """Each API of `kind` by logical id: its `Body` with intrinsics resolved."""
    found: dict[str, dict[str, Any]] = {}
    for logical_id, resource in resources.items():
        if resource.get("Type") != kind:
            continue
        properties = resource.get("Properties") or {}
        body = properties.get("Body")
        if not isinstance(body, Mapping):
            where = "BodyS3Location" if "BodyS3Location" in properties else "no Body"
            warnings.append(f"API {logical_id}: its definition is in S3 ({where}); not served")
            continue
        try:
            resolved = intrinsics.resolve(body)
        except Unresolvable as error:
            raise TemplateError(f"API {logical_id}: {error}") from None
        for key, what in _NOT_READ.items():
            if key in resolved:
                warnings.append(f"API {logical_id}: {what} ({key}) are not applied here")
        found[logical_id] = resolved
    return found


def _merged(documents: Mapping[str, dict[str, Any]], warnings: list[str]) -> dict[str, Any]:
    """One document holding every API's paths, security schemes and binary media types."""
    (first_id, first), *others = documents.items()
    merged: dict[str, Any] = {
        **first,
        "paths": {path: dict(ops or {}) for path, ops in (first.get("paths") or {}).items()},
    }
    schemes = dict(_schemes(first))
    media = list(first.get("x-amazon-apigateway-binary-media-types") or ())
    for logical_id, document in others:
        for path, operations in (document.get("paths") or {}).items():
            target = merged["paths"].setdefault(path, {})
            for verb, operation in (operations or {}).items():
                if verb in target:
                    warnings.append(
                        f"API {logical_id}: {verb.upper()} {path} is also in {first_id}; "
                        f"served from {first_id}"
                    )
                    continue
                target[verb] = operation
        schemes.update(_schemes(document))
        media += [m for m in document.get("x-amazon-apigateway-binary-media-types") or () if m]
    if "swagger" in merged:
        merged["securityDefinitions"] = schemes
    else:
        merged.setdefault("components", {})["securitySchemes"] = schemes
    if media:
        merged["x-amazon-apigateway-binary-media-types"] = list(dict.fromkeys(media))
    return merged


def _schemes(document: Mapping[str, Any]) -> Mapping[str, Any]:
    if "securityDefinitions" in document:
        return document.get("securityDefinitions") or {}
    return (document.get("components") or {}).get("securitySchemes") or {}


def _stage_of(resources: Mapping[str, Mapping[str, Any]], api_logical_id: str) -> str:
    """The stage the template deploys the API to (SAM's implicit API: `Prod`)."""
    for resource in resources.values():
        if resource.get("Type") != REST_STAGE:
            continue
        properties = resource.get("Properties") or {}
        if properties.get("RestApiId") == {"Ref": api_logical_id}:
            stage = properties.get("StageName")
            if isinstance(stage, str) and stage:
                return stage
    return "Prod"
