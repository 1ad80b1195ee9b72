"""A SAM template as `course` serves it: one `ApiDefinition`, its functions, its tables.

`read_app` reads the template, expands it with SAM's translator, resolves intrinsics to local
values and returns a `SamApp`: the API (every route, every integration type), each function
with its handler file (`Handler: app.handler` in `CodeUri: src/` is `src/app.py:handler`, or
`src/app.mjs:handler` for Node.js; `runtimes.py`), Timeout, MemorySize and environment
(`--env-vars` applied), the tables for the sandbox, and a warning line for each thing read
that cannot be served here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from course_cli.gateway.definition import ApiDefinition, FunctionConfig
from course_cli.gateway.invoker import DEFAULT_FUNCTION_TIMEOUT_S
from course_cli.sam.intrinsics import Intrinsics, LocalNames, Unresolvable
from course_cli.sam.resources import (
    FUNCTION,
    SamTable,
    api_key_values,
    local_names,
    table_specs,
    unserved_resources,
)
from course_cli.sam.runtimes import handler_file
from course_cli.sam.template import TemplateError, parameter_values, read_template
from course_cli.sam.translate import PLACEHOLDER_BUCKET, expand_template

REGION: Final = "us-east-1"
ACCOUNT_ID: Final = "123456789012"
DEFAULT_MEMORY_MB: Final = 128
_SAM_FUNCTION: Final = "AWS::Serverless::Function"
_ROUTE_EVENTS: Final = ("Api", "HttpApi")


@dataclass(frozen=True)
class SamFunction:
    """A function of the template as it runs here.

    `handler` is `path/to/file.py:function` (or a .js, .mjs, .cjs file for Node.js), or None
    with `unservable` saying why.
    `routes` are its `Api`/`HttpApi` events' (method, path), in template order.
    """

    logical_id: str
    name: str
    handler: str | None
    runtime: str
    timeout_s: float = DEFAULT_FUNCTION_TIMEOUT_S
    memory_mb: int = DEFAULT_MEMORY_MB
    environment: Mapping[str, str] = field(default_factory=dict)
    routes: tuple[tuple[str, str], ...] = ()
    unservable: str | None = None
    code_dir: Path | None = None  # its CodeUri folder, where Lambda imports from

    def lambda_variables(self, region: str) -> dict[str, str]:
        """The variables Lambda sets for every function, then the function's own."""
        return {
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_LAMBDA_FUNCTION_NAME": self.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{self.runtime}",
            **self.environment,
        }


@dataclass(frozen=True)
class SamApp:
    """Everything `course serve -t` and `course invoke -t` need from one template."""

    template: Path
    name: str
    definition: ApiDefinition | None
    functions: Mapping[str, SamFunction]  # by logical id
    tables: tuple[SamTable, ...] = ()
    warnings: tuple[str, ...] = ()

    def function(self, logical_id: str) -> SamFunction:
        """The function with that logical id (or function name); `TemplateError` if none."""
        for function in self.functions.values():
            if logical_id in (function.logical_id, function.name):
                return function
        known = ", ".join(self.functions) or "none"
        raise TemplateError(
            f"{self.template.name} has no function {logical_id!r} (functions: {known})",
            hint="give the function's logical id, as in the template's Resources",
        )


def read_app(
    template_path: Path,
    *,
    parameter_overrides: Mapping[str, str] | None = None,
    env_vars: Mapping[str, Any] | None = None,
    local_url: str | None = None,
) -> SamApp:
    """The app `template_path` describes; `TemplateError` (exit 2) when it cannot be served.

    `env_vars` is SAM's `--env-vars` document: `{"LogicalId": {"VAR": "value"}, "Parameters":
    {...}}`, "Parameters" applying to every function; only variables a function declares are
    overridden, as SAM does. `local_url` replaces the APIs' AWS URLs in variables.
    """
    source = template_path.name
    template = read_template(template_path)
    parameters = parameter_values(template, parameter_overrides or {}, source=source)
    expanded = expand_template(
        template,
        template_path.resolve().parent,
        parameters,
        region=REGION,
        account_id=ACCOUNT_ID,
        source=source,
    )
    warnings = list(expanded.warnings)
    stack_name = template_path.resolve().parent.name or "sam-app"

    def intrinsics(names: LocalNames) -> Intrinsics:
        return Intrinsics(
            parameters,
            names,
            region=REGION,
            account_id=ACCOUNT_ID,
            stack_name=stack_name,
            conditions=expanded.conditions,
            mappings=expanded.mappings,
        )

    resources = expanded.resources
    names = local_names(
        resources, intrinsics(LocalNames()), region=REGION, account_id=ACCOUNT_ID, local_url=None
    )
    resolver = intrinsics(names)
    functions = _functions(template, expanded.code_dirs, resources, resolver, warnings)
    _apply_env_vars(functions, env_vars or {}, source)
    if local_url is not None:
        functions = {key: _with_local_urls(fn, names, local_url) for key, fn in functions.items()}
    configs = {
        fn.name: FunctionConfig(fn.name, fn.handler, fn.timeout_s)
        for fn in functions.values()
        if fn.handler is not None
    }
    from course_cli.sam.apis import build_definition

    definition = build_definition(
        resources, resolver, configs, warnings, name=stack_name, source=source
    )
    keys = api_key_values(resources, resolver, warnings)
    if definition is not None and keys:
        from dataclasses import replace

        definition = replace(definition, api_keys=definition.api_keys | keys)
    tables = table_specs(resources, resolver, warnings)
    warnings += unserved_resources(resources)
    return SamApp(template_path, stack_name, definition, functions, tuple(tables), tuple(warnings))


