"""The options `course event`, `course invoke` and `course serve` share, as Typer annotations.

Short flags follow curl for requests (`-X`, `-H`, `-d`, `-q`) and SAM CLI for the rest (`-e`
an event file, `-p` a port); no short flag means two things anywhere in `course` (a test
walks every command to keep it so). Only typer here: `course --help` must stay light.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

MethodOption = Annotated[str, typer.Option("--method", "-X", help="HTTP method.")]
# No short flag: `-p` is the port, as in `sam local start-api -p 3000`.
PathOption = Annotated[str, typer.Option("--path", help="Request path, e.g. /users/123.")]
ResourceOption = Annotated[
    str | None,
    typer.Option(
        "--resource", "-r", help="Resource template, e.g. '/users/{userId}' (default: the path)."
    ),
]
QueryOption = Annotated[
    list[str] | None, typer.Option("--query", "-q", help="Query parameter key=value (repeat).")
]
HeaderOption = Annotated[
    list[str] | None, typer.Option("--header", "-H", help="Header 'Name: value' (repeat).")
]
BodyOption = Annotated[str | None, typer.Option("--body", "-d", help="Request body (text).")]
StageOption = Annotated[str, typer.Option("--stage", help="Stage name in requestContext.")]
PayloadOption = Annotated[
    str,
    typer.Option(
        "--payload",
        help="Payload format: 1.0, a REST API's proxy event (the default), or 2.0, an HTTP "
        "API's event and response rules (served at its $default stage).",
    ),
]
EventFileOption = Annotated[
    str | None,
    typer.Option(
        "--event",
        "-e",
        metavar="EVENT.json",
        help="Send this JSON event straight to the function, with no API Gateway in front, as "
        "`sam local invoke -e` does ('-' reads standard input). `course event --json` writes one.",
    ),
]
DebugOption = Annotated[
    bool,
    typer.Option(
        "--debug",
        "--no-timeout",
        help="Lift every timeout and take one request at a time, so breakpoint() and debuggers "
        "(debugpy) can stop in a handler for as long as you need.",
    ),
]
ApiKeyOption = Annotated[
    list[str] | None,
    typer.Option(
        "--api-key",
        metavar="KEY",
        help="An API key clients may send in x-api-key (repeat). With HANDLER every route "
        "requires a key; with --api, --sandbox or a template, the routes marked apiKeyRequired "
        "do. Without a valid key: 403 Forbidden.",
    ),
]
PortOption = Annotated[
    int, typer.Option("--port", "-p", help="Port to listen on (0: any free port).")
]
HostOption = Annotated[
    str,
    typer.Option(
        "--host",
        help="Address to listen on. The default answers this machine only; 0.0.0.0 answers "
        "other machines too (containers, WSL2), so use it only on a network you trust.",
    ),
]
RouteTableOption = Annotated[
    Path | None,
    typer.Option(
        "--api", help="A route-table JSON file instead of HANDLER (format: README, 'Route tables')."
    ),
]
TimeoutOption = Annotated[
    float | None, typer.Option("--timeout", help="The function's timeout in seconds (3).")
]
