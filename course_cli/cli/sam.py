"""`course serve -t template.yaml` and `course invoke -t template.yaml FunctionId`: a SAM
template served or invoked as `sam local` would, with no Docker.

The options live here and the bodies call `course_cli.sam`; `cli/gateway.py` adds the
options to its commands and hands over when `-t` is given. Only typer at import time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from course_cli.errors import BadOptionError

if TYPE_CHECKING:
    from course_cli.cli.common import ServeSettings
    from course_cli.sam.live import LiveTemplate, TemplateOptions

TemplateOption = Annotated[
    Path | None,
    typer.Option(
        "--template",
        "-t",
        metavar="TEMPLATE.yaml",
        help="A SAM template: serve its API (or invoke one of its functions) as "
        "`sam local` does, without Docker.",
    ),
]
EnvVarsOption = Annotated[
    Path | None,
    typer.Option(
        "--env-vars",
        metavar="ENV.json",
        help='With -t: SAM\'s env-vars file, {"FunctionId": {"VAR": "value"}, '
        '"Parameters": {...}} (only variables the template declares).',
    ),
]
ParameterOverridesOption = Annotated[
    str | None,
    typer.Option(
        "--parameter-overrides",
        metavar="'Key=Value ...'",
        help="With -t: values for the template's Parameters.",
    ),
]


@dataclass(frozen=True)
class TemplateArgs:
    """The three template options as given on the command line."""

    template: Path
    env_vars: Path | None = None
    parameter_overrides: str | None = None

    def options(self, local_url: str | None = None) -> TemplateOptions:
        """The library's options, files read; `BadOptionError` in one line if they can't be."""
        from course_cli.sam.live import TemplateOptions
        from course_cli.sam.template import parse_parameter_overrides

        overrides = parse_parameter_overrides(self.parameter_overrides or "")
        return TemplateOptions(overrides, _read_env_vars(self.env_vars), local_url)


def check_without_template(template: Path | None, env_vars: Path | None, overrides: Any) -> None:
    """`BadOptionError` for --env-vars or --parameter-overrides without -t."""
    if template is None and (env_vars is not None or overrides is not None):
        raise BadOptionError(
            "--env-vars and --parameter-overrides go with -t TEMPLATE.yaml",
            hint="course serve -t template.yaml --env-vars env.json",
        )


def check_alone(given: dict[str, bool]) -> None:
    """`BadOptionError` naming the options that -t replaces (they would be ignored)."""
    clashing = [name for name, used in given.items() if used]
    if clashing:
        raise BadOptionError(
            f"-t serves what the template declares: {', '.join(clashing)} would be ignored",
            hint="leave them out, or drop -t",
        )


def _read_env_vars(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BadOptionError(f"--env-vars {path}: {error.strerror}") from None
    except ValueError as error:
        raise BadOptionError(f"--env-vars {path} is not JSON ({error})") from None
    if not isinstance(document, dict):
        raise BadOptionError(
            f"--env-vars {path}: expected an object of functions",
            hint='{"ProductsFunction": {"TABLE_NAME": "other"}}',
        )
    return document


def serve_template(args: TemplateArgs, port: int, settings: ServeSettings) -> None:
    """`course serve -t`: the template's API on `port` until Ctrl-C."""
    from course_cli.cli.common import check_port, serve_api
    from course_cli.runtime.debugging import debug_session
    from course_cli.sam.live import LiveTemplate
    from course_cli.sam.template import TemplateError
    from course_cli.ui.console import print_warning

    check_port(port)
    host = "localhost" if settings.host in ("0.0.0.0", "::") else settings.host
    local_url = f"http://{host}:{port}" if port else None
    live = LiveTemplate(args.template, args.options(local_url))
    definition = live.app.definition
    if definition is None:
        raise TemplateError(
            f"{args.template.name} declares no API (no Api or HttpApi events): nothing to serve",
            hint=f"invoke a function instead: course invoke -t {args.template} FunctionId -e "
            "event.json",
        )
    for warning in live.app.warnings:
        print_warning(warning)
    with live:
        with debug_session(settings.debug):  # under --debug a Node.js one waits for a debugger
            live.check_handlers()
        serve_api(
            definition,
            live,
            port,
            title=f"{live.app.name} from {args.template.name} (stage {definition.stage})",
            notes=_table_notes(live),
            reload_check=live.reload_check,
            settings=settings,
        )


