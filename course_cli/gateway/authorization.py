"""The authorizer stage: a method's Lambda authorizer, run before the method request as on AWS.

```
identity sources present? ──no──▶ 401 {"message":"Unauthorized"}        (function not called)
      │yes
cached policy for this identity (TTL)? ──yes──┐
      │no                                      │
call the authorizer (TOKEN or REQUEST event)   │
  raised "Unauthorized" ──▶ 401                │
  raised anything else / timed out ──▶ 500     │
  answer without a usable policy ──▶ 500       │
      │                                        │
evaluate the policy against the method ARN ◀───┘
  explicit Deny ──▶ 403 "... with an explicit deny"; no Allow ──▶ 403
  Allow ──▶ requestContext.authorizer = {context..., principalId, integrationLatency}
```

Each answer is a `GatewayError` with its gateway response type, so an API's gateway responses
customise it: UNAUTHORIZED 401, ACCESS_DENIED 403 (its body's key is `Message`, capitalised),
AUTHORIZER_CONFIGURATION_ERROR 500 for any other failure. The events (TOKEN, REQUEST), the
method ARN and the execution-log lines are AWS's; every one, with its source and the few
wordings that are ours, is a row of `tests/gateway/cases/authorizers.json`.

Results are cached per authorizer and identity (the token, or the identity sources' values),
not per method: a policy that allows only the method it was asked about denies the next method
until the TTL ends (AWS's advice: a policy for every method, or TTL 0). Only answers with a
policy are cached, not errors.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from course_cli.gateway.authorizers import Authorizer, identity_source_parts
from course_cli.gateway.definition import stable_id
from course_cli.gateway.errors import AccessDenied, AuthorizerConfigurationError, Unauthorized
from course_cli.gateway.events import build_proxy_event, query_parameters
from course_cli.gateway.execution_log import java_map
from course_cli.gateway.invoker import INTEGRATION_TIMEOUT_S, FunctionNotFound, Outcome
from course_cli.gateway.policy import (
    AuthorizerAnswer,
    PolicyError,
    Verdict,
    context_values,
    evaluate,
    parse_answer,
)

if TYPE_CHECKING:
    from course_cli.gateway.context import Invocation
    from course_cli.gateway.definition import ApiDefinition
    from course_cli.gateway.invoker import LambdaInvoker, LambdaResult


@dataclass(frozen=True, slots=True)
class _Cached:
    answer: Any  # an AuthorizerAnswer (REST), or (isAuthorized, context) (HTTP API)
    expires_at: float


class AuthorizerCache:
    """Authorizer answers by (authorizer, identity), each until its TTL ends."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, ...], _Cached] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...], now: float) -> Any:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if now >= entry.expires_at:
                del self._entries[key]
                return None
            return entry.answer

    def put(self, key: tuple[str, ...], answer: Any, expires_at: float) -> None:
        with self._lock:
            if len(self._entries) >= 10_000:  # a flood of tokens must not grow it for ever
                self._entries.clear()
            self._entries[key] = _Cached(answer, expires_at)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def cache_of(definition: ApiDefinition) -> AuthorizerCache:
    """The definition's authorizer cache (a new definition - a redeploy - starts empty)."""
    cache = definition.compiled.get("authorizer_cache")
    if cache is None:
        cache = definition.compiled.setdefault("authorizer_cache", AuthorizerCache())
    assert isinstance(cache, AuthorizerCache)
    return cache


def method_arn(definition: ApiDefinition, verb: str, path: str) -> str:
    """`arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{VERB}/{path}`."""
    return (
        f"arn:aws:execute-api:{definition.region}:{definition.account_id}:"
        f"{definition.api_id}/{definition.stage}/{verb}{path}"
    )


def authorizer_id(definition: ApiDefinition, authorizer: Authorizer) -> str:
    """A stable 6-character id, like AWS's authorizer ids (`elkw5b`)."""
    return stable_id(
        f"{definition.api_id}/authorizers/{authorizer.name or authorizer.function_name}", 6
    )


