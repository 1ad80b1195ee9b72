"""`--authorizer` and its options, shared by `course invoke` and `course serve`: put a Lambda
authorizer in front of every route of a handler's API.

Only typer here at import time: `course --help` must stay light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from course_cli.local_api import LocalApi

AuthorizerOption = Annotated[
    str | None,
    typer.Option(
        "--authorizer",
        metavar="AUTH.py[:fn]",
        help="A Lambda authorizer in front of every route: API Gateway calls it first and lets "
        "the request through only if its policy allows the method.",
    ),
]
AuthorizerTypeOption = Annotated[
    str | None,
    typer.Option(
        "--authorizer-type",
        help="token: the function gets one header's value (authorizationToken); request: the "
        "whole request (headers, query, path, stage variables).",
    ),
]
IdentitySourceOption = Annotated[
    str | None,
    typer.Option(
        "--identity-source",
        help="Where the identity comes from, comma-separated (default "
        "'method.request.header.Authorization'); missing or empty: 401 without calling it.",
    ),
]
AuthorizerTtlOption = Annotated[
    int | None,
    typer.Option(
        "--authorizer-ttl",
        help="Seconds a policy is cached per identity (default 300, at most 3600; 0: no cache).",
    ),
]


def with_authorizer(
    local: LocalApi,
    authorizer: str | None,
    kind: str | None,
    identity_source: str | None,
    ttl: int | None,
    *,
    from_route_table: bool = False,
) -> LocalApi:
    """`local` with every method behind the authorizer `authorizer` names (a handler file), or
    `local` itself without one. `BadOptionError` for options that do not fit together."""
    from course_cli.errors import BadOptionError

    if authorizer is None:
        given = [
            name
            for name, value in (
                ("--authorizer-type", kind),
                ("--identity-source", identity_source),
                ("--authorizer-ttl", ttl),
            )
            if value is not None
        ]
        if given:
            raise BadOptionError(
                f"{', '.join(given)} configures an authorizer: give --authorizer AUTH.py too",
                hint="course serve app.py --authorizer auth.py --authorizer-type token",
            )
        return local
    if from_route_table:
        raise BadOptionError(
            "a route table names its authorizers itself: --authorizer goes with a HANDLER",
            hint='add "authorizer": {"function": "auth"} to the routes of the route table',
        )
    if local.definition.http_api:
        raise BadOptionError(
            "--authorizer puts a REST API's Lambda authorizer in front of the routes; HTTP API "
            "authorizers (--payload 2.0, simple responses) are not emulated yet",
            hint="leave out --payload 2.0 to try the authorizer on a REST API",
        )
    return guard_every_route(local, authorizer, kind, identity_source, ttl)


def guard_every_route(
    local: LocalApi,
    handler: str,
    kind: str | None,
    identity_source: str | None,
    ttl: int | None,
) -> LocalApi:
    """A new `LocalApi`: `local`'s routes behind a Lambda authorizer running `handler`."""
    from dataclasses import replace

    from course_cli.errors import BadOptionError
    from course_cli.gateway.authorizers import (
        DEFAULT_IDENTITY_SOURCE,
        DEFAULT_TTL_S,
        Authorizer,
        parse_identity_source,
        with_authorizers,
    )
    from course_cli.gateway.definition import FunctionConfig
    from course_cli.gateway.errors import ApiDefinitionError
    from course_cli.local_api import LocalApi, function_name_for
    from course_cli.runtime import InProcessRuntime

    type_name = (kind or "token").upper()
    if type_name not in ("TOKEN", "REQUEST"):
        raise BadOptionError(
            f"--authorizer-type {kind!r} is not a Lambda authorizer type",
            hint="use --authorizer-type token or --authorizer-type request",
        )
    definition = local.definition
    name = function_name_for(handler)
    if name in definition.functions:
        name = f"{name}-authorizer"
    try:
        guard = Authorizer(
            function_name=name,
            type=type_name,
            identity_source=parse_identity_source(identity_source or DEFAULT_IDENTITY_SOURCE),
            ttl_s=DEFAULT_TTL_S if ttl is None else ttl,
            name=name,
        )
    except ApiDefinitionError as error:
        raise BadOptionError(
            error.message.replace("authorizer:", "--authorizer:", 1), hint=error.hint
        ) from None
    functions = {**definition.functions, name: FunctionConfig(name, handler)}
    definition = replace(definition, functions=functions)
    every = {
        (resource.path, verb): guard
        for resource in definition.resources
        for verb in resource.methods
    }
    handlers = {fn: str(spec) for fn, spec in local.runtime.functions.items()}
    runtime = InProcessRuntime({**handlers, name: handler})
    return LocalApi(with_authorizers(definition, every), runtime, source=local.source)
