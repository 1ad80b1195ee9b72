"""One request's journey through the gateway: the `Invocation`, and the proxy `requestContext`.

Every pipeline stage reads and fills the same `Invocation`: the request, the matched route,
the event, the function's result, the response, the problems, the execution log and timings.
Clock and id factory are injected so that tests (and lessons) can be deterministic.
"""

from __future__ import annotations

import binascii
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from course_cli.gateway import random_ids
from course_cli.gateway.execution_log import ExecutionLog, Message, format_request_time
from course_cli.gateway.routing import RouteMatch, RouteResult

if TYPE_CHECKING:
    from course_cli.gateway.definition import ApiDefinition, Resource
    from course_cli.gateway.errors import GatewayError
    from course_cli.gateway.http import HttpRequest, HttpResponse
    from course_cli.gateway.invoker import LambdaResult
    from course_cli.gateway.proxy_response import Problem

_TRACE_PARTS: Final = {
    "root": re.compile(r"1-[0-9a-f]{8}-[0-9a-f]{24}"),
    "parent": re.compile(r"[0-9a-f]{16}"),
    "sampled": re.compile(r"[01?]"),
}

# base64's "+" and "/" as AWS's extended request ids spell them.
_URL_SAFE: Final = bytes.maketrans(b"+/", b"-_")

# (epoch second, `1-<its 8 hex digits>-`): the start of the trace roots made in that second.
_epoch_hex: tuple[int, str] = (-1, "")

Clock = Callable[[], float]  # epoch seconds, like time.time
IdFactory = Callable[[], str]  # a fresh request id, like str(uuid.uuid4())


class RequestIds(NamedTuple):
    """The ids API Gateway gives one request: derived from its request id, or all random.

    (A NamedTuple rather than a frozen dataclass: one is built per request, 4x faster.)
    `extended_request_id` is also the `x-amz-apigw-id` header (AWS sends the same value).
    Trace ids follow X-Ray: `1-<8 hex epoch seconds>-<24 hex>`; a client's own
    `X-Amzn-Trace-Id` is kept, as AWS keeps it.
    """

    request_id: str
    extended_request_id: str
    trace_root: str
    trace_parent: str
    trace_sampled: str
    client_trace: str | None = None  # the client's X-Amzn-Trace-Id, when it sent a Root

    @classmethod
    def derive(cls, request_id: str, client_trace: str | None, now: float) -> RequestIds:
        """Ids for `request_id`; the same request id always gives the same ids."""
        digest = hashlib.blake2b(request_id.encode(), digest_size=31).digest()
        return cls._from_bytes(request_id, digest, client_trace, now)

    @classmethod
    def fresh(cls, client_trace: str | None, now: float) -> RequestIds:
        """Ids for a new request: a random v4 request id, the rest random too.

        The pipeline's default, per request: ready-made ids from `random_ids`, a fifth of the
        cost of drawing and spelling them here. Injected id factories (tests, lessons) go
        through `derive` and stay reproducible.
        """
        if client_trace:
            digest = random_ids.random_bytes(31)
            return cls._from_bytes(random_ids.uuid4(), digest, client_trace, now)
        request_id, extended, root, parent = random_ids.gateway_ids()
        global _epoch_hex
        second = int(now)
        if _epoch_hex[0] != second:  # many requests a second: format each second once
            _epoch_hex = (second, f"1-{second & 0xFFFFFFFF:08x}-")
        # `tuple.__new__` directly: the NamedTuple's own `__new__` is one more Python call.
        return tuple.__new__(cls, (request_id, extended, _epoch_hex[1] + root, parent, "0", None))

    @classmethod
    def _from_bytes(
        cls, request_id: str, digest: bytes, client_trace: str | None, now: float
    ) -> RequestIds:
        """Ids for `request_id` from 31 bytes (a hash of it, or random ones)."""
        # 16 characters ending in "=", like AWS's "OhGcMGaQIAMF9yw=".
        extended = binascii.b2a_base64(digest[:11], newline=False).translate(_URL_SAFE).decode()
        if not client_trace:
            root = f"1-{int(now) & 0xFFFFFFFF:08x}-{digest[11:23].hex()}"
            return cls(request_id, extended, root, digest[23:31].hex(), "0")
        parts: dict[str, str] = {}
        for item in client_trace.split(";"):
            key, _, value = item.partition("=")
            key, value = key.strip().lower(), value.strip()
            pattern = _TRACE_PARTS.get(key)
            # Only well-formed parts are continued: they end up in our response headers.
            if pattern is not None and pattern.fullmatch(value):
                parts[key] = value
        root = parts.get("root") or f"1-{int(now) & 0xFFFFFFFF:08x}-{digest[11:23].hex()}"
        parent = parts.get("parent") or digest[23:31].hex()
        sampled = parts.get("sampled") or ("1" if "parent" in parts else "0")
        kept = client_trace if "root" in parts else None
        return cls(request_id, extended, root, parent, sampled, kept)

    @property
    def event_trace(self) -> str:
        """The `X-Amzn-Trace-Id` the function sees: the client's, or `Root=<root>`."""
        return self.client_trace or f"Root={self.trace_root}"

    @property
    def response_trace(self) -> str:
        """`X-Amzn-Trace-Id` on a response from the integration."""
        return f"Root={self.trace_root};Parent={self.trace_parent};Sampled={self.trace_sampled}"

    @property
    def error_trace(self) -> str:
        """`X-Amzn-Trace-Id` on an error API Gateway answers itself (recorded: Root only)."""
        return f"Root={self.trace_root}"


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
    # What was sent (read it as `event`): the proxy event, or what a custom integration sent
    # its backend. `_event_recipe` builds the proxy event afresh: once the event itself was
    # handed to the function, which may change it, `_event` is None until the next read
    # builds it again.
    _event: Any = None
    _event_recipe: Callable[[], Any] | None = None
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

    @property
    def request_id(self) -> str:
        """API Gateway's id for this request (requestContext.requestId, x-amzn-RequestId)."""
        return self.ids.request_id

    @property
    def event(self) -> Any:
        """What was sent, exactly as sent: whatever the function did to its own event."""
        if self._event is None and self._event_recipe is not None:
            self._event = self._event_recipe()
        return self._event

    @event.setter
    def event(self, value: Any) -> None:
        self._event, self._event_recipe = value, None

    def set_event(self, event: Any, recipe: Callable[[], Any]) -> None:
        """Set the event sent, with `recipe`, which builds an equal one afresh each call (and
        lets `hand_over_event` give the event itself away)."""
        self._event, self._event_recipe = event, recipe

    def hand_over_event(self) -> Any:
        """The event itself, for a function that may change it; None if it cannot be built
        again (no recipe). From now on `event` is a fresh build: handing the event over
        instead of copying it saves a copy per request, and most requests (`course serve`)
        never read it back."""
        if self._event_recipe is None:
            return None
        event, self._event = self._event, None
        return event

    def note(self, *messages: Message) -> None:
        """Append execution-log lines, stamped with the time of the current stage (`log.at`)."""
        self.log.add(*messages)


