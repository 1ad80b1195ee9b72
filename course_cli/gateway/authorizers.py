"""A method's Lambda authorizer, as `create_authorizer` configures one (REST APIs).

```
Authorizer(function_name="auth", type="TOKEN",
           identity_source=("method.request.header.Authorization",), ttl_s=300)
```

- `type`: TOKEN (the token of one header, `authorizationToken`) or REQUEST (the request's
  headers, query, path and stage variables).
- `identity_source`: where the identity comes from. TOKEN: exactly one
  `method.request.header.<Name>`. REQUEST: any of `method.request.header.<Name>`,
  `method.request.querystring.<Name>`, `stageVariables.<Name>`, `context.<name>` (AWS:
  "Path parameters can be passed ... but they can't be used as identity sources"); required
  when caching is on, as AWS requires it (`identitySource` in the `Authorizer` reference).
  When one is missing or empty, API Gateway answers 401 without calling the function.
- `ttl_s`: `authorizerResultTtlInSeconds`, 0 to 3600 (default 300); 0 turns caching off.

A method with an authorizer is an `AuthorizedMethod`, a `Method` that also holds its
`Authorizer` (`with_authorizers` puts them on an API's methods, as `update_method` with
`authorizationType: CUSTOM` does). The evaluation (events, cache, answers) is
`authorization.py`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, Final

from course_cli.gateway.definition import ApiDefinition, Method
from course_cli.gateway.errors import ApiDefinitionError
from course_cli.gateway.routing import DEFAULT_ROUTE

AUTHORIZER_TYPES: Final = ("TOKEN", "REQUEST")
DEFAULT_IDENTITY_SOURCE: Final = "method.request.header.Authorization"
DEFAULT_TTL_S: Final = 300
MAX_TTL_S: Final = 3600  # authorizerResultTtlInSeconds: "the maximum value is 3600"
_SOURCE: Final = re.compile(
    r"(method\.request\.(header|querystring)|stageVariables|context)\.([^\s,]+)"
)
# An HTTP API's spelling (`identitySource` of apigatewayv2's CreateAuthorizer).
_HTTP_SOURCE: Final = re.compile(
    r"\$(request\.(header|querystring)|stageVariables|context)\.([^\s,]+)"
)
PAYLOAD_FORMATS: Final = ("1.0", "2.0")
HTTP_IDENTITY_SOURCE: Final = "$request.header.Authorization"


@dataclass(frozen=True, slots=True)
class Authorizer:
    """One Lambda authorizer: the function it runs and how it finds the caller's identity."""

    function_name: str
    type: str = "TOKEN"
    identity_source: tuple[str, ...] = (DEFAULT_IDENTITY_SOURCE,)
    ttl_s: int = DEFAULT_TTL_S
    name: str = ""  # the authorizer's name; its id in logs derives from it
    # "2.0": an HTTP API's REQUEST authorizer answering with simple responses
    # (`{"isAuthorized": ..., "context": ...}`); "1.0": a REST API's, answering with a policy.
    payload_format: str = "1.0"

    def __post_init__(self) -> None:
        check_authorizer(self)


@dataclass(frozen=True, slots=True)
class AuthorizedMethod(Method):
    """A method guarded by a Lambda authorizer (`authorizationType: CUSTOM`)."""

    authorizer: Authorizer | None = None


def authorizer_of(method: Method) -> Authorizer | None:
    """The method's Lambda authorizer, or None."""
    return method.authorizer if isinstance(method, AuthorizedMethod) else None


def with_authorizers(
    definition: ApiDefinition, authorizers: Mapping[tuple[str, str], Authorizer]
) -> ApiDefinition:
    """`definition` with each (resource path, method) of `authorizers` guarded by its
    authorizer; every authorizer's function must be one of the definition's functions."""
    if not authorizers:
        return definition
    for (path, verb), authorizer in authorizers.items():
        if authorizer.function_name not in definition.functions:
            raise ApiDefinitionError(
                f"resource {path!r} {verb}: the authorizer's function "
                f"{authorizer.function_name!r} is not one of the API's functions"
            )

    def guarded(path: str, verb: str, method: Method) -> Method:
        guard = authorizers.get((path, verb))
        if guard is None:
            return method
        values = {f.name: getattr(method, f.name) for f in fields(Method)}
        values["authorization"] = "CUSTOM"
        return AuthorizedMethod(**values, authorizer=guard)

    resources = [
        replace(
            resource,
            methods={
                verb: guarded(resource.path, verb, method)
                for verb, method in resource.methods.items()
            },
        )
        for resource in definition.resources
    ]
    default = definition.default_route  # an HTTP API's `$default` route
    if default is not None:
        default = guarded(DEFAULT_ROUTE, default.http_method, default)
    return replace(definition, resources=tuple(resources), default_route=default)


