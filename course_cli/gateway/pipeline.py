"""One request through API Gateway, stage by stage, named after AWS's own stages.

```
route ─▶ authorizer ─▶ API key ─▶ method request ─▶ integration request ─▶ integration
      ─▶ integration response ─▶ method response
```

Each stage is a small function over the `Invocation`; the three integration stages belong to
the integration type (`integrations/`). A stage that fails raises a `GatewayError`, which
`handle_request` turns into AWS's response - so nothing a client can send and nothing a
handler can return makes `handle_request` raise.
"""

from __future__ import annotations

import base64
import time
from typing import Any

from course_cli.gateway.api_keys import check_api_key
from course_cli.gateway.authorization import authorize
from course_cli.gateway.authorizers import authorizer_of
from course_cli.gateway.context import (
    Clock,
    IdFactory,
    Invocation,
    TemplateRenderer,
    build_request_context,
)
from course_cli.gateway.definition import ApiDefinition
from course_cli.gateway.error_answer import gateway_response
from course_cli.gateway.errors import (
    GatewayError,
    IntegrationFailure,
    MalformedProxyResponse,
    MissingRoute,
)
from course_cli.gateway.events import event_headers, query_parameters
from course_cli.gateway.execution_log import java_map
from course_cli.gateway.http import HttpRequest, HttpResponse
from course_cli.gateway.http_api import RouteNotFound, error_response
from course_cli.gateway.http_authorization import authorize_http
from course_cli.gateway.ids import RequestIds, new_request_id
from course_cli.gateway.integrations import Integration, integration_for
from course_cli.gateway.invoker import LambdaInvoker
from course_cli.gateway.routing import (
    NoMethod,
    RouteMatch,
    describe_routes,
    router_for,
    strip_stage,
)


def handle_request(
    definition: ApiDefinition,
    request: HttpRequest,
    invoker: LambdaInvoker,
    *,
    clock: Clock = time.time,
    new_id: IdFactory = new_request_id,
    renderer: TemplateRenderer | None = None,
) -> Invocation:
    """Answer `request` as API Gateway would; `invocation.response` is always set, whatever
    the request or handler (a failure is AWS's response, log lines and an explanation).
    `renderer` renders mapping templates (default: `vtl.render_template`, here)."""
    invocation = start(definition, request, clock, new_id)
    invocation.renderer = renderer
    run_stages(invocation, invoker)
    invocation.timings["total_ms"] = (clock() - invocation.started_at) * 1000
    return invocation


def prepare_event(
    definition: ApiDefinition,
    request: HttpRequest,
    *,
    clock: Clock = time.time,
    new_id: IdFactory = new_request_id,
) -> Invocation:
    """The stages before the call (`course event`): `invocation.event` is what the function
    would receive; when routing fails, `invocation.error` and `.response` say why."""
    invocation = start(definition, request, clock, new_id)
    run_stages(invocation, None)
    return invocation


def run_stages(invocation: Invocation, invoker: LambdaInvoker | None) -> None:
    """The stages in AWS's order; without an invoker, stop before the integration is called
    (and skip the method's Lambda authorizer, which needs one too: `authorization.py`).

    A `GatewayError` ends the run with AWS's response; any other exception is a bug in course,
    still answered the way a gateway answers (500), and said so.
    """
    try:
        route(invocation)
        authorizer = authorizer_of(invocation.match.method) if invocation.match else None
        if invoker is not None and authorizer is not None:
            # An HTTP API's authorizer answers with simple responses; a REST API's, a policy.
            run = authorize_http if authorizer.payload_format == "2.0" else authorize
            run(invocation, invoker, authorizer)
        check_api_key(invocation)
        method_request(invocation)
        integration = integration_of(invocation)
        integration.integration_request(invocation)
        if invoker is None:
            return
        integration.integrate(invocation, invoker)
        integration.integration_response(invocation)
        method_response(invocation)
    except GatewayError as error:
        fail(invocation, error)
    except Exception as error:
        bug = GatewayError(
            f"course failed while handling this request ({type(error).__name__}: {error}). "
            "This is a bug in course, not in your code; the client got AWS's generic 500.",
            ["Execution failed due to an internal error"],
        )
        fail(invocation, bug)


def start(
    definition: ApiDefinition, request: HttpRequest, clock: Clock, new_id: IdFactory
) -> Invocation:
    """A new invocation: request ids, arrival time, the path with and without the stage."""
    now = clock()
    ids = RequestIds.derive(new_id(), request.headers.get("X-Amzn-Trace-Id"), now)
    path, stage_path = strip_stage(request.path, definition.stage)
    invocation = Invocation(definition, request, ids, now, clock, path, stage_path)
    invocation.log.at = now
    return invocation


def route(invocation: Invocation) -> None:
    """Find the resource and method; build the request context a match needs."""
    request, definition = invocation.request, invocation.definition
    result = router_for(definition).match(request.method, invocation.path)
    invocation.route = result
    if isinstance(result, RouteMatch):
        invocation.match = result
        invocation.request_context = build_request_context(
            definition,
            request,
            result.resource,
            invocation.ids,
            stage_path=invocation.stage_path,
            now=invocation.started_at,
        )
        return
    if definition.http_api:  # no route and no $default route: HTTP APIs answer 404
        raise RouteNotFound(request.method, invocation.path, describe_routes(definition))
    raise MissingRoute(
        request.method,
        invocation.path,
        resource_path=result.resource.path if isinstance(result, NoMethod) else None,
        allowed=result.allowed if isinstance(result, NoMethod) else (),
        routes=describe_routes(definition),
    )


