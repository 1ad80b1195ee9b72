"""`course vtl`: render a template against a request described on the command line.

`$context` is filled as for a real request through our gateway (same ids, times and values
as a proxy event's requestContext), then `--context k=v` values override single keys.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from course_cli.errors import BadOptionError
from course_cli.gateway.vtl import TemplateData, json_problem, render_template


@dataclass
class TemplatePreview:
    """One render for the learner: the output, whether it is JSON, and why not."""

    output: str
    json_valid: bool
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The `course vtl --json` document: `{output, json_valid, problems, warnings}`."""
        return dataclasses.asdict(self)


def check_json_body(body: str) -> None:
    """Raise `BadOptionError` (one line with line and column) unless `body` is JSON."""
    try:
        json.loads(body)
    except json.JSONDecodeError as error:
        raise BadOptionError(
            f"--body is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})",
            hint="""quote it for your shell, e.g. --body '{"name": "lamp"}'""",
        ) from None
    except ValueError:
        raise BadOptionError(
            "--body holds a number longer than Python can read (4,300 digits)",
            hint="pass such a number as a JSON string instead",
        ) from None
    except RecursionError:
        raise BadOptionError(
            "--body nests arrays or objects too deeply to read",
            hint="a few levels of nesting are plenty for a template's payload",
        ) from None


def preview_template(
    text: str,
    *,
    body: str = "",
    path_params: Sequence[tuple[str, str]] = (),
    query: Sequence[tuple[str, str]] = (),
    headers: Sequence[tuple[str, str]] = (),
    stage_variables: Sequence[tuple[str, str]] = (),
    context: Sequence[tuple[str, str]] = (),
    method: str = "POST",
) -> TemplatePreview:
    """Render `text` as API Gateway would for such a request; `TemplateError` if it fails."""
    if body:
        check_json_body(body)
    request_context = _request_context(dict(context).get("httpMethod", method), query, headers)
    for key, value in context:
        _set_path(request_context, key, value)
    data = TemplateData(
        body=body,
        path_params=dict(path_params),
        query=dict(query),
        headers=dict(headers),
        context=request_context,
        stage_variables=dict(stage_variables),
    )
    rendered = render_template(text, data)
    problem = json_problem(rendered.output)
    return TemplatePreview(
        rendered.output, problem is None, [problem] if problem else [], rendered.warnings
    )


def _request_context(
    method: str, query: Sequence[tuple[str, str]], headers: Sequence[tuple[str, str]]
) -> dict[str, Any]:
    from course_cli.gateway.definition import single_route
    from course_cli.gateway.http import HttpRequest, with_user_agent
    from course_cli.gateway.pipeline import prepare_event

    api = single_route("handler", "/{proxy+}")
    request = HttpRequest.build(
        method, "/template", query=list(query), headers=with_user_agent(headers)
    )
    invocation = prepare_event(api, request)
    return dict(invocation.request_context or {})


def _set_path(context: dict[str, Any], key: str, value: str) -> None:
    """`identity.sourceIp=1.2.3.4` sets a nested key; numbers stay strings except epochs."""
    *parents, last = key.split(".")
    target: Any = context
    for part in parents:
        child = target.get(part) if isinstance(target, Mapping) else None
        if not isinstance(child, dict):
            child = {}
            target[part] = child
        target = child
    target[last] = value
