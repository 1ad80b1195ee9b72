"""What the custom (non-proxy) integrations AWS, HTTP and MOCK share.

Request: the template for the Content-Type (default `application/json`), else
`passthroughBehavior` (WHEN_NO_MATCH passes the body; WHEN_NO_TEMPLATES, with templates, and
NEVER answer 415). Response: the integration response (AWS's shape) whose `selectionPattern`,
a Java regex, matches the whole Lambda `errorMessage` or backend status, else the default;
its template, `responseParameters` headers, then `$context.responseOverride`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from course_cli.gateway.errors import IntegrationFailure, UnsupportedMediaType
from course_cli.gateway.events import query_parameters
from course_cli.gateway.http import Headers, HttpResponse, first_accept_type, media_type

if TYPE_CHECKING:
    from course_cli.gateway.context import Invocation
    from course_cli.gateway.vtl import Rendered, TemplateData

DEFAULT_MEDIA_TYPE = "application/json"


def request_params(invocation: Invocation) -> dict[str, dict[str, str]]:
    """`$input.params()`: path, querystring and header maps (one value per name: the last)."""
    match = invocation.match
    assert match is not None
    request = invocation.request
    query = query_parameters(request.query_string)[0] or {}
    headers = {name: values[-1] for name, values in request.headers.groups().values()}
    return {"path": dict(match.path_params), "querystring": query, "header": headers}


def template_data(invocation: Invocation, body: str, context: Mapping[str, Any]) -> TemplateData:
    """What a template of this invocation sees, with `body` as `$input`'s payload."""
    from course_cli.gateway.vtl import TemplateData

    params = request_params(invocation)
    return TemplateData(
        body=body,
        path_params=params["path"],
        query=params["querystring"],
        headers=params["header"],
        context=context,
        stage_variables=invocation.definition.stage_variables or {},
    )


def render(invocation: Invocation, text: str, body: str, stage: str) -> Rendered:
    """Render one template; a template error is AWS's 500 with a configuration-error log."""
    from course_cli.gateway.vtl import TemplateError, render_template

    context = invocation.custom.get("context") or invocation.request_context or {}
    renderer = invocation.renderer or render_template
    try:
        rendered = renderer(text, template_data(invocation, body, context))
    except TemplateError as error:
        raise IntegrationFailure(
            f"Unable to transform {stage}",
            f"The {stage} template failed: {error.message}. API Gateway answers 500 and logs "
            "only that the transformation failed.",
        ) from None
    invocation.custom["context"] = rendered.context
    for warning in rendered.warnings:
        invocation.log.explain(warning)
    return rendered


def integration_request_body(invocation: Invocation) -> str:
    """The request template's output, or the passed-through body; 415 when AWS refuses."""
    integration = invocation.integration
    request = invocation.request
    body = (request.body or b"").decode("utf-8", "replace")
    content_type = media_type(request.headers.get("Content-Type")) or DEFAULT_MEDIA_TYPE
    templates = integration.request_templates
    text = templates.get(content_type)
    if text is None:
        behaviour = integration.passthrough_behavior
        if behaviour == "NEVER" or (behaviour == "WHEN_NO_TEMPLATES" and templates):
            invocation.log.explain(
                f"No request template for Content-Type {content_type} and passthroughBehavior "
                f"is {behaviour}, so API Gateway refused the request with 415."
            )
            raise UnsupportedMediaType(
                f"Unsupported Media Type: no request template for {content_type}",
                ["Execution failed: Unsupported Media Type"],
            )
        invocation.custom["context"] = dict(invocation.request_context or {})
        return body
    return render(invocation, text, body, "request").output


def select_response(
    invocation: Invocation, subject: str | None, backend_status: int | str
) -> Mapping[str, Any]:
    """The integration response for `subject` (an error message or a status code, or None for
    a Lambda success): the first whose selectionPattern matches it whole, else the default."""
    responses = invocation.integration.integration_responses
    default = None
    for response in responses:
        pattern = response.get("selectionPattern")
        if not pattern:
            default = default or response
            continue
        if subject is not None and _java_fullmatch(pattern, subject):
            return response
    if default is None:
        raise IntegrationFailure(
            "No match for output mapping and no default output mapping configured. "
            f"Endpoint Response Status Code: {backend_status}",
            "No integration response's selectionPattern matched and none is the default "
            "(without a pattern), so API Gateway answered 500. Add a default integration "
            "response.",
        )
    return default


def _java_fullmatch(pattern: str, subject: str) -> bool:
    try:
        return re.fullmatch(pattern, subject) is not None
    except re.error:
        return False


