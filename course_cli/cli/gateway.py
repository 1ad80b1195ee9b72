"""Gateway commands: `event`, `invoke`, `serve` — requests through our API Gateway emulator."""

from __future__ import annotations

from dataclasses import asdict, astuple
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from course_cli.cli.authorizer_options import (
    AuthorizerOption,
    AuthorizerTtlOption,
    AuthorizerTypeOption,
    IdentitySourceOption,
    with_authorizer,
)
from course_cli.cli.common import (
    JsonOption,
    ServeSettings,
    check_port,
    cli_request,
    print_invocation,
    print_json,
    serve_api,
)
from course_cli.cli.gateway_options import (
    ApiKeyOption,
    BodyOption,
    DebugOption,
    EventFileOption,
    HeaderOption,
    HostOption,
    MethodOption,
    PathOption,
    PayloadOption,
    PortOption,
    QueryOption,
    ResourceOption,
    RouteTableOption,
    StageOption,
    TimeoutOption,
)
from course_cli.cli.live_api import LiveApi as _LiveApi
from course_cli.cli.options import parse_path
from course_cli.cli.sam import EnvVarsOption, ParameterOverridesOption, TemplateOption
from course_cli.errors import BadOptionError

if TYPE_CHECKING:
    from course_cli.local_api import LocalApi


def _resources(resource: str | None, path: str, payload: str) -> list[str]:
    """--resource; without it, a REST API's resource is the path itself (its query string
    removed), and an HTTP API's request takes its $default route."""
    if resource:
        return [parse_path(resource, "--resource")]
    return [] if payload == "2.0" else [path.split("?", 1)[0]]


