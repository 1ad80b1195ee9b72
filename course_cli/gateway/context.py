"""One request's journey through the gateway: the `Invocation`, and the proxy `requestContext`.

Every pipeline stage reads and fills the same `Invocation`: the request, the matched route,
the event, the function's result, the response, the problems, the execution log and timings.
Clock and id factory are injected so that tests (and lessons) can be deterministic.
"""

from __future__ import annotations

import binascii
import hashlib
import os
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, NamedTuple

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

# A private generator (not os.urandom: a system call, four times the cost on a VM): a learner's
# handler calling random.seed() in-process must not make ids repeat. Reseeded in forked
# workers, as the random module reseeds its own.
_random = random.Random()
os.register_at_fork(after_in_child=_random.seed)

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

        One draw of random bits gives all of them, a third of the cost of a fresh id plus
        `derive` (which hashes it); the pipeline's default, per request. Injected id factories
        (tests, lessons) go through `derive` and stay reproducible.
        """
        raw = bytearray(_random.getrandbits(376).to_bytes(47, "little"))
        raw[6] = (raw[6] & 0x0F) | 0x40
        raw[8] = (raw[8] & 0x3F) | 0x80
        h = raw[:16].hex()
        request_id = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
        return cls._from_bytes(request_id, bytes(raw[16:]), client_trace, now)

    @classmethod
    def _from_bytes(
        cls, request_id: str, digest: bytes, client_trace: str | None, now: float
    ) -> RequestIds:
        """Ids for `request_id` from 31 bytes (a hash of it, or random ones)."""
        # 16 characters ending in "=", like AWS's "OhGcMGaQIAMF9yw=".
        extended = binascii.b2a_base64(digest[:11], newline=False).decode()
        extended = extended.replace("+", "-").replace("/", "_")
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
    request_context: dict[str, Any] | None = None
    event: Any = None  # the proxy event, or what a custom integration sent its backend
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
    def match(self) -> RouteMatch | None:
        """The matched route, or None when routing failed or has not run."""
        return self.route if isinstance(self.route, RouteMatch) else None

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
    domain = request.headers.get("Host") or definition.domain_name
    return {
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
        "resourceId": resource.id,
        "resourcePath": resource.path,
        "stage": definition.stage,
    }