def _table_notes(live: LiveTemplate) -> list[str]:
    if live.sandbox is None or not live.app.tables:
        return []
    from course_cli.ui.sandbox_view import aws_cli_command

    tables = ", ".join(table.name for table in live.app.tables)
    first = live.app.tables[0].name
    scan = ["dynamodb", "scan", "--table-name", first]
    return [
        f"[muted]Tables in the sandbox: {tables}. To see one, in a shell:[/]",
        "  " + aws_cli_command(scan, live.sandbox.variables()),
    ]


@dataclass(frozen=True)
class RequestArgs:
    """`course invoke`'s request options, for `-t` to fill in from the function's API event."""

    method: str
    path: str
    query: list[str] | None
    header: list[str] | None
    body: str | None
    api_key: list[str] | None


def invoke_template(
    args: TemplateArgs,
    function_id: str | None,
    event_file: str | None,
    request: RequestArgs,
    *,
    debug: bool,
    as_json: bool,
) -> None:
    """`course invoke -t`: one function of the template, with `event_file`'s event, else a
    request through its first API event (method and path from it unless given), else `{}`."""
    from course_cli.sam.live import LiveTemplate
    from course_cli.ui.console import print_warning

    live = LiveTemplate(args.template, args.options(), server=False)
    function = _pick_function(live, function_id)
    for warning in live.app.warnings:
        print_warning(warning)
    if function.handler is None:
        raise BadOptionError(
            function.unservable or f"function {function.logical_id} cannot be run here"
        )
    with live:
        local = live.local_api()
        if event_file is not None:
            from course_cli.cli.event_invoke import invoke_with_event

            return invoke_with_event(local, function.name, event_file, debug=debug, as_json=as_json)
        if function.routes and live.app.definition is not None:
            method, path = _request_line(function.routes[0], request)
            _send(local, method, path, request, debug=debug, as_json=as_json)
            return
        if request.method != "GET" or request.path != "/":
            raise BadOptionError(
                f"function {function.logical_id} has no Api event, so no method or path",
                hint="send it an event instead: -e event.json",
            )
        _call_plain(local, function.name, debug=debug, as_json=as_json)


def _pick_function(live: LiveTemplate, function_id: str | None) -> Any:
    functions = live.app.functions
    if function_id is None:
        if len(functions) != 1:
            raise BadOptionError(
                f"say which function to invoke; the template has {', '.join(functions) or 'none'}",
                hint=f"course invoke -t {live.template} FunctionId",
            )
        function_id = next(iter(functions))
    return live.app.function(function_id)


def _request_line(route: tuple[str, str], request: RequestArgs) -> tuple[str, str]:
    """The method and path to send: the ones given, else the API event's, with each path
    variable filled in with its own name (`/products/{productId}` → `/products/productId`)."""
    event_method, resource = route
    method = request.method if request.method != "GET" else event_method
    method = "GET" if method == "ANY" else method
    if request.path != "/":
        return method, request.path
    path = "/".join(
        part.strip("{}").rstrip("+") if part.startswith("{") else part
        for part in resource.split("/")
    )
    return method, path or "/"


def _send(
    local: Any, method: str, path: str, request: RequestArgs, *, debug: bool, as_json: bool
) -> None:
    """One request through the gateway to the template's API, printed as `course invoke`
    prints one; exit 1 for a 5xx answer."""
    from course_cli.cli.common import cli_request, print_invocation

    sent = cli_request(method, path, request.query, request.header, request.body)
    local = local.with_api_keys(request.api_key or ())
    print_invocation(local.send_once(sent, debug=debug), as_json)


def _call_plain(local: Any, function_name: str, *, debug: bool, as_json: bool) -> None:
    """The function with the empty event `{}`, its result and log printed."""
    from course_cli.cli.common import print_json
    from course_cli.cli.event_invoke import result_to_json

    result = local.call_function(function_name, {}, debug=debug)
    document = result_to_json({}, result)
    if as_json:
        print_json(document)
    else:
        from course_cli.ui.console import get_console
        from course_cli.ui.invocation_view import render_function_log, render_result

        console = get_console()
        console.print(render_result(document["result"]))
        console.print(render_function_log(document["functionLog"]))
    if document["outcome"] != "ok":
        raise typer.Exit(1)
