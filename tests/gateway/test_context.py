"""The invocation context: request ids, trace ids, and the proxy requestContext."""

from __future__ import annotations

import re
from typing import Any

from course_cli.gateway.context import build_request_context
from course_cli.gateway.http import HttpRequest
from course_cli.gateway.ids import RequestIds, new_request_id
from course_cli.gateway.pipeline import prepare_event
from course_cli.gateway.routing import RouteMatch

NOW = 1589522469.135


def test_ids_derive_from_the_request_id() -> None:
    ids = RequestIds.derive("c0ffee00-0000-4000-8000-000000000001", None, NOW)
    assert ids == RequestIds.derive("c0ffee00-0000-4000-8000-000000000001", None, NOW)
    assert ids != RequestIds.derive("c0ffee00-0000-4000-8000-000000000002", None, NOW)
    assert re.fullmatch(r"[A-Za-z0-9_-]{15}=", ids.extended_request_id)
    assert re.fullmatch(r"1-5ebe3025-[0-9a-f]{24}", ids.trace_root)
    assert ids.event_trace == f"Root={ids.trace_root}"
    assert ids.error_trace == f"Root={ids.trace_root}"
    assert re.fullmatch(
        r"Root=1-5ebe3025-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0", ids.response_trace
    )


def test_client_trace_is_kept_and_continued() -> None:
    # AWS-recorded (LocalStack test_invocation_trace_id): the response continues the client's
    # trace; a missing Parent is generated, Sampled defaults to 1 when the client sent a Parent.
    full = "Root=1-3152b799-8954dae64eda91bc9a23a7e8;Parent=7fa8c0f79203be72;Sampled=1"
    ids = RequestIds.derive("r", full, NOW)
    assert ids.event_trace == full
    assert ids.response_trace == full
    short = RequestIds.derive("r", "Root=1-3152b799-8954dae64eda91bc9a23a7e8", NOW)
    assert short.trace_root == "1-3152b799-8954dae64eda91bc9a23a7e8"
    assert short.trace_parent != "7fa8c0f79203be72" and short.trace_sampled == "0"
    junk = RequestIds.derive("r", "garbage", NOW)
    assert junk.client_trace is None and junk.trace_root.startswith("1-5ebe3025-")


def test_new_request_ids_are_random_v4_uuids() -> None:
    import uuid

    ids = {new_request_id() for _ in range(200)}
    assert len(ids) == 200
    for value in ids:
        parsed = uuid.UUID(value)
        assert parsed.version == 4 and str(parsed) == value


def test_fresh_ids_are_random_and_shaped_like_derived_ones() -> None:
    import random
    import uuid

    def fresh(client_trace: str | None, now: float) -> RequestIds:
        return RequestIds.derive(new_request_id(), client_trace, now)

    random.seed(7)  # a handler reseeding the global generator must not make ids repeat
    first = fresh(None, NOW)
    random.seed(7)
    batch = [first] + [fresh(None, NOW) for _ in range(199)]
    assert len({ids.request_id for ids in batch}) == 200
    assert len({ids.extended_request_id for ids in batch}) == 200
    for ids in batch:
        parsed = uuid.UUID(ids.request_id)
        assert parsed.version == 4 and str(parsed) == ids.request_id
        assert re.fullmatch(r"[A-Za-z0-9_-]{15}=", ids.extended_request_id)
        assert re.fullmatch(r"1-5ebe3025-[0-9a-f]{24}", ids.trace_root)
        assert re.fullmatch(r"[0-9a-f]{16}", ids.trace_parent) and ids.trace_sampled == "0"
    full = "Root=1-3152b799-8954dae64eda91bc9a23a7e8;Parent=7fa8c0f79203be72;Sampled=1"
    assert fresh(full, NOW).response_trace == full


def test_request_context_defaults_without_host(kit: Any) -> None:
    api = kit.api({"resource": "/x", "methods": ["GET"]})
    request = HttpRequest.build("GET", "/x")
    invocation = prepare_event(api, request, clock=kit.clock)
    match = invocation.match
    assert isinstance(match, RouteMatch)
    context = build_request_context(
        api, request, match.resource, invocation.ids, stage_path="/prod/x", now=NOW
    )
    assert context == invocation.request_context
    assert context["domainName"] == "abc123defg.execute-api.us-east-1.amazonaws.com"
    assert context["requestTimeEpoch"] == 1589522469135
    assert context["resourceId"] == match.resource.id
    assert "authorizer" not in context


def test_invocation_match_is_none_when_routing_failed(kit: Any) -> None:
    api = kit.api({"resource": "/x", "methods": ["GET"]})
    invocation = prepare_event(api, HttpRequest.build("GET", "/nope"), clock=kit.clock)
    assert invocation.match is None
    assert invocation.event is None
    assert invocation.response is not None and invocation.response.status == 403
