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
        "whole request (headers, query, path, stage variables). With --payload 2.0: request, "
        'answering {"isAuthorized": true|false, "context": {...}}.',
    ),
]
IdentitySourceOption = Annotated[
    str | None,
    typer.Option(
        "--identity-source",
        help="Where the identity comes from, comma-separated (default "
        "'method.request.header.Authorization'; with --payload 2.0 "
        "'$request.header.Authorization'); missing or empty: 401 without calling it.",
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
        HTTP_IDENTITY_SOURCE,
        Authorizer,
        parse_identity_source,
        with_authorizers,
    )
    from course_cli.gateway.definition import FunctionConfig
    from course_cli.gateway.errors import ApiDefinitionError
    from course_cli.gateway.routing import DEFAULT_ROUTE
    from course_cli.local_api import LocalApi, function_name_for
    from course_cli.runtime.node import runtime_for

    definition = local.definition
    # An HTTP API's (--payload 2.0): a REQUEST authorizer with simple responses.
    http = definition.http_api
    type_name = (kind or ("request" if http else "token")).upper()
    if type_name not in ("TOKEN", "REQUEST"):
        raise BadOptionError(
            f"--authorizer-type {kind!r} is not a Lambda authorizer type",
            hint="use --authorizer-type token or --authorizer-type request",
        )
    if http and type_name == "TOKEN":
        raise BadOptionError(
            "an HTTP API (--payload 2.0) has no TOKEN authorizers: its Lambda authorizers are "
            'REQUEST authorizers answering {"isAuthorized": true|false}',
            hint="leave out --authorizer-type, or leave out --payload 2.0 for a REST API",
        )
    name = function_name_for(handler)
    if name in definition.functions:
        name = f"{name}-authorizer"
    try:
        guard = Authorizer(
            function_name=name,
            type=type_name,
            identity_source=parse_identity_source(
                identity_source or (HTTP_IDENTITY_SOURCE if http else DEFAULT_IDENTITY_SOURCE)
            ),
            ttl_s=DEFAULT_TTL_S if ttl is None else ttl,
            name=name,
            payload_format="2.0" if http else "1.0",
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
    if definition.default_route is not None:  # an HTTP API's $default route
        every[(DEFAULT_ROUTE, definition.default_route.http_method)] = guard
    handlers = {fn: str(spec) for fn, spec in local.runtime.functions.items()}
    runtime = runtime_for({**handlers, name: handler})  # Python or Node.js, each
    return LocalApi(with_authorizers(definition, every), runtime, source=local.source)
