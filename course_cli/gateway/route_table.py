"""Our JSON route table: the small API definition format of `course serve --api api.json`.

```json
{
  "name": "products",                      // optional, default "api"
  "apiId": "a1b2c3d4e5",                   // optional, default derived from the name
  "stage": "prod",                         // optional, default "prod"
  "stageVariables": {"table": "Products"}, // optional, string values
  "binaryMediaTypes": ["image/png"],       // optional
  "functions": {                           // every Lambda function the routes name
    "products": {"handler": "handler.py:handler", "timeout": 3}
  },
  "routes": [                              // one entry per (resource, method)
    {"resource": "/products", "method": "GET",
     "integration": {"type": "AWS_PROXY", "function": "products"}}
  ]
}
```

`resource` is an API Gateway resource path (`/products/{productId}`, `/{proxy+}`); `method` is
one of ANY, DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT; `integration.type` defaults to
AWS_PROXY, the one type course runs today. `handler` is `file.py[:function]`, resolved by the
caller (relative to the JSON file). `timeout` is the function's own timeout in seconds (Lambda's
default 3, at most 900). The loader rejects what AWS rejects (a `{proxy+}` with children, two
different variables under one parent, bad path parts, unknown methods) and names the bad key.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

from course_cli.gateway.definition import (
    INTEGRATION_TYPES,
    ApiDefinition,
    FunctionConfig,
    Integration,
    build_api,
    check_method,
    check_resource_path,
)
from course_cli.gateway.errors import ApiDefinitionError
from course_cli.gateway.invoker import DEFAULT_FUNCTION_TIMEOUT_S

_TABLE_KEYS: Final = (
    "name",
    "apiId",
    "stage",
    "stageVariables",
    "binaryMediaTypes",
    "functions",
    "routes",
)
_FUNCTION_KEYS: Final = ("handler", "timeout")
_ROUTE_KEYS: Final = ("resource", "method", "integration")
_INTEGRATION_KEYS: Final = ("type", "function")


def load_route_table(data: Any, *, source: str = "route table") -> ApiDefinition:
    """An `ApiDefinition` from our JSON route table (format in the module docstring).

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
    triples = [_route(route, f"{source}: routes[{i}]", functions) for i, route in enumerate(routes)]
    settings: dict[str, Any] = {
        "stage": stage,
        "stage_variables": dict(variables) or None,
        "binary_media_types": tuple(media),
        "functions": functions,
    }
    if "apiId" in table:
        settings["api_id"] = _string(table["apiId"], f"{source}: apiId")
    try:
        return build_api(triples, name=name, **settings)
    except ApiDefinitionError as error:
        raise ApiDefinitionError(f"{source}: {error.message}", hint=error.hint) from None


def read_route_table(path: Path) -> ApiDefinition:
    """`load_route_table` for a JSON file; unreadable or invalid JSON is an `ApiDefinitionError`."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ApiDefinitionError(f"cannot read {path}: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise ApiDefinitionError(
            f"{path} is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        ) from None
    return load_route_table(data, source=str(path))


def _functions(data: Any, source: str) -> dict[str, FunctionConfig]:
    functions: dict[str, FunctionConfig] = {}
    for name, spec in _object(data, f"{source}: functions").items():
        where = f"{source}: functions.{name}"
        spec = _object(spec, where)
        _known_keys(spec, _FUNCTION_KEYS, where)
        handler = _string(spec.get("handler"), f"{where}.handler")
        timeout = spec.get("timeout", DEFAULT_FUNCTION_TIMEOUT_S)
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)
            or not 0 < timeout <= 900
        ):
            raise ApiDefinitionError(
                f"{where}.timeout: {timeout!r} is not a Lambda timeout",
                hint="a number of seconds between 1 and 900 (Lambda's default is 3)",
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
    kind = _string(spec.get("type", "AWS_PROXY"), f"{where}.integration.type")
    if kind != "AWS_PROXY":
        hint = "AWS_PROXY is the one type course runs today" if kind in INTEGRATION_TYPES else None
        raise ApiDefinitionError(f"{where}.integration.type: {kind!r} is not supported", hint=hint)
    function = _string(spec.get("function"), f"{where}.integration.function")
    if function not in functions:
        known = ", ".join(sorted(functions)) or "none"
        raise ApiDefinitionError(
            f"{where}.integration.function: no function {function!r} in functions",
            hint=f"functions defined: {known}",
        )
    timeout = functions[function].timeout_s
    return path, verb, Integration(type=kind, function_name=function, timeout_s=timeout)


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
