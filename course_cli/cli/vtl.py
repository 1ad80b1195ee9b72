"""`course vtl TEMPLATE`: render a mapping template as API Gateway would, and check it is JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from course_cli.cli.common import JsonOption, print_json
from course_cli.cli.gateway_options import HeaderOption
from course_cli.cli.options import parse_header, parse_method, parse_pair
from course_cli.errors import BadOptionError

# The request a template is rendered for, unless the learner says otherwise: a GET, as in the
# lesson's steps (4.4 prints "method": "GET"). A --body does not change it.
DEFAULT_METHOD = "GET"


def vtl(
    template: Annotated[Path, typer.Argument(help="The template file (.vtl).")],
    body: Annotated[
        str | None, typer.Option("--body", "-d", help="JSON payload $input sees.")
    ] = None,
    path_param: Annotated[
        list[str] | None, typer.Option("--path-param", help="Path parameter k=v (repeat).")
    ] = None,
    query: Annotated[
        list[str] | None, typer.Option("--query", "-q", help="Query parameter k=v (repeat).")
    ] = None,
    header: HeaderOption = None,
    stage_var: Annotated[
        list[str] | None, typer.Option("--stage-var", help="Stage variable k=v (repeat).")
    ] = None,
    method: Annotated[
        str,
        typer.Option(
            "--method", "-X", help="The request's method, $context.httpMethod (default GET)."
        ),
    ] = DEFAULT_METHOD,
    context: Annotated[
        list[str] | None,
        typer.Option("--context", help="Set $context.k, e.g. stage=dev (repeat)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Render a mapping template against a request (a GET unless --method says otherwise);
    say whether the output is valid JSON. Exit 1 when it is not JSON, 2 when the template or
    an option is malformed."""
    from course_cli.gateway.vtl.limits import TEMPLATE_BYTES_LIMIT
    from course_cli.gateway.vtl.preview import preview_template
    from course_cli.textfile import UnusableFile, read_small_text

    try:
        # Past AWS's 300 KB the preview says so, in AWS's words; far past it, not read at all.
        text = read_small_text(template, 16 * TEMPLATE_BYTES_LIMIT)
    except OSError as error:
        raise BadOptionError(
            f"cannot read {template}: {error.strerror}", hint="give the path of a .vtl file"
        ) from None
    except UnusableFile as error:
        raise BadOptionError(
            f"cannot read {template}: {error}",
            hint="API Gateway takes a template as UTF-8 text of at most 300 KB; give a .vtl file",
        ) from None
    contexts = [parse_pair(c, "--context") for c in context or []]
    request_method = dict(contexts).get("httpMethod", parse_method(method))
    preview = preview_template(
        text,
        body=body or "",
        path_params=[parse_pair(p, "--path-param") for p in path_param or []],
        query=[parse_pair(q, "--query") for q in query or []],
        headers=[parse_header(h) for h in header or []],
        stage_variables=[parse_pair(s, "--stage-var") for s in stage_var or []],
        context=contexts,
        method=request_method,
    )
    if as_json:
        print_json(preview.to_json())
    else:
        from course_cli.ui.console import get_console
        from course_cli.ui.vtl_view import render_preview

        title = f"{template.name} ({request_method} request)"
        get_console().print(render_preview(preview.to_json(), title=title))
    if not preview.json_valid:
        raise typer.Exit(1)
