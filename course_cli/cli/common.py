"""Small pieces the command modules share: progress warnings, JSON output, serving an API."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Annotated, Any

import typer

from course_cli.errors import BadOptionError
from course_cli.progress import ProgressStore

if TYPE_CHECKING:
    from course_cli.gateway.context import Invocation
    from course_cli.gateway.definition import ApiDefinition
    from course_cli.gateway.http import HttpRequest
    from course_cli.gateway.invoker import LambdaInvoker
    from course_cli.gateway.server import ReloadCheck

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document instead.")]


def flush_warnings(store: ProgressStore) -> None:
    """Print (once) whatever the store wants the learner to know, on stderr."""
    if store.warnings:
        from course_cli.ui.console import print_warning

        for warning in store.warnings:
            print_warning(warning)
        store.warnings.clear()


def print_json(document: Any) -> None:
    """Exactly one JSON document on stdout, for `--json`."""
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def cli_request(
    method: str, path: str, query: list[str] | None, header: list[str] | None, body: str | None
) -> HttpRequest:
    """The request `--method/--path/--query/--header/--body` describe; `BadOptionError` names
    the option that is wrong."""
    from course_cli.cli.options import parse_header, parse_method, parse_pair, parse_path
    from course_cli.local_api import build_request

    return build_request(
        parse_method(method),
        parse_path(path),
        query=[parse_pair(q, "--query") for q in query or []],
        headers=[parse_header(h) for h in header or []],
        body=body,
    )


def print_invocation(invocation: Invocation, as_json: bool, *, exit_on_5xx: bool = True) -> None:
    """The whole trip (request, event, result, response, log), as JSON or for the terminal;
    then exit 1 when the answer is a 5xx (or there is none), as `course invoke` does."""
    from course_cli.gateway.pipeline import invocation_to_json

    document = invocation_to_json(invocation)
    if as_json:
        print_json(document)
    else:
        from course_cli.ui.console import get_console
        from course_cli.ui.invocation_view import render_invocation

        get_console().print(render_invocation(document))
    status = invocation.response.status if invocation.response is not None else 502
    if exit_on_5xx and status >= 500:
        raise typer.Exit(1)


def stop_on_sigterm() -> None:
    """Treat SIGTERM (a supervisor, a test, `kill`) like Ctrl-C, so commands stop cleanly."""
    import signal

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)


def check_port(port: int) -> None:
    """`BadOptionError` unless `port` is a TCP port number (0: a free one)."""
    if not 0 <= port <= 65535:
        raise BadOptionError(f"--port must be between 0 and 65535, got {port}")


@dataclass(frozen=True)
class ServeSettings:
    """How `course serve` serves, whatever it serves: where it listens (`host`), whether
    timeouts are lifted for a debugger (`debug`), and the API keys `--api-key` adds."""

    host: str = "127.0.0.1"
    debug: bool = False
    api_keys: tuple[str, ...] = ()

    def check(self) -> None:
        """`BadOptionError` for an empty --host or --api-key."""
        if not self.host.strip():
            raise BadOptionError("--host is empty", hint="for example --host 0.0.0.0")
        if any(not key for key in self.api_keys):
            raise BadOptionError("--api-key is empty", hint="for example --api-key my-key-123")


def serve_api(
    definition: ApiDefinition,
    invoker: LambdaInvoker,
    port: int,
    *,
    title: str,
    notes: Sequence[str] = (),
    reload_check: ReloadCheck | None = None,
    settings: ServeSettings | None = None,
) -> None:
    """Serve `definition` on `settings.host` and `port` until Ctrl-C or SIGTERM, saying where,
    its routes and `notes`, and logging each request: the body of every `course serve`."""
    from course_cli.gateway.routing import describe_routes
    from course_cli.gateway.server import GatewayServer, serve
    from course_cli.ui.console import get_console, print_warning
    from course_cli.ui.request_log import print_request

    settings = settings or ServeSettings()
    settings.check()
    definition = with_api_keys(definition, settings.api_keys)
    if settings.api_keys and reload_check is not None:
        check = reload_check

        def reload_check() -> ApiDefinition | None:
            fresh = check()
            return None if fresh is None else with_api_keys(fresh, settings.api_keys)

    console = get_console()
    if settings.host not in ("127.0.0.1", "localhost", "::1"):  # reachable from elsewhere
        print_warning(
            f"listening on {settings.host}: other machines that can reach this one can call "
            "your handlers too; use it only on a network you trust"
        )

    def ready(server: GatewayServer) -> None:
        console.print(f"[ok]Serving[/] {title} at {server.url}/")
        for line in describe_routes(definition):
            if not line.endswith(" /") or line.startswith("ANY"):  # skip the bare root resource
                console.print(f"  {line}", highlight=False)
        for note in notes:  # one line each, never wrapped: commands are meant to be copied
            console.print(note, soft_wrap=True, highlight=False)
        if settings.debug:
            console.print(
                "[muted]Debug mode: no timeouts, one request at a time; breakpoint() stops here.[/]"
            )
        console.print("[muted]Edits to handler files apply on the next request. Ctrl-C stops.[/]")
        console.file.flush()

    stop_on_sigterm()
    from course_cli.runtime.debugging import debug_session

    try:
        with debug_session(settings.debug):
            serve(
                definition,
                invoker,
                host=settings.host,
                port=port,
                on_request=print_request,
                reload_check=reload_check,
                on_ready=ready,
                one_at_a_time=settings.debug,
            )
    except KeyboardInterrupt:
        console.print("\nStopped.")


def with_api_keys(definition: ApiDefinition, keys: Sequence[str]) -> ApiDefinition:
    """`definition`, also accepting `keys` where a method requires an API key."""
    if not keys:
        return definition
    return replace(definition, api_keys=definition.api_keys | frozenset(keys))