def method_request(invocation: Invocation) -> None:
    """Log the method request as AWS does (parameter validation will live here)."""
    match = invocation.match
    assert match is not None
    request, definition, ids = invocation.request, invocation.definition, invocation.ids

    def query() -> str:
        single = query_parameters(request.query_string)[0] or {}
        return f"Method request query string: {java_map(single.items())}"

    def headers() -> str:
        multi = event_headers(request, definition, ids)[1] or {}
        return f"Method request headers: {java_map((k, ','.join(v)) for k, v in multi.items())}"

    invocation.note(
        f"Starting execution for request: {ids.request_id}",
        f"HTTP Method: {request.method}, Resource Path: {invocation.path}",
        lambda: f"Method request path: {java_map(match.path_params.items())}",
        query,
        headers,
        lambda: f"Method request body before transformations: {_body_text(request.body or b'')}",
    )


def integration_of(invocation: Invocation) -> Integration:
    """The implementation of the matched method's integration type."""
    kind = invocation.integration.type
    integration = integration_for(kind)
    if integration is None:
        raise IntegrationFailure(
            f"Unsupported integration type {kind}",
            f"course cannot run {kind} integrations yet; AWS_PROXY (Lambda proxy) works.",
        )
    return integration


def method_response(invocation: Invocation) -> None:
    """Log the method response and the successful end of the execution."""
    response = invocation.response
    assert response is not None
    invocation.note(
        lambda: f"Method response body after transformations: {_body_text(response.body)}",
        lambda: f"Method response headers: {_logged_headers(response)}",
        "Successfully completed execution",
        f"Method completed with status: {response.status}",
    )


def fail(invocation: Invocation, error: GatewayError) -> None:
    """End the invocation with `error`: AWS's log lines, its gateway response (as the API
    customised it), and the explanation."""
    # Dropping the traceback breaks the cycle invocation -> error -> frame -> invocation.
    invocation.error = error.with_traceback(None)
    invocation.note(*error.log_lines)
    if error.reached_method:
        invocation.note(f"Method completed with status: {error.status}")
    invocation.log.explain(error.explanation)
    if isinstance(error, MalformedProxyResponse):
        invocation.problems = list(error.problems)
    if invocation.definition.http_api:
        invocation.response = error_response(invocation, error)
    else:
        invocation.response = gateway_response(invocation, error)


def _body_text(body: bytes) -> str:
    """A body as AWS logs it: the text, or `[Binary Data]`."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return "[Binary Data]"


def _logged_headers(response: HttpResponse) -> str:
    # x-amzn-RequestId and x-amz-apigw-id are added at the edge and not in AWS's log.
    merged: dict[str, str] = {}
    for name, value in response.headers:
        if name not in ("x-amzn-RequestId", "x-amz-apigw-id"):
            merged[name] = f"{merged[name]},{value}" if name in merged else value
    return java_map(merged.items())


def response_to_json(response: HttpResponse | None) -> dict[str, Any] | None:
    """A response as `test-invoke-method` shows it: single and multi-value headers, and the
    body as text (base64 with `isBase64Encoded: true` when it is not UTF-8)."""
    if response is None:
        return None
    multi = {name: list(values) for name, values in response.headers.groups().values()}
    try:
        body, is_base64 = response.body.decode("utf-8"), False
    except UnicodeDecodeError:
        body, is_base64 = base64.b64encode(response.body).decode("ascii"), True
    return {
        "statusCode": response.status,
        "headers": {name: values[-1] for name, values in multi.items()},
        "multiValueHeaders": multi,
        "body": body,
        "isBase64Encoded": is_base64,
    }


def invocation_to_json(invocation: Invocation) -> dict[str, Any]:
    """The `course invoke --json` document.

    ```
    {"event": {...} | null,            the proxy event sent to the function
     "result": ... | null,             the function's return value (JSON-decoded), or its
                                       error document; null when it never answered
     "response": {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"},
     "log": ["<timestamp> : <message>", ...],   AWS's execution log
     "functionLog": ["START RequestId: ...", ..., "REPORT RequestId: ..."] | null,
                                       the function's own log, as CloudWatch shows it: what it
                                       printed and logged; null when no function ran
     "explanations": ["...", ...],     plain-words explanations for the learner
     "problems": [{"field", "expected", "got", "fix", "explanation"}, ...]}
    ```
    """
    lambda_result = invocation.lambda_result
    return {
        "event": invocation.event,
        "result": invocation.result,
        "response": response_to_json(invocation.response),
        "log": invocation.log.lines,
        "functionLog": None if lambda_result is None else lambda_result.logs.splitlines(),
        "explanations": list(invocation.log.explanations),
        "problems": [problem.to_json() for problem in invocation.problems],
    }
