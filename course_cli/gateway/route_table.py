"""Our JSON route table: the small API definition format of `course serve --api api.json`.

The format, key by key, is in the README ("Route tables"); `payloadFormatVersion` "2.0" makes
it an HTTP API at `$default`, with AWS_PROXY routes and a `"$default"` route.

The loader rejects what AWS rejects and names the bad key. With `methodResponses` it also
enforces what AWS enforces (`definition.check_method_responses`): an integration response may
set only the headers its status's method response declares, and a status no method response
declares fails with AWS's 500. Without them (a convenience of this format, as the console
creates a 200 method response) every status and header is allowed; proxy integrations ignore
method responses, as on AWS.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Final

from course_cli.gateway.api_keys import check_api_key_values, require_api_key
from course_cli.gateway.authorizers import Authorizer, authorizer_from_table, with_authorizers
from course_cli.gateway.definition import (
    INTEGRATION_TYPES,
    ApiDefinition,
    FunctionConfig,
    Integration,
    Method,
    build_api,
    check_method,
    check_method_responses,
    check_resource_path,
)
from course_cli.gateway.errors import ApiDefinitionError
from course_cli.gateway.gateway_responses import GatewayResponse
from course_cli.gateway.http_api import INTEGRATION_TIMEOUT_S
from course_cli.gateway.invoker import (
    DEFAULT_FUNCTION_TIMEOUT_S,
    FUNCTION_TIMEOUT_HINT,
    FUNCTION_TIMEOUT_RULE,
    is_function_timeout,
)
from course_cli.gateway.json_checks import (
    json_flag,
    json_object,
    json_string,
    json_strings,
    json_type,
    known_keys,
    status_code,
)
from course_cli.gateway.routing import DEFAULT_STAGE

_TABLE_KEYS: Final = (
    "name",
    "apiId",
    "stage",
    "stageVariables",
    "binaryMediaTypes",
    "functions",
    "routes",
    "gatewayResponses",
    "apiKeys",
    "payloadFormatVersion",
)
_GATEWAY_RESPONSE_KEYS: Final = ("statusCode", "responseParameters", "responseTemplates")
_FUNCTION_KEYS: Final = ("handler", "timeout")
# A route table is a few KB: one far larger is not one (and is not read).
MAX_TABLE_BYTES: Final = 1024 * 1024
_ROUTE_KEYS: Final = (
    "resource",
    "method",
    "integration",
    "methodResponses",
    "authorizer",
    "apiKeyRequired",
)
_METHOD_RESPONSE_KEYS: Final = ("statusCode", "responseParameters")
_INTEGRATION_KEYS: Final = (
    "type",
    "function",
    "uri",
    "httpMethod",
    "requestParameters",
    "requestTemplates",
    "passthroughBehavior",
    "integrationResponses",
)
_RESPONSE_KEYS: Final = (
    "statusCode",
    "selectionPattern",
    "responseTemplates",
    "responseParameters",
)
_PASSTHROUGH: Final = ("WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER")


def load_route_table(data: Any, *, source: str = "route table") -> ApiDefinition:
    """An `ApiDefinition` from our JSON route table (format: the README, "Route tables").

    Raises `ApiDefinitionError` naming the first bad key, e.g.
    `api.json: routes[1].method: 'FETCH' is not a method API Gateway accepts`.
    """
    table = json_object(data, source)
    known_keys(table, _TABLE_KEYS, source)
    name = json_string(table.get("name", "api"), f"{source}: name")
    stage = json_string(table.get("stage", "prod"), f"{source}: stage")
    if not re.fullmatch(r"[A-Za-z0-9_-]+", stage):
        raise ApiDefinitionError(f"{source}: stage {stage!r} may only hold a-zA-Z0-9_-")
    variables = json_object(table.get("stageVariables", {}), f"{source}: stageVariables")
    for key, value in variables.items():
        json_string(value, f"{source}: stageVariables.{key}")
    media = table.get("binaryMediaTypes", [])
    if not isinstance(media, list):
        raise ApiDefinitionError(f"{source}: binaryMediaTypes must be a list of media types")
    for index, item in enumerate(media):
        json_string(item, f"{source}: binaryMediaTypes[{index}]")
    functions = _functions(table.get("functions", {}), source)
    routes = table.get("routes")
    if not isinstance(routes, list) or not routes:
        raise ApiDefinitionError(
            f"{source}: routes must be a non-empty list",
            hint='e.g. "routes": [{"resource": "/products", "method": "GET", ...}]',
        )
    http_api = _payload_format(table, source) == "2.0"
    if http_api and "stage" in table:
        raise ApiDefinitionError(
            f"{source}: stage: an HTTP API serves its $default stage (payloadFormatVersion 2.0)",
            hint='leave out "stage"',
        )
    triples = []
    default_route: Method | None = None
    method_responses: dict[tuple[str, str], dict[str, dict[str, bool]]] = {}
    authorizers: dict[tuple[str, str], Authorizer] = {}
    keyed: set[tuple[str, str]] = set()  # the routes with apiKeyRequired
    for index, route in enumerate(routes):
        where = f"{source}: routes[{index}]"
        is_default = http_api and isinstance(route, dict) and route.get("resource") == "$default"
        path, verb, integration = _route(
            {**route, "resource": "/"} if is_default else route, where, functions
        )
        if http_api:
            integration = _http_api_integration(route, integration, where)
        if is_default:
            if verb != "ANY":
                raise ApiDefinitionError(f"{where}.method: the $default route's method is ANY")
            default_route = Method(http_method="ANY", integration=integration)
            continue
        triples.append((path, verb, integration))
        if "methodResponses" in route:
            declared = _method_responses(route["methodResponses"], f"{where}.methodResponses")
            check_method_responses(declared, integration, where=where)
            method_responses[(path, verb)] = declared
        if "authorizer" in route:
            guard = authorizer_from_table(route["authorizer"], f"{where}.authorizer", functions)
            authorizers[(path, verb)] = guard
        if json_flag(route.get("apiKeyRequired", False), f"{where}.apiKeyRequired"):
            keyed.add((path, verb))
    settings: dict[str, Any] = {
        "method_responses": method_responses,
        "stage": DEFAULT_STAGE if http_api else stage,
        "default_route": default_route,
        "stage_variables": dict(variables) or None,
        "binary_media_types": tuple(media),
        "functions": functions,
    }
    if "apiId" in table:
        settings["api_id"] = json_string(table["apiId"], f"{source}: apiId")
    if "gatewayResponses" in table:
        settings["gateway_responses"] = _gateway_responses(table["gatewayResponses"], source)
    if "apiKeys" in table:
        if http_api or not isinstance(table["apiKeys"], list):
            raise ApiDefinitionError(
                f"{source}: apiKeys must be a list of key values"
                + (", and only a REST API has API keys" if http_api else ""),
                hint='e.g. "apiKeys": ["my-key-1234567890abcdefgh"]',
            )
        settings["api_keys"] = check_api_key_values(table["apiKeys"], f"{source}: apiKeys")
    try:
        definition = build_api(triples, name=name, **settings)
        return require_api_key(with_authorizers(definition, authorizers), keyed)
    except ApiDefinitionError as error:
        raise ApiDefinitionError(f"{source}: {error.message}", hint=error.hint) from None


def _payload_format(table: Mapping[str, Any], source: str) -> str:
    version = table.get("payloadFormatVersion", "1.0")
    if version not in ("1.0", "2.0"):
        raise ApiDefinitionError(
            f"{source}: payloadFormatVersion {version!r} is not one API Gateway knows",
            hint='"1.0" (a REST API, the default) or "2.0" (an HTTP API)',
        )
    return str(version)


def _http_api_integration(
    route: Mapping[str, Any], integration: Integration, where: str
) -> Integration:
    """An HTTP API route's integration: a Lambda proxy sending payload format 2.0."""
    if integration.type != "AWS_PROXY":
        raise ApiDefinitionError(
            f"{where}.integration.type: an HTTP API route here is a Lambda proxy (AWS_PROXY); "
            f"{integration.type} needs a REST API",
            hint='leave out "payloadFormatVersion" for mapping templates and MOCK',
        )
    for key in ("methodResponses", "authorizer", "apiKeyRequired"):
        if key in route:
            raise ApiDefinitionError(
                f"{where}.{key}: not in an HTTP API route table",
                hint="HTTP APIs have no method responses; for an authorizer use "
                "course invoke/serve HANDLER --payload 2.0 --authorizer AUTH.py",
            )
    return replace(integration, payload_format="2.0", integration_timeout_s=INTEGRATION_TIMEOUT_S)