def build_request_context(
    definition: ApiDefinition,
    request: HttpRequest,
    resource: Resource,
    ids: RequestIds,
    *,
    stage_path: str,
    now: float,
) -> dict[str, Any]:
    """The proxy event's `requestContext` (spec §1), keys in AWS's documented order.

    `domainName` is the Host the client used, as on AWS (a custom domain shows up there);
    without a Host header it is the API's default `<apiId>.execute-api.<region>.amazonaws.com`.
    No `authorizer` key: methods without an authorizer have none.
    """
    # A copy of the resource's template, with this request's values written over its
    # placeholders (which keeps the key order): twice as fast as building the dict anew.
    context = _context_template(definition, resource).copy()
    headers = request.headers.groups()  # (`Headers.get`'s look-ups, without its calls)
    host = headers.get("host")
    if host is not None and host[1][-1]:
        domain = host[1][-1]
        context["domainName"] = domain
        context["domainPrefix"] = domain.split(".", 1)[0]
    context["extendedRequestId"] = ids.extended_request_id
    context["httpMethod"] = request.method
    identity = _IDENTITY_TEMPLATE.copy()
    identity["sourceIp"] = request.source_ip
    user_agent = headers.get("user-agent")
    identity["userAgent"] = None if user_agent is None else user_agent[1][-1]
    context["identity"] = identity
    context["path"] = stage_path
    context["protocol"] = request.protocol
    context["requestId"] = ids.request_id
    context["requestTime"] = format_request_time(now)
    context["requestTimeEpoch"] = int(now * 1000)
    return context


# `requestContext.identity` without authentication: everything but the caller's address and
# user agent is null.
_IDENTITY_TEMPLATE: Final[dict[str, str | None]] = dict.fromkeys(
    (
        "accessKey",
        "accountId",
        "caller",
        "cognitoAuthenticationProvider",
        "cognitoAuthenticationType",
        "cognitoIdentityId",
        "cognitoIdentityPoolId",
        "principalOrgId",
        "sourceIp",
        "user",
        "userAgent",
        "userArn",
    )
)


def _context_template(definition: ApiDefinition, resource: Resource) -> dict[str, Any]:
    """The resource's `requestContext` in AWS's key order: what is the same for every request,
    and None where `build_request_context` writes the request's own values. Built once per
    resource and cached on the definition."""
    templates = definition.compiled.get("request_context")
    if templates is None:
        templates = definition.compiled["request_context"] = {}
    template: dict[str, Any] | None = templates.get(resource.path)
    if template is None:
        domain = definition.domain_name
        template = templates[resource.path] = {
            "accountId": definition.account_id,
            "apiId": definition.api_id,
            "deploymentId": definition.deployment_id,
            "domainName": domain,
            "domainPrefix": domain.split(".", 1)[0],
            "extendedRequestId": None,
            "httpMethod": None,
            "identity": None,
            "path": None,
            "protocol": None,
            "requestId": None,
            "requestTime": None,
            "requestTimeEpoch": None,
            "resourceId": resource.id,
            "resourcePath": resource.path,
            "stage": definition.stage,
        }
    return template
