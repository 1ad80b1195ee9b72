"""One request's journey through the gateway: the `Invocation`, and the proxy `requestContext`.

Every pipeline stage reads and fills the same `Invocation`: the request, the matched route,
the event, the function's result, the response, the problems, the execution log and timings.
Clock and id factory are injected so that tests (and lessons) can be deterministic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from course_cli.gateway.execution_log import ExecutionLog, Message, format_request_time
from course_cli.gateway.routing import RouteMatch, RouteResult

if TYPE_CHECKING:
    from course_cli.gateway.definition import ApiDefinition, Integration, Resource
    from course_cli.gateway.errors import GatewayError, Problem
    from course_cli.gateway.http import HttpRequest, HttpResponse
    from course_cli.gateway.ids import RequestIds
    from course_cli.gateway.invoker import LambdaResult
    from course_cli.gateway.vtl import Rendered, TemplateData

Clock = Callable[[], float]  # epoch seconds, like time.time
IdFactory = Callable[[], str]  # a fresh request id, like str(uuid.uuid4())
# Renders a mapping template, as `vtl.render_template` does (the default); the grader passes
# one that renders a learner's template in a sandboxed worker instead.
TemplateRenderer = Callable[["str", "TemplateData"], "Rendered"]


@dataclass(slots=True, eq=False)
class Invocation:
    """Everything about one request as it passes the stages; the pipeline's only state."""

    definition: ApiDefinition
    request: HttpRequest
    ids: RequestIds
    started_at: float
    clock: Clock
    path: str = "/"  # the request path without the stage, percent-encoding kept
    stage_path: str = "/"  # the path with the stage, as requestContext.path shows it
    route: RouteResult | None = None
    match: RouteMatch | None = None  # `route` when it is a match, else None
    request_context: dict[str, Any] | None = None
    # What was sent: the proxy event, or what a custom integration sent its backend.
    event: Any = None
    lambda_result: LambdaResult | None = None
    result: Any = None  # the function's JSON-decoded return value, or its error document
    problems: list[Problem] = field(default_factory=list)
    error: GatewayError | None = None
    response: HttpResponse | None = None
    log: ExecutionLog = field(default_factory=ExecutionLog)
    timings: dict[str, float] = field(default_factory=dict)
    # Custom integrations (AWS, HTTP, MOCK): $context after the request template, the
    # backend's raw answer; see integrations/custom.py.
    custom: dict[str, Any] = field(default_factory=dict)
    # Who renders this request's mapping templates; None: `vtl.render_template`, here.
    renderer: TemplateRenderer | None = None

    @property
    def integration(self) -> Integration:
        """The matched method's integration; only for stages after a route matched."""
        assert self.match is not None
        return self.match.method.integration

    @property
    def request_id(self) -> str:
        """API Gateway's id for this request (requestContext.requestId, x-amzn-RequestId)."""
        return self.ids.request_id

    def note(self, *messages: Message) -> None:
        """Append execution-log lines, stamped with the time of the current stage (`log.at`)."""
        self.log.add(*messages)


def build_request_context(
    definition: ApiDefinition,
    request: HttpRequest,
    resource: Resource | None,
    ids: RequestIds,
    *,
    stage_path: str,
    now: float,
) -> dict[str, Any]:
    """The proxy event's `requestContext` (spec §1), keys in AWS's documented order.

    `domainName` is the Host the client used, as on AWS (a custom domain shows up there),
    else the API's default domain. No `authorizer` key: methods without an authorizer have
    none. Without `resource` (no route matched) there is no resourceId or resourcePath.
    """
    domain = request.headers.get("Host") or definition.domain_name
    context: dict[str, Any] = {
        "accountId": definition.account_id,
        "apiId": definition.api_id,
        "deploymentId": definition.deployment_id,
        "domainName": domain,
        "domainPrefix": domain.split(".", 1)[0],
        "extendedRequestId": ids.extended_request_id,
        "httpMethod": request.method,
        "identity": {
            "accessKey": None,
            "accountId": None,
            "caller": None,
            "cognitoAuthenticationProvider": None,
            "cognitoAuthenticationType": None,
            "cognitoIdentityId": None,
            "cognitoIdentityPoolId": None,
            "principalOrgId": None,
            "sourceIp": request.source_ip,
            "user": None,
            "userAgent": request.headers.get("User-Agent"),
            "userArn": None,
        },
        "path": stage_path,
        "protocol": request.protocol,
        "requestId": ids.request_id,
        "requestTime": format_request_time(now),
        "requestTimeEpoch": int(now * 1000),
    }
    if resource is not None:
        context["resourceId"] = resource.id
        context["resourcePath"] = resource.path
    context["stage"] = definition.stage
    return context
