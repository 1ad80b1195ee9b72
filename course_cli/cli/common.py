"""Small pieces the command modules share: the progress store, JSON output, serving an API."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

from course_cli.errors import BadOptionError
from course_cli.progress import ProgressStore

if TYPE_CHECKING:
    from course_cli.gateway.definition import ApiDefinition
    from course_cli.gateway.invoker import LambdaInvoker
    from course_cli.gateway.server import ReloadCheck

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document instead.")]


def open_store() -> ProgressStore:
    """The learner's progress store at its standard place."""
    return ProgressStore.default()


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


def serve_api(
    definition: ApiDefinition,
    invoker: LambdaInvoker,
    port: int,
    *,
    title: str,
    notes: Sequence[str] = (),
    reload_check: ReloadCheck | None = None,
) -> None:
    """Serve `definition` on 127.0.0.1:`port` until Ctrl-C or SIGTERM, saying where, its
    routes and `notes`, and logging each request: the body of every `course serve`."""
    from course_cli.gateway.routing import describe_routes
    from course_cli.gateway.server import GatewayServer, serve
    from course_cli.ui.console import get_console
    from course_cli.ui.request_log import print_request

    console = get_console()

    def ready(server: GatewayServer) -> None:
        console.print(f"[ok]Serving[/] {title} at {server.url}/")
        for line in describe_routes(definition):
            if not line.endswith(" /") or line.startswith("ANY"):  # skip the bare root resource
                console.print(f"  {line}", highlight=False)
        for note in notes:  # one line each, never wrapped: commands are meant to be copied
            console.print(note, soft_wrap=True, highlight=False)
        console.print("[muted]Edits to handler files apply on the next request. Ctrl-C stops.[/]")
        console.file.flush()

    stop_on_sigterm()
    try:
        serve(
            definition,
            invoker,
            port=port,
            on_request=print_request,
            reload_check=reload_check,
            on_ready=ready,
        )
    except KeyboardInterrupt:
        console.print("\nStopped.")