def read_route_table(path: Path) -> ApiDefinition:
    """`load_route_table` for a JSON file; unreadable or invalid JSON is an `ApiDefinitionError`."""
    from course_cli.textfile import UnusableFile, read_small_text

    try:
        data = json.loads(read_small_text(path, MAX_TABLE_BYTES))
    except OSError as error:
        raise ApiDefinitionError(f"cannot read {path}: {error.strerror}") from None
    except UnusableFile as error:
        raise ApiDefinitionError(f"cannot read {path}: {error}") from None
    except json.JSONDecodeError as error:
        raise ApiDefinitionError(
            f"{path} is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        ) from None
    except (ValueError, RecursionError):  # a number of 5,000 digits; arrays nested too deep
        raise ApiDefinitionError(
            f"{path} is not a route table: a number too long or nesting too deep"
        ) from None
    return load_route_table(data, source=str(path))


def _gateway_responses(data: Any, source: str) -> dict[str, GatewayResponse]:
    responses = {}
    for kind, spec in json_object(data, f"{source}: gatewayResponses").items():
        where = f"{source}: gatewayResponses.{kind}"
        known_keys(json_object(spec, where), _GATEWAY_RESPONSE_KEYS, where)
        raw = {
            "responseType": kind,
            "statusCode": None if "statusCode" not in spec else str(spec["statusCode"]),
            "responseParameters": json_strings(spec, "responseParameters", where),
            "responseTemplates": json_strings(spec, "responseTemplates", where),
        }
        responses[kind] = GatewayResponse.from_aws(raw, where=where)
    return responses


def _functions(data: Any, source: str) -> dict[str, FunctionConfig]:
    functions: dict[str, FunctionConfig] = {}
    for name, spec in json_object(data, f"{source}: functions").items():
        where = f"{source}: functions.{name}"
        spec = json_object(spec, where)
        known_keys(spec, _FUNCTION_KEYS, where)
        handler = json_string(spec.get("handler"), f"{where}.handler")
        timeout = spec.get("timeout", DEFAULT_FUNCTION_TIMEOUT_S)
        if not is_function_timeout(timeout):
            raise ApiDefinitionError(
                f"{where}.timeout: {timeout!r} is not a Lambda timeout: {FUNCTION_TIMEOUT_RULE}",
                hint=FUNCTION_TIMEOUT_HINT,
            )
        functions[name] = FunctionConfig(name=name, handler=handler, timeout_s=float(timeout))
    return functions


def _route(
    data: Any, where: str, functions: Mapping[str, FunctionConfig]
) -> tuple[str, str, Integration]:
    route = json_object(data, where)
    known_keys(route, _ROUTE_KEYS, where)
    path = json_string(route.get("resource"), f"{where}.resource")
    check_resource_path(path, where=f"{where}.resource")
    verb = json_string(route.get("method"), f"{where}.method")
    check_method(verb, where=f"{where}.method")
    spec = json_object(route.get("integration"), f"{where}.integration")
    known_keys(spec, _INTEGRATION_KEYS, f"{where}.integration")
    where = f"{where}.integration"
    kind = json_string(spec.get("type", "AWS_PROXY"), f"{where}.type")
    if kind not in INTEGRATION_TYPES:
        raise ApiDefinitionError(
            f"{where}.type: {kind!r} is not an integration type",
            hint=f"use one of {', '.join(INTEGRATION_TYPES)}",
        )
    settings: dict[str, Any] = {"type": kind}
    if kind in ("AWS", "AWS_PROXY"):
        function = json_string(spec.get("function"), f"{where}.function")
        if function not in functions:
            known = ", ".join(sorted(functions)) or "none"
            raise ApiDefinitionError(
                f"{where}.function: no function {function!r} in functions",
                hint=f"functions defined: {known}",
            )
        settings |= {"function_name": function, "timeout_s": functions[function].timeout_s}
    elif kind in ("HTTP", "HTTP_PROXY"):
        settings["uri"] = json_string(spec.get("uri"), f"{where}.uri")
        settings["http_method"] = json_string(spec.get("httpMethod", "ANY"), f"{where}.httpMethod")
    settings["request_parameters"] = json_strings(spec, "requestParameters", where)
    settings["request_templates"] = json_strings(spec, "requestTemplates", where)
    passthrough = spec.get("passthroughBehavior", "WHEN_NO_MATCH")
    if passthrough not in _PASSTHROUGH:
        raise ApiDefinitionError(
            f"{where}.passthroughBehavior: {passthrough!r} is not one AWS knows",
            hint=f"use one of {', '.join(_PASSTHROUGH)}",
        )
    settings["passthrough_behavior"] = passthrough
    settings["integration_responses"] = _responses(spec.get("integrationResponses", []), where)
    return path, verb, Integration(**settings)


def _method_responses(value: Any, where: str) -> dict[str, dict[str, bool]]:
    if not isinstance(value, list):
        raise ApiDefinitionError(f"{where} must be a list of method responses")
    declared: dict[str, dict[str, bool]] = {}
    for index, item in enumerate(value):
        at = f"{where}[{index}]"
        response = json_object(item, at)
        known_keys(response, _METHOD_RESPONSE_KEYS, at)
        status = status_code(response.get("statusCode", ""), at)
        if status in declared:
            raise ApiDefinitionError(
                f"{at}.statusCode: {status} is declared twice; AWS refuses it: "
                "ConflictException: Response already exists for this resource"
            )
        headers = json_object(response.get("responseParameters", {}), f"{at}.responseParameters")
        for name, required in headers.items():
            if not isinstance(required, bool):
                raise ApiDefinitionError(
                    f"{at}.responseParameters.{name} must be true or false (is the header "
                    f"required?), not {json_type(required)}"
                )
        declared[status] = dict(headers)
    return declared


def _responses(value: Any, where: str) -> tuple[dict[str, Any], ...]:
    if not isinstance(value, list):
        raise ApiDefinitionError(f"{where}.integrationResponses must be a list")
    responses = []
    for index, item in enumerate(value):
        at = f"{where}.integrationResponses[{index}]"
        response = json_object(item, at)
        known_keys(response, _RESPONSE_KEYS, at)
        status = status_code(response.get("statusCode", ""), at)
        pattern = response.get("selectionPattern")
        if pattern is not None:
            try:
                re.compile(json_string(pattern, f"{at}.selectionPattern") if pattern else "")
            except re.error as error:
                raise ApiDefinitionError(
                    f"{at}.selectionPattern: {pattern!r} is not a regular expression ({error})"
                ) from None
        responses.append(
            {
                "statusCode": status,
                "selectionPattern": pattern or None,
                "responseTemplates": json_strings(response, "responseTemplates", at),
                "responseParameters": json_strings(response, "responseParameters", at),
            }
        )
    return tuple(responses)
