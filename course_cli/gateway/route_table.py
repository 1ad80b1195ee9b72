"""Our JSON route table: the small API definition format of `course serve --api api.json`.

The format, key by key, is in the README ("Route tables"): `functions` (each a `handler` and a
`timeout`), `routes` (a `resource`, a `method`, an `integration` in the words of
`put_integration` / `put_integration_response`, optional `methodResponses` and `authorizer`),
and optional `name`, `apiId`, `stage`, `stageVariables`, `binaryMediaTypes`,
`gatewayResponses` and `payloadFormatVersion` ("2.0": an HTTP API at `$default`, AWS_PROXY
routes only, a `"$default"` route for what nothing else matches).

The loader rejects what AWS rejects and names the bad key. With `methodResponses` it also
enforces what AWS enforces (`definition.check_method_responses`): an integration response may
set only the headers its status's method response declares, and a status no method response
declares fails with AWS's 500. Without them (a convenience of this format, as the console
creates a 200 method response) every status and header is allowed; proxy integrations ignore
method responses, as on AWS.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Final

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
    "payloadFormatVersion",
)
_GATEWAY_RESPONSE_KEYS: Final = ("statusCode", "responseParameters", "responseTemplates")
_FUNCTION_KEYS: Final = ("handler", "timeout")
# A route table is a few KB: one far larger is not one (and is not read).
MAX_TABLE_BYTES: Final = 1024 * 1024
_ROUTE_KEYS: Final = ("resource", "method", "integration", "methodResponses", "authorizer")
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
    table = _object(data, source)
    _known_keys(table, _TABLE_KEYS, source)
    name = _string(table.get("name", "api"), f"{source}: name")
    stage = _string(table.get("stage", "prod"), f"{source}: stage")
    if not re.fullmatch(r"[A-Za-z0-9_-]+", stage):
        raise ApiDefinitionError(f"{source}: stage {stage!r} may only hold a-zA-Z0-9_-")
    variables = _object(table.get("stageVariables", {}), f"{source}: stageVariables")
    for key, value in variables.items():
        _string(value, f"{source}: stageVariables.{key}")
    media = table.get("binaryMediaTypes", [])
    if not isinstance(media, list):
        raise ApiDefinitionError(f"{source}: binaryMediaTypes must be a list of media types")
    for index, item in enumerate(media):
        _string(item, f"{source}: binaryMediaTypes[{index}]")
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
    settings: dict[str, Any] = {
        "method_responses": method_responses,
        "stage": DEFAULT_STAGE if http_api else stage,
        "default_route": default_route,
        "stage_variables": dict(variables) or None,
        "binary_media_types": tuple(media),
        "functions": functions,
    }
    if "apiId" in table:
        settings["api_id"] = _string(table["apiId"], f"{source}: apiId")
    if "gatewayResponses" in table:
        settings["gateway_responses"] = _gateway_responses(table["gatewayResponses"], source)
    try:
        return with_authorizers(build_api(triples, name=name, **settings), authorizers)
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
    for key in ("methodResponses", "authorizer"):
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
    for kind, spec in _object(data, f"{source}: gatewayResponses").items():
        where = f"{source}: gatewayResponses.{kind}"
        _known_keys(_object(spec, where), _GATEWAY_RESPONSE_KEYS, where)
        raw = {
            "responseType": kind,
            "statusCode": None if "statusCode" not in spec else str(spec["statusCode"]),
            "responseParameters": _strings(
                spec.get("responseParameters", {}), where, "responseParameters"
            ),
            "responseTemplates": _strings(
                spec.get("responseTemplates", {}), where, "responseTemplates"
            ),
        }
        responses[kind] = GatewayResponse.from_aws(raw, where=where)
    return responses


def _functions(data: Any, source: str) -> dict[str, FunctionConfig]:
    functions: dict[str, FunctionConfig] = {}
    for name, spec in _object(data, f"{source}: functions").items():
        where = f"{source}: functions.{name}"
        spec = _object(spec, where)
        _known_keys(spec, _FUNCTION_KEYS, where)
        handler = _string(spec.get("handler"), f"{where}.handler")
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
    route = _object(data, where)
    _known_keys(route, _ROUTE_KEYS, where)
    path = _string(route.get("resource"), f"{where}.resource")
    check_resource_path(path, where=f"{where}.resource")
    verb = _string(route.get("method"), f"{where}.method")
    check_method(verb, where=f"{where}.method")
    spec = _object(route.get("integration"), f"{where}.integration")
    _known_keys(spec, _INTEGRATION_KEYS, f"{where}.integration")
    where = f"{where}.integration"
    kind = _string(spec.get("type", "AWS_PROXY"), f"{where}.type")
    if kind not in INTEGRATION_TYPES:
        raise ApiDefinitionError(
            f"{where}.type: {kind!r} is not an integration type",
            hint=f"use one of {', '.join(INTEGRATION_TYPES)}",
        )
    settings: dict[str, Any] = {"type": kind}
    if kind in ("AWS", "AWS_PROXY"):
        function = _string(spec.get("function"), f"{where}.function")
        if function not in functions:
            known = ", ".join(sorted(functions)) or "none"
            raise ApiDefinitionError(
                f"{where}.function: no function {function!r} in functions",
                hint=f"functions defined: {known}",
            )
        settings |= {"function_name": function, "timeout_s": functions[function].timeout_s}
    elif kind in ("HTTP", "HTTP_PROXY"):
        settings["uri"] = _string(spec.get("uri"), f"{where}.uri")
        settings["http_method"] = _string(spec.get("httpMethod", "ANY"), f"{where}.httpMethod")
    settings["request_parameters"] = _strings(
        spec.get("requestParameters", {}), where, "requestParameters"
    )
    settings["request_templates"] = _strings(
        spec.get("requestTemplates", {}), where, "requestTemplates"
    )
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
        response = _object(item, at)
        _known_keys(response, _METHOD_RESPONSE_KEYS, at)
        status = _status_code(response.get("statusCode", ""), at)
        if status in declared:
            raise ApiDefinitionError(
                f"{at}.statusCode: {status} is declared twice; AWS refuses it: "
                "ConflictException: Response already exists for this resource"
            )
        headers = _object(response.get("responseParameters", {}), f"{at}.responseParameters")
        for name, required in headers.items():
            if not isinstance(required, bool):
                raise ApiDefinitionError(
                    f"{at}.responseParameters.{name} must be true or false (is the header "
                    f"required?), not {_json_type(required)}"
                )
        declared[status] = dict(headers)
    return declared


def _status_code(value: Any, where: str) -> str:
    status = str(value)
    if not re.fullmatch(r"[1-5]\d\d", status):
        raise ApiDefinitionError(f"{where}.statusCode: {status!r} is not an HTTP status code")
    return status


def _strings(value: Any, where: str, key: str) -> dict[str, str]:
    mapping = _object(value, f"{where}.{key}")
    for name, item in mapping.items():
        if not isinstance(item, str):
            raise ApiDefinitionError(f"{where}.{key}.{name} must be a string")
    return dict(mapping)


def _responses(value: Any, where: str) -> tuple[dict[str, Any], ...]:
    if not isinstance(value, list):
        raise ApiDefinitionError(f"{where}.integrationResponses must be a list")
    responses = []
    for index, item in enumerate(value):
        at = f"{where}.integrationResponses[{index}]"
        response = _object(item, at)
        _known_keys(response, _RESPONSE_KEYS, at)
        status = _status_code(response.get("statusCode", ""), at)
        pattern = response.get("selectionPattern")
        if pattern is not None:
            try:
                re.compile(_string(pattern, f"{at}.selectionPattern") if pattern else "")
            except re.error as error:
                raise ApiDefinitionError(
                    f"{at}.selectionPattern: {pattern!r} is not a regular expression ({error})"
                ) from None
        responses.append(
            {
                "statusCode": status,
                "selectionPattern": pattern or None,
                "responseTemplates": _strings(
                    response.get("responseTemplates", {}), at, "responseTemplates"
                ),
                "responseParameters": _strings(
                    response.get("responseParameters", {}), at, "responseParameters"
                ),
            }
        )
    return tuple(responses)


def _object(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        raise ApiDefinitionError(f"{where} is missing")
    if not isinstance(value, dict):
        raise ApiDefinitionError(f"{where} must be a JSON object, not {_json_type(value)}")
    return value


def _string(value: Any, where: str) -> str:
    if value is None:
        raise ApiDefinitionError(f"{where} is missing")
    if not isinstance(value, str) or not value:
        raise ApiDefinitionError(f"{where} must be a non-empty string, not {_json_type(value)}")
    return value


def _known_keys(data: Mapping[str, Any], known: Iterable[str], where: str) -> None:
    known = tuple(known)
    for key in data:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
            raise ApiDefinitionError(f"{where}: unknown key {key!r}", hint=hint)


def _json_type(value: Any) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string"}
    names |= {list: "a list", dict: "an object", type(None): "null"}
    return names.get(type(value), type(value).__name__)