def _functions(
    template: Mapping[str, Any],
    code_dirs: Mapping[str, Path | None],
    resources: Mapping[str, Mapping[str, Any]],
    resolver: Intrinsics,
    warnings: list[str],
) -> dict[str, SamFunction]:
    """Each SAM function, from its translated `AWS::Lambda::Function` (Globals applied)."""
    functions: dict[str, SamFunction] = {}
    for logical_id, resource in resources.items():
        if resource.get("Type") != FUNCTION:
            continue
        original = (template.get("Resources") or {}).get(logical_id) or {}
        if original.get("Type") != _SAM_FUNCTION:
            warnings.append(f"function {logical_id}: a plain AWS::Lambda::Function, not served")
            continue
        properties = resource.get("Properties") or {}
        code = properties.get("Code") or {}
        code_dir = code_dirs.get(logical_id) if code.get("S3Bucket") == PLACEHOLDER_BUCKET else None
        name = resolver.resolve({"Ref": logical_id})
        runtime = str(properties.get("Runtime", ""))
        handler, unservable = _handler(logical_id, properties, runtime, code_dir)
        if unservable is not None and code_dir is not None:
            warnings.append(unservable)
        for layer in properties.get("Layers") or ():
            warnings.append(f"function {logical_id}: layer {_describe(layer)} is not loaded here")
        functions[logical_id] = SamFunction(
            logical_id=logical_id,
            name=str(name),
            handler=handler,
            runtime=runtime,
            timeout_s=float(_resolved(resolver, properties.get("Timeout"), 3)),
            memory_mb=int(_resolved(resolver, properties.get("MemorySize"), DEFAULT_MEMORY_MB)),
            environment=_environment(logical_id, properties, resolver, warnings),
            routes=_routes(logical_id, original, warnings),
            unservable=unservable,
            code_dir=code_dir,
        )
    return functions


def _handler(
    logical_id: str, properties: Mapping[str, Any], runtime: str, code_dir: Path | None
) -> tuple[str | None, str | None]:
    """`(path/to/file:function, None)`, or `(None, why not)`."""
    if code_dir is None:
        return None, f"function {logical_id}: its code is not in a local folder"
    return handler_file(logical_id, str(properties.get("Handler", "")), runtime, code_dir)


def _resolved(resolver: Intrinsics, value: Any, default: Any) -> Any:
    if value is None:
        return default
    try:
        return resolver.resolve(value)
    except Unresolvable as error:
        raise TemplateError(str(error)) from None


def _environment(
    logical_id: str, properties: Mapping[str, Any], resolver: Intrinsics, warnings: list[str]
) -> dict[str, str]:
    """The function's variables; one with no local value is left out, with a warning."""
    variables = ((properties.get("Environment") or {}).get("Variables")) or {}
    found: dict[str, str] = {}
    for name, value in variables.items():
        try:
            resolved = resolver.resolve(value)
        except Unresolvable as error:
            warnings.append(f"function {logical_id}: variable {name}: {error}; left unset")
            continue
        found[name] = _text(resolved)
    return found


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _routes(
    logical_id: str, original: Mapping[str, Any], warnings: list[str]
) -> tuple[tuple[str, str], ...]:
    """The function's API events' (method, path); other event types get a warning each."""
    routes = []
    events = (original.get("Properties") or {}).get("Events") or {}
    for event_id, event in events.items():
        kind = str((event or {}).get("Type"))
        if kind not in _ROUTE_EVENTS:
            warnings.append(
                f"function {logical_id}: event {event_id} ({kind}) is not delivered here; "
                f"send one with course invoke -t TEMPLATE {logical_id} -e event.json"
            )
            continue
        properties = event.get("Properties") or {}
        method = str(properties.get("Method", "ANY")).upper()
        method = "ANY" if method == "X-AMAZON-APIGATEWAY-ANY-METHOD" else method
        path = properties.get("Path", "/")
        if isinstance(path, str):
            routes.append((method, path))
    return tuple(routes)


def _describe(layer: Any) -> str:
    if isinstance(layer, Mapping) and "Ref" in layer:
        return str(layer["Ref"])
    return str(layer)


def _apply_env_vars(
    functions: dict[str, SamFunction], env_vars: Mapping[str, Any], source: str
) -> None:
    """Override declared variables from SAM's `--env-vars` document, in place."""
    from dataclasses import replace

    for key, values in env_vars.items():
        if not isinstance(values, Mapping):
            raise TemplateError(f"--env-vars: {key!r} must map variable names to values")
    shared = env_vars.get("Parameters") or {}
    for logical_id, function in functions.items():
        own = env_vars.get(logical_id) or env_vars.get(function.name) or {}
        environment = dict(function.environment)
        for name in environment:
            if name in own:
                environment[name] = _text(own[name])
            elif name in shared:
                environment[name] = _text(shared[name])
        functions[logical_id] = replace(function, environment=environment)


def _with_local_urls(function: SamFunction, names: LocalNames, local_url: str) -> SamFunction:
    """The APIs' AWS URLs in the function's variables point at this machine instead."""
    from dataclasses import replace

    hosts = [
        f"https://{value}.execute-api.{REGION}.amazonaws.com"
        for key, value in names.refs.items()
        if (key, "RootResourceId") in names.attributes
    ]
    environment = {}
    for name, value in function.environment.items():
        for host in hosts:
            value = value.replace(host, local_url.rstrip("/"))
        environment[name] = value
    return replace(function, environment=environment)