def mask(value: str) -> str:
    """A secret as AWS logs it: stars, then its last six characters (fewer for short ones)."""
    keep = min(6, len(value) // 2)
    return "*" * (len(value) - keep) + value[len(value) - keep :]


def identity_values(invocation: Invocation, authorizer: Authorizer) -> list[str | None]:
    """The value of each identity source for this request (None: missing or empty)."""
    request = invocation.request
    values: list[str | None] = []
    for source in authorizer.identity_source:
        kind, name = identity_source_parts(source)
        value: Any
        if kind == "header":
            value = request.headers.get(name)
        elif kind == "querystring":
            value = (query_parameters(request.query_string)[0] or {}).get(name)
        elif kind == "stageVariables":
            value = (invocation.definition.stage_variables or {}).get(name)
        else:
            value = _dig(invocation.request_context or {}, name.split("."))
            value = None if value is None else str(value)
        values.append(value if value else None)
    return values


def _dig(data: Any, path: list[str]) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def build_event(invocation: Invocation, authorizer: Authorizer, arn: str, token: str) -> Any:
    """The event the authorizer function receives (TOKEN or REQUEST)."""
    if authorizer.type == "TOKEN":
        return {"type": "TOKEN", "authorizationToken": token, "methodArn": arn}
    match = invocation.match
    assert match is not None and invocation.request_context is not None
    proxy = build_proxy_event(
        invocation.request,
        invocation.definition,
        match,
        invocation.request_context,
        invocation.path,
        invocation.ids,
    )
    return {
        "type": "REQUEST",
        "methodArn": arn,
        **{k: proxy[k] for k in ("resource", "path", "httpMethod", "headers")},
        **{k: proxy[k] for k in ("multiValueHeaders", "queryStringParameters")},
        "multiValueQueryStringParameters": proxy["multiValueQueryStringParameters"],
        "pathParameters": proxy["pathParameters"] or {},
        "stageVariables": proxy["stageVariables"],
        "requestContext": proxy["requestContext"],
    }


def start(invocation: Invocation, authorizer: Authorizer, answered: str) -> tuple[str, list[str]]:
    """The authorizer stage's first steps, for either kind of API: log its start, and return
    the authorizer's id and the identity sources' values; `Unauthorized` (401, the function not
    called) when one is missing, saying how the API `answered`."""
    definition, ids = invocation.definition, invocation.ids
    auth_id = authorizer_id(definition, authorizer)
    invocation.note(f"Starting authorizer: {auth_id} for request: {ids.request_id}")
    values = identity_values(invocation, authorizer)
    missing = [s for s, v in zip(authorizer.identity_source, values, strict=True) if v is None]
    if missing:
        raise Unauthorized(
            f"The request has no value for the authorizer's identity source "
            f"({', '.join(missing)}), so {answered} without calling the authorizer function. "
            "Send it, e.g. curl -H 'Authorization: <token>' ...",
            [f"Unauthorized request: {ids.request_id}"],
        )
    present = [v for v in values if v is not None]
    invocation.note(lambda: f"Incoming identity: {', '.join(mask(v) for v in present)}")
    return auth_id, present


def authorize(invocation: Invocation, invoker: LambdaInvoker, authorizer: Authorizer) -> None:
    """Run a REST API method's `authorizer`; raise AWS's answer when the request may not go
    on, else put `authorizer` in the request context."""
    definition, request = invocation.definition, invocation.request
    arn = method_arn(definition, request.method, invocation.path)
    auth_id, present = start(invocation, authorizer, "API Gateway answered 401")
    key = (authorizer.name or authorizer.function_name, authorizer.type, *present)
    cache = cache_of(definition)
    answer = cache.get(key, invocation.clock()) if authorizer.ttl_s else None
    latency_ms, from_cache = 0, answer is not None
    if answer is not None:
        invocation.log.explain(
            f"API Gateway used the authorizer's cached answer for this identity (TTL "
            f"{authorizer.ttl_s} s) and did not call the function: the policy was returned for an "
            "earlier request and is now evaluated against this one's method ARN."
        )
    else:
        token = present[0] if authorizer.type == "TOKEN" else ""
        event = build_event(invocation, authorizer, arn, token)
        result, latency_ms = call_authorizer(invocation, invoker, authorizer, event, auth_id)
        answer = _read(invocation, result)
        if authorizer.ttl_s:
            cache.put(key, answer, invocation.clock() + authorizer.ttl_s)
    principal = answer.principal_id
    invocation.note(
        f"Using valid authorizer policy for principal: {mask(principal or '')}",
        "Successfully completed authorizer execution",
    )
    verdict = evaluate(answer.statements, arn)
    if verdict is not Verdict.ALLOW:
        explicit = verdict is Verdict.EXPLICIT_DENY
        why = (
            "a Deny statement of its policy matches this method's ARN (Deny wins over Allow)"
            if explicit
            else "no Allow statement of its policy matches this method's ARN"
        )
        raise AccessDenied(
            f"The authorizer answered, but {why}: {arn}. API Gateway answered 403. "
            + (
                "The policy came from the cache: it was written for an earlier request. Return a "
                "policy covering every method this caller may use (e.g. .../prod/*/*), or set "
                "the authorizer's TTL to 0."
                if from_cache
                else "The authorizer decided so."
                if explicit
                else "A Resource may use * and ? wildcards, e.g. arn:aws:execute-api:*:*:*/*/GET/*."
            ),
            ["The client is not authorized to perform this operation."],
            explicit=explicit,
        )
    try:
        context = context_values(answer.context)
    except PolicyError as error:
        raise AuthorizerConfigurationError(error.log_reason, error.explanation) from None
    assert invocation.request_context is not None
    invocation.request_context["authorizer"] = {
        **context,
        "principalId": principal,
        "integrationLatency": latency_ms,
    }


def call_authorizer(
    invocation: Invocation,
    invoker: LambdaInvoker,
    authorizer: Authorizer,
    event: Any,
    auth_id: str,
) -> tuple[LambdaResult, int]:
    """Invoke the authorizer function, logging the endpoint request as AWS does."""
    definition, ids = invocation.definition, invocation.ids
    name = authorizer.function_name
    arn = definition.function_arn(name)
    uri = f"https://lambda.{definition.region}.amazonaws.com/2015-03-31/functions/{arn}/invocations"
    source_arn = (
        f"arn:aws:execute-api:{definition.region}:{definition.account_id}:"
        f"{definition.api_id}/authorizers/{auth_id}"
    )
    headers = [
        ("x-amzn-lambda-integration-tag", ids.request_id),
        ("Authorization", "*" * 24),
        ("x-amzn-apigateway-api-id", definition.api_id),
        ("X-Amz-Source-Arn", source_arn),
        ("Accept", "application/json"),
        ("User-Agent", f"AmazonAPIGateway_{definition.api_id}"),
    ]
    invocation.note(
        f"Endpoint request URI: {uri}",
        lambda: f"Endpoint request headers: {java_map(headers)}",
        lambda: (
            "Endpoint request body after transformations: "
            + json.dumps(event, separators=(",", ":"))
        ),
    )
    config = definition.functions.get(name)
    timeout_s = config.timeout_s if config is not None else 3.0
    started = invocation.clock()
    try:
        result = invoker(name, event, timeout_s=timeout_s, wait_s=INTEGRATION_TIMEOUT_S)
    except FunctionNotFound:
        raise AuthorizerConfigurationError(
            "Authorizer error",
            f"The authorizer's Lambda function '{name}' does not exist, so API Gateway answered "
            "500.",
        ) from None
    except Exception as error:  # the runtime promises not to raise; if it does, say so
        raise AuthorizerConfigurationError(
            "Authorizer error",
            f"course's Lambda runtime failed before the authorizer could answer "
            f"({type(error).__name__}: {error}).",
        ) from error
    now = invocation.log.at = invocation.clock()
    latency_ms = max(0, round((now - started) * 1000))
    invocation.timings["authorizer_ms"] = latency_ms
    return result, latency_ms


def _read(invocation: Invocation, result: LambdaResult) -> AuthorizerAnswer:
    """The authorizer's answer as a policy; AWS's 401 or 500 when there is none."""
    value = decoded_answer(invocation, result)
    try:
        return parse_answer(value)
    except PolicyError as error:
        raise AuthorizerConfigurationError(error.log_reason, error.explanation, result) from None


def decoded_answer(invocation: Invocation, result: LambdaResult) -> Any:
    """What the authorizer returned, JSON-decoded; AWS's 401 or 500 when it failed."""
    if result.outcome is Outcome.NO_ANSWER:
        raise AuthorizerConfigurationError(
            "Authorizer error",
            "The authorizer function did not answer in time, so API Gateway answered 500.",
            result,
        )
    if result.outcome is not Outcome.OK:
        error = result.error or {}
        message = str(error.get("errorMessage", ""))
        if message == "Unauthorized" and result.outcome is Outcome.ERROR:
            raise Unauthorized(
                "The authorizer raised Exception('Unauthorized'), API Gateway's one way for an "
                'authorizer to answer 401 {"message":"Unauthorized"}. Any other message would be '
                "a 500.",
                [f"Unauthorized request: {invocation.ids.request_id}"],
            )
        what = "timed out" if result.outcome is Outcome.TIMEOUT else "raised an error"
        raise AuthorizerConfigurationError(
            "Authorizer error",
            f"The authorizer function {what} ({error.get('errorType', 'Error')}: {message}). "
            'API Gateway answers 500 {"message":null} for that - only the exact message '
            "'Unauthorized' becomes a 401. To refuse a caller, raise Exception('Unauthorized') "
            "or return a Deny policy.",
            result,
        )
    payload = result.payload
    invocation.note(lambda: f"Authorizer result body before parsing: {payload}")
    try:
        return json.loads(payload)
    except ValueError:
        return payload