def event(
    method: MethodOption = "GET",
    path: PathOption = "/",
    resource: ResourceOption = None,
    query: QueryOption = None,
    header: HeaderOption = None,
    body: BodyOption = None,
    stage: StageOption = "prod",
    payload: PayloadOption = "1.0",
    explain: Annotated[
        bool, typer.Option("--explain", help="Say where every field comes from and why.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Print the event API Gateway would send a Lambda function for a request: the REST proxy
    event (--payload 1.0), or the HTTP API event (--payload 2.0)."""
    from course_cli.gateway.events import explain_event
    from course_cli.gateway.events_v2 import explain_http_event
    from course_cli.gateway.pipeline import prepare_event
    from course_cli.ui.console import get_console

    request = cli_request(method, path, query, header, body)
    _check_payload(payload, stage, None)
    resources = _resources(resource, path, payload)
    api = _local_api("handler.py", None, resources, stage, None, payload, request.method)
    invocation = prepare_event(api.definition, request)
    if invocation.event is None:  # the path does not fit the resource: say what AWS would
        print_invocation(invocation, as_json, exit_on_5xx=False)
        raise typer.Exit(1)
    explainer = explain_http_event if payload == "2.0" else explain_event
    notes = explainer(invocation.event, request) if explain else []
    console = get_console()
    if as_json or not (explain or console.is_terminal):  # `course event > e.json` works
        explained = {"event": invocation.event, "explain": [asdict(n) for n in notes]}
        print_json(explained if explain else invocation.event)
        return
    from course_cli.ui.invocation_view import render_event, render_event_notes

    if explain:
        console.print(render_event_notes([astuple(n) for n in notes]))
    else:
        console.print(render_event(invocation.event, title=f"{request.method} {request.path}"))


def invoke(
    handler: Annotated[
        str | None,
        typer.Argument(
            metavar="[HANDLER]",
            help="file.py[:function] or module.function (default function: handler).",
        ),
    ] = None,
    event_file: EventFileOption = None,
    method: MethodOption = "GET",
    path: PathOption = "/",
    resource: ResourceOption = None,
    query: QueryOption = None,
    header: HeaderOption = None,
    body: BodyOption = None,
    stage: StageOption = "prod",
    api: RouteTableOption = None,
    timeout: TimeoutOption = None,
    payload: PayloadOption = "1.0",
    as_json: JsonOption = False,
    authorizer: AuthorizerOption = None,
    authorizer_type: AuthorizerTypeOption = None,
    identity_source: IdentitySourceOption = None,
    authorizer_ttl: AuthorizerTtlOption = None,
    api_key: ApiKeyOption = None,
    debug: DebugOption = False,
    template: TemplateOption = None,
    env_vars: EnvVarsOption = None,
    parameter_overrides: ParameterOverridesOption = None,
) -> None:
    """Send one request through API Gateway to a handler: event, result, response, log.

    With --payload 2.0, through an HTTP API: the 2.0 event and response rules. With --event,
    the event goes straight to the function. Exit 1 when the response status is 500 or
    above (with --event: when the function fails).
    """
    if template is not None or env_vars is not None or parameter_overrides is not None:
        from course_cli.cli import sam

        sam.check_without_template(template, env_vars, parameter_overrides)
        assert template is not None
        sam.check_alone(
            {"--resource": resource is not None, "--stage": stage != "prod", "--api": bool(api)}
            | {"--timeout": timeout is not None, "--payload": payload != "1.0"}
            | {"--authorizer": authorizer is not None}
        )
        request_args = sam.RequestArgs(method, path, query, header, body, api_key)
        args = sam.TemplateArgs(template, env_vars, parameter_overrides)
        return sam.invoke_template(
            args, handler, event_file, request_args, debug=debug, as_json=as_json
        )
    if event_file is not None:
        from course_cli.cli.event_invoke import check_request_options_unused, invoke_with_event

        check_request_options_unused(
            method, path, resource, query, header, body, stage, api, payload, authorizer, api_key
        )
        local = _local_api(handler, None, [], stage, timeout)
        return invoke_with_event(local, None, event_file, debug=debug, as_json=as_json)
    request = cli_request(method, path, query, header, body)
    _check_payload(payload, stage, api)
    resources = _resources(resource, path, payload) if handler else []
    local = _local_api(handler, api, resources, stage, timeout, payload, request.method)
    local = with_authorizer(
        local,
        authorizer,
        authorizer_type,
        identity_source,
        authorizer_ttl,
        from_route_table=api is not None,
    )
    local = local.with_api_keys(api_key or (), everywhere=handler is not None)
    invocation = local.send_once(request, debug=debug)
    print_invocation(invocation, as_json)


def serve(
    handler: Annotated[
        str | None,
        typer.Argument(
            metavar="[HANDLER]", help="file.py[:function] or module.function answering every path."
        ),
    ] = None,
    resource: Annotated[
        list[str] | None,
        typer.Option("--resource", "-r", help="Resource template to serve (repeat)."),
    ] = None,
    api: RouteTableOption = None,
    port: PortOption = 3000,
    host: HostOption = "127.0.0.1",
    stage: StageOption = "prod",
    timeout: TimeoutOption = None,
    payload: PayloadOption = "1.0",
    sandbox: Annotated[
        bool,
        typer.Option(
            "--sandbox",
            help="Serve the sandbox's REST API; with HANDLER, the products API on your handler "
            "and a fresh products table.",
        ),
    ] = False,
    crud: Annotated[
        bool, typer.Option("--crud", help="With --sandbox: deploy the reference products API.")
    ] = False,
    api_id: Annotated[
        str | None, typer.Option("--api-id", help="With --sandbox: which REST API (id or name).")
    ] = None,
    authorizer: AuthorizerOption = None,
    authorizer_type: AuthorizerTypeOption = None,
    identity_source: IdentitySourceOption = None,
    authorizer_ttl: AuthorizerTtlOption = None,
    api_key: ApiKeyOption = None,
    debug: DebugOption = False,
    template: TemplateOption = None,
    env_vars: EnvVarsOption = None,
    parameter_overrides: ParameterOverridesOption = None,
) -> None:
    """Serve handlers over real HTTP (on 127.0.0.1 unless --host) through the API Gateway
    emulator; with -t, a SAM template's API.

    With --sandbox and HANDLER, your CRUD handler serves the products API on the sandbox's
    products table. Edits to handler files (and to --api) take effect on the next request.
    Ctrl-C stops.
    """
    settings = ServeSettings(host=host, debug=debug, api_keys=tuple(api_key or ()))
    if template is not None or env_vars is not None or parameter_overrides is not None:
        from course_cli.cli import sam

        sam.check_without_template(template, env_vars, parameter_overrides)
        assert template is not None
        sam.check_alone(
            {"HANDLER": handler is not None, "--resource": bool(resource), "--api": bool(api)}
            | {"--sandbox": sandbox or crud, "--timeout": timeout is not None}
            | {"--payload": payload != "1.0", "--authorizer": authorizer is not None}
        )
        args = sam.TemplateArgs(template, env_vars, parameter_overrides)
        return sam.serve_template(args, port, settings)
    if sandbox or crud:
        if authorizer is not None:
            raise BadOptionError(
                "--authorizer goes with a HANDLER (course serve app.py --authorizer auth.py), "
                "not with --sandbox"
            )
        if not sandbox:
            raise BadOptionError("--crud goes with --sandbox", hint="course serve --sandbox --crud")
        if api is not None or (handler is not None and api_id is not None):
            raise BadOptionError(
                "--sandbox serves an API in the sandbox: with HANDLER (or --crud) the products "
                "API, deployed fresh; neither goes with --api or --api-id",
                hint="course serve exercises/06-crud-handler/handler.py --sandbox",
            )
        from course_cli.cli.sandbox import serve_sandbox

        # "prod" is also the option's default: then the sandbox picks the API's own stage.
        return serve_sandbox(
            port,
            crud,
            api_id,
            None if stage == "prod" else stage,
            handler=handler,
            settings=settings,
        )
    check_port(port)
    _check_payload(payload, stage, api)
    resources = [parse_path(r, "--resource") for r in resource or []]
    local = _local_api(handler, api, resources, stage, timeout, payload)
    local = with_authorizer(
        local,
        authorizer,
        authorizer_type,
        identity_source,
        authorizer_ttl,
        from_route_table=api is not None,
    )
    local = local.with_api_keys(api_key or (), everywhere=handler is not None)
    from course_cli.runtime.debugging import debug_session

    with debug_session(debug):  # a Node.js handler loaded under --debug waits for a debugger
        local.check_handlers()
    live = _LiveApi(local)
    reload_check = live.reload_check if api is not None else None
    serve_api(
        local.definition,
        live,
        port,
        title=local.definition.name,
        reload_check=reload_check,
        settings=settings,
    )


def _local_api(
    handler: str | None,
    api: Path | None,
    resources: list[str],
    stage: str,
    timeout: float | None,
    payload: str = "1.0",
    method: str = "ANY",
) -> LocalApi:
    from course_cli.local_api import api_for_handler, api_from_file

    if (handler is None) == (api is None):
        raise BadOptionError(
            "give either a HANDLER file or --api ROUTES.json (one of the two)",
            hint="for example: course invoke handler.py --method GET --path /users/123",
        )
    if api is not None:
        if timeout is not None:  # else it would be ignored without a word
            raise BadOptionError(
                "--timeout goes with a HANDLER file; a route table gives each function its own",
                hint=f'set "timeout" on the function in {api.name}',
            )
        return api_from_file(api, stage=stage)
    assert handler is not None
    if payload == "2.0":
        return api_for_handler(handler, resources, timeout_s=timeout, payload="2.0", method=method)
    return api_for_handler(handler, resources, stage=stage, timeout_s=timeout)


def _check_payload(payload: str, stage: str, api: Path | None) -> None:
    """`BadOptionError` for a --payload course does not know, or one that --stage or --api
    contradicts (an HTTP API serves its $default stage; a route table says its own format)."""
    if payload not in ("1.0", "2.0"):
        raise BadOptionError(
            f"--payload {payload!r} is not a payload format version",
            hint="use --payload 1.0 (REST API, the default) or --payload 2.0 (HTTP API)",
        )
    if payload == "2.0" and stage != "prod":
        raise BadOptionError(
            "--payload 2.0 serves an HTTP API at its $default stage, which has no --stage",
            hint="leave out --stage (or use --payload 1.0 for a REST API stage)",
        )
    if payload == "2.0" and api is not None:
        raise BadOptionError(
            "a route table says its own payload format: --payload goes with a HANDLER",
            hint='put "payloadFormatVersion": "2.0" in the route table instead',
        )
