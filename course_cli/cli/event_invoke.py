"""`course invoke HANDLER -e event.json`: an event straight to the function, as `sam local
invoke -e` sends it, with no API Gateway in front; the function's result and log come back.

`invoke_with_event` takes any `LocalApi`, so `course invoke -t template.yaml FunctionId -e`
uses it too. Only typer here at import time: `course --help` must stay light.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from course_cli.cli.common import print_json
from course_cli.errors import BadOptionError

if TYPE_CHECKING:
    from course_cli.gateway.invoker import LambdaResult
    from course_cli.local_api import LocalApi


def read_event(source: str) -> Any:
    """The JSON event in file `source` ('-': standard input); `BadOptionError` in one line
    for a file that cannot be read or is not JSON."""
    where = "standard input" if source == "-" else source
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadOptionError(
            f"--event {source}: no such file", hint="course event --json > event.json writes one"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadOptionError(f"--event {source}: cannot read it ({exc})") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise BadOptionError(
            f"--event: {where} is not JSON (line {getattr(exc, 'lineno', '?')}: "
            f"{getattr(exc, 'msg', exc)})",
            hint="an event is one JSON value, e.g. {} or the output of `course event --json`",
        ) from None


def check_request_options_unused(
    method: str,
    path: str,
    resource: str | None,
    query: list[str] | None,
    header: list[str] | None,
    body: str | None,
    stage: str,
    api: Path | None,
    payload: str,
    authorizer: str | None,
    api_key: list[str] | None,
) -> None:
    """`BadOptionError` when an option that builds a request through the gateway comes with
    --event, which bypasses the gateway (it would be ignored without a word)."""
    given = [
        name
        for name, used in (
            ("--method", method != "GET"),
            ("--path", path != "/"),
            ("--resource", resource is not None),
            ("--query", bool(query)),
            ("--header", bool(header)),
            ("--body", body is not None),
            ("--stage", stage != "prod"),
            ("--api", api is not None),
            ("--payload", payload != "1.0"),
            ("--authorizer", authorizer is not None),
            ("--api-key", bool(api_key)),
        )
        if used
    ]
    if given:
        raise BadOptionError(
            f"--event sends the event straight to the function, with no API Gateway in front: "
            f"{', '.join(given)} would be ignored",
            hint="leave them out, or drop --event to send a request through the gateway",
        )


def invoke_with_event(
    local: LocalApi,
    function_name: str | None,
    event_file: str,
    *,
    debug: bool = False,
    as_json: bool = False,
) -> None:
    """Invoke one of `local`'s functions (`function_name`; None: its only one) with the event
    in `event_file`, print its result and log, and exit 1 when the function failed."""
    event = read_event(event_file)
    names = sorted(local.runtime.functions)
    if function_name is None:
        if len(names) != 1:
            raise BadOptionError(
                f"--event needs one function; this API has {len(names)}: {', '.join(names)}"
            )
        function_name = names[0]
    result = local.call_function(function_name, event, debug=debug)
    document = result_to_json(event, result)
    if as_json:
        print_json(document)
    else:
        from course_cli.ui.console import get_console
        from course_cli.ui.invocation_view import render_function_log, render_result

        console = get_console()
        console.print(render_result(document["result"]))
        if document["functionLog"]:
            console.print(render_function_log(document["functionLog"]))
    if document["outcome"] != "ok":
        raise typer.Exit(1)


def result_to_json(event: Any, result: LambdaResult) -> dict[str, Any]:
    """The `course invoke -e --json` document.

    ```
    {"event": ...,                 the event as sent
     "outcome": "ok" | "error" | "timeout" | "no_answer",
     "result": ... | null,         the function's return value (JSON-decoded) or its error
                                   document; null when it never answered
     "functionLog": ["START RequestId: ...", ..., "REPORT RequestId: ..."]}
    ```
    """
    try:
        value = json.loads(result.payload) if result.payload else None
    except ValueError:  # Lambda's payload is always JSON; keep it as text if not
        value = result.payload
    return {
        "event": event,
        "outcome": str(result.outcome),
        "result": value,
        "functionLog": result.logs.splitlines(),
    }