def check_authorizer(authorizer: Authorizer, where: str = "authorizer") -> None:
    """Raise `ApiDefinitionError` for an authorizer `create_authorizer` would refuse."""
    kind = authorizer.type
    if kind not in AUTHORIZER_TYPES:
        raise ApiDefinitionError(
            f"{where}: type {kind!r} is not a Lambda authorizer type",
            hint="use TOKEN or REQUEST",
        )
    ttl = authorizer.ttl_s
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not 0 <= ttl <= MAX_TTL_S:
        raise ApiDefinitionError(
            f"{where}: a result TTL is whole seconds from 0 to {MAX_TTL_S}, not {ttl!r}",
            hint="0 turns caching off; AWS's default is 300",
        )
    sources = authorizer.identity_source
    http = authorizer.payload_format == "2.0"
    if authorizer.payload_format not in PAYLOAD_FORMATS:
        raise ApiDefinitionError(
            f"{where}: payload format {authorizer.payload_format!r} is not 1.0 or 2.0"
        )
    if http and kind != "REQUEST":
        raise ApiDefinitionError(
            f"{where}: an HTTP API's Lambda authorizers are REQUEST authorizers, not {kind}",
            hint="use the REQUEST type; its identity source may be $request.header.Authorization",
        )
    for source in sources:
        found = (_HTTP_SOURCE if http else _SOURCE).fullmatch(source)
        if found is None:
            raise ApiDefinitionError(
                f"{where}: {source!r} is not an identity source"
                + (" of an HTTP API" if http and _SOURCE.fullmatch(source) else ""),
                hint="e.g. $request.header.Authorization, $request.querystring.key"
                if http
                else "e.g. method.request.header.Authorization, method.request.querystring.key",
            )
        if kind == "TOKEN" and found[2] != "header":
            raise ApiDefinitionError(
                f"{where}: a TOKEN authorizer takes its token from a header, not {source!r}",
                hint="method.request.header.<Name>, or use a REQUEST authorizer",
            )
    if kind == "TOKEN" and len(sources) != 1:
        raise ApiDefinitionError(
            f"{where}: a TOKEN authorizer has exactly one identity source (a header)",
            hint=f"e.g. {DEFAULT_IDENTITY_SOURCE}",
        )
    if kind == "REQUEST" and ttl and not sources:
        raise ApiDefinitionError(
            f"{where}: a REQUEST authorizer with caching needs identity sources (the cache key)",
            hint="give --identity-source, or --authorizer-ttl 0 to turn caching off",
        )


def parse_identity_source(text: str) -> tuple[str, ...]:
    """`'method.request.header.A, method.request.querystring.b'` as a tuple (AWS's comma list)."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


def identity_source_parts(source: str) -> tuple[str, str]:
    """(`header`|`querystring`|`stageVariables`|`context`, name) of a checked source."""
    found = _SOURCE.fullmatch(source) or _HTTP_SOURCE.fullmatch(source)
    assert found is not None
    return found[2] or found[1], found[3]


_TABLE_KEYS: Final = ("function", "type", "identitySource", "authorizerResultTtlInSeconds", "name")


def authorizer_from_table(data: Any, where: str, functions: Mapping[str, Any]) -> Authorizer:
    """A route table's `authorizer` entry, as `create_authorizer` spells its keys:
    `{"function": "auth", "type": "TOKEN", "identitySource": "method.request.header.Authorization",
    "authorizerResultTtlInSeconds": 300}`."""
    if not isinstance(data, dict):
        raise ApiDefinitionError(f"{where} must be a JSON object")
    for key in data:
        if key not in _TABLE_KEYS:
            raise ApiDefinitionError(
                f"{where}: unknown key {key!r}", hint=f"known keys: {', '.join(_TABLE_KEYS)}"
            )
    function = data.get("function")
    if not isinstance(function, str) or function not in functions:
        known = ", ".join(sorted(functions)) or "none"
        raise ApiDefinitionError(
            f"{where}.function: no function {function!r} in functions",
            hint=f"functions defined: {known}",
        )
    kind = data.get("type", "TOKEN")
    source = data.get("identitySource")
    sources: tuple[str, ...]
    if source is None:
        sources = (DEFAULT_IDENTITY_SOURCE,) if kind == "TOKEN" else ()
    elif isinstance(source, str):
        sources = parse_identity_source(source)
    else:
        raise ApiDefinitionError(f"{where}.identitySource must be a comma-separated string")
    authorizer_kwargs: dict[str, Any] = {
        "function_name": function,
        "type": kind,
        "identity_source": sources,
        "ttl_s": data.get("authorizerResultTtlInSeconds", DEFAULT_TTL_S),
        "name": str(data.get("name") or function),
    }
    try:
        return Authorizer(**authorizer_kwargs)
    except ApiDefinitionError as error:
        message = error.message.removeprefix("authorizer: ")
        raise ApiDefinitionError(f"{where}: {message}", hint=error.hint) from None
