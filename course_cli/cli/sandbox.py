"""Sandbox commands: `course sandbox up`, `course sandbox deploy --crud`, and the body of
`course serve --sandbox` - moto on this machine, and our gateway in front of it."""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from course_cli.cli.common import ServeSettings, check_port, serve_api, stop_on_sigterm
from course_cli.errors import BadOptionError

if TYPE_CHECKING:
    from course_cli.sandbox.session import Sandbox

sandbox_app = typer.Typer(
    help="An offline AWS (moto) with fake credentials: DynamoDB, Lambda, API Gateway.",
    no_args_is_help=True,
)
PortOption = Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 (0: a free one).")]
CrudOption = Annotated[
    bool, typer.Option("--crud", help="Deploy the reference products API (table, function, API).")
]


@sandbox_app.command("up")
def up(port: PortOption = 4566, crud: CrudOption = False) -> None:
    """Start the sandbox's AWS endpoint on 127.0.0.1 and print what to export for it.

    boto3 and the AWS CLI then use it. Runs until Ctrl-C; everything in it is forgotten then.
    """
    from course_cli.sandbox import Sandbox
    from course_cli.ui.console import get_console
    from course_cli.ui.sandbox_view import render_deployment, render_sandbox_up

    check_port(port)
    console = get_console()
    with Sandbox(server=True, port=port) as sandbox:
        console.print(render_sandbox_up(sandbox.endpoint_url or "", sandbox.variables()))
        if crud:
            from course_cli.sandbox.crud import deploy_crud

            console.print(render_deployment(deploy_crud(sandbox), sandbox.endpoint_url))
        console.file.flush()
        stop_on_sigterm()  # SIGTERM, like Ctrl-C, ends the wait as a KeyboardInterrupt
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    console.print("Sandbox stopped; its data is gone.")


@sandbox_app.command("deploy")
def deploy(crud: CrudOption = False) -> None:
    """Deploy into the sandbox `course sandbox up` runs (found through AWS_ENDPOINT_URL)."""
    from course_cli.sandbox.crud import deploy_crud
    from course_cli.ui.console import get_console
    from course_cli.ui.sandbox_view import render_deployment

    if not crud:
        raise BadOptionError(
            "say what to deploy: --crud (the reference products API)",
            hint="course sandbox deploy --crud",
        )
    with running_sandbox() as sandbox:
        deployment = deploy_crud(sandbox)
        get_console().print(render_deployment(deployment, sandbox.endpoint_url))


def running_sandbox() -> Sandbox:
    """The sandbox `course sandbox up` serves, from the exported `AWS_ENDPOINT_URL`."""
    from course_cli.sandbox import Sandbox, SandboxError

    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        raise SandboxError(
            "no sandbox is running here (AWS_ENDPOINT_URL is not set)",
            hint="run `course sandbox up` in another terminal and export what it prints",
        )
    return Sandbox(endpoint_url=endpoint)


def serve_sandbox(
    port: int,
    crud: bool,
    api_id: str | None,
    stage: str | None,
    *,
    handler: str | None = None,
    settings: ServeSettings | None = None,
) -> None:
    """`course serve --sandbox`: serve the sandbox's REST API through our gateway. With `crud`
    or a `handler` (`file.py[:function]`), a fresh sandbox gets the products API first, its
    function that handler or the reference one; else the API of `course sandbox up`'s."""
    from course_cli.sandbox import Sandbox
    from course_cli.ui.console import get_console, print_warning
    from course_cli.ui.sandbox_view import aws_cli_command

    check_port(port)
    handler_file, function = _handler_file(handler) if handler is not None else (None, "handler")
    console = get_console()
    fresh = crud or handler_file is not None
    sandbox = Sandbox(server=True) if fresh else running_sandbox()
    with sandbox:
        table = "TABLE"
        if fresh:
            from course_cli.sandbox.crud import REFERENCE_HANDLER, deploy_crud

            deployed = deploy_crud(
                sandbox, handler_file=handler_file or REFERENCE_HANDLER, function=function
            )
            table = deployed.table
            if handler_file is not None:
                console.print(
                    f"[ok]Deployed[/] the products API in a fresh sandbox: table {table}, "
                    f"function {deployed.function_name} running {handler}"
                )
        api = sandbox.api(api_id, stage)
        for warning in api.warnings:
            print_warning(warning)
        definition = api.definition
        scan = ["dynamodb", "scan", "--table-name", table]
        serve_api(
            definition,
            api.invoker,
            port,
            title=f"{definition.name} (stage {definition.stage})",
            notes=[
                "[muted]The data lives in the sandbox; to see it, in a shell:[/]",
                "  " + aws_cli_command(scan, sandbox.variables()),
            ],
            settings=settings,
        )


def _handler_file(handler: str) -> tuple[Path, str]:
    """`file.py[:function]` (or `.mjs`, `.js`, `.cjs`: Node.js) as (file, function);
    `BadOptionError` unless the file exists."""
    name, _, function = handler.partition(":")
    path = Path(name)
    if not path.is_file() or path.suffix not in (".py", ".mjs", ".js", ".cjs"):
        raise BadOptionError(
            f"no handler file {name}",
            hint="give your handler's path, e.g. exercises/06-crud-handler/handler.py",
        )
    return path.resolve(), function or "handler"