def build_response(
    invocation: Invocation,
    selected: Mapping[str, Any],
    backend_body: str,
    backend_headers: Headers | None = None,
) -> HttpResponse:
    """Render the selected integration response into the client's response."""
    check_method_response(invocation, str(selected.get("statusCode", "200")))
    templates: Mapping[str, str] = selected.get("responseTemplates") or {}
    accept = first_accept_type(invocation.request.headers.get("Accept"))
    text = templates.get(accept) or templates.get(DEFAULT_MEDIA_TYPE)
    if text is None and templates:
        text = next(iter(templates.values()))
    body = backend_body
    if text is not None and text != "":
        body = render(invocation, text, backend_body, "response").output
    elif text == "":
        body = ""
    override = (invocation.custom.get("context") or {}).get("responseOverride") or {}
    status = int(str(selected.get("statusCode", "200")))
    if isinstance(override.get("status"), int):
        status = override["status"]
    pairs: list[tuple[str, str]] = [("Content-Type", DEFAULT_MEDIA_TYPE)]
    for target, source in (selected.get("responseParameters") or {}).items():
        name = target.removeprefix("method.response.header.")
        value = _response_parameter(str(source), backend_body, backend_headers)
        if value is not None:
            pairs = [pair for pair in pairs if pair[0].lower() != name.lower()]
            pairs.append((name, value))
    for name, value in (override.get("header") or {}).items():
        pairs = [pair for pair in pairs if pair[0].lower() != str(name).lower()]
        pairs.append((str(name), str(value)))
    ids = invocation.ids
    pairs += [
        ("x-amzn-RequestId", ids.request_id),
        ("x-amz-apigw-id", ids.extended_request_id),
        ("X-Amzn-Trace-Id", ids.response_trace),
    ]
    invocation.custom["status"] = status
    return HttpResponse(status, Headers(pairs), body.encode("utf-8"))


def check_method_response(invocation: Invocation, status: str) -> None:
    """Raise AWS's 500 when the method declares method responses and none has `status`.

    Recorded on AWS: "Execution failed due to configuration error: Output mapping refers to an
    invalid method response: 201", then status 500. A method without declared method
    responses (`Method.method_responses` is None) is not checked. Our choice, unverified: a
    `$context.responseOverride.status` is not checked against them.
    """
    match = invocation.match
    assert match is not None
    declared = match.method.method_responses
    if declared is None or status in declared:
        return
    known = ", ".join(sorted(declared)) or "none"
    raise IntegrationFailure(
        f"Output mapping refers to an invalid method response: {status}",
        f"The selected integration response answers {status}, but the method has no {status} "
        f"method response (it declares: {known}), so API Gateway answered 500. Add "
        f'{{"statusCode": "{status}"}} to the route\'s methodResponses.',
    )


def _response_parameter(source: str, body: str, headers: Headers | None) -> str | None:
    """A responseParameters value: `'literal'`, `integration.response.header.X`,
    `integration.response.body` or `integration.response.body.<JSONPath after $>`."""
    if len(source) >= 2 and source[0] == source[-1] == "'":
        return source[1:-1]
    if source.startswith("integration.response.header."):
        name = source.removeprefix("integration.response.header.")
        return None if headers is None else headers.get(name)
    if source == "integration.response.body":
        return body
    if source.startswith("integration.response.body."):
        from course_cli.gateway.jsonpath import MISSING, JsonPathError, parse_path

        try:
            found = parse_path("$." + source.removeprefix("integration.response.body.")).find(
                json.loads(body)
            )
        except (ValueError, JsonPathError):
            return None
        if found is MISSING:
            return None
        return found if isinstance(found, str) else json.dumps(found, separators=(",", ":"))
    return None


def map_request_parameter(invocation: Invocation, source: str) -> str | None:
    """A requestParameters source: `method.request.{path,querystring,header}.X`, `'literal'`,
    `stageVariables.X` or `context.X`; None when the request lacks it."""
    if len(source) >= 2 and source[0] == source[-1] == "'":
        return source[1:-1]
    params = request_params(invocation)
    for kind in ("path", "querystring", "header"):
        prefix = f"method.request.{kind}."
        if source.startswith(prefix):
            return params[kind].get(source.removeprefix(prefix))
    if source.startswith("stageVariables."):
        return (invocation.definition.stage_variables or {}).get(source.split(".", 1)[1])
    if source.startswith("context."):
        value = (invocation.request_context or {}).get(source.split(".", 1)[1])
        return None if value is None else str(value)
    return None
