"""Checks for 08-authorizer: the learner's TOKEN authorizer in front of the items API (every
route behind it, results cached 300 s per token), with a function that answers with what the
authorizer passed on. The learner's authorizer runs like a handler: in the runner's worker."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from course_cli.grader.cases import Case, CaseFailed, Reply, expect
from course_cli.grader.lesson_api import GradedApi, graded_api
from course_cli.grader.runner import SubmissionRunner, SubmittedFunction

EXERCISE = "08-authorizer"
BACKENDS = Path(__file__).resolve().parent.parent / "backends.py"
ROUTES = {"/items": ("GET", "POST"), "/items/{itemId}": ("GET", "DELETE")}
GUARD = {
    "function": "auth",
    "type": "TOKEN",
    "identitySource": "method.request.header.Authorization",
    "authorizerResultTtlInSeconds": 300,
}
PRINCIPAL = "ada"
CONTEXT = {"name": "Ada Lovelace", "role": "editor", "admin": "true"}  # as the function sees it


@contextmanager
def session(folder: Path, runner: SubmissionRunner) -> Iterator[GradedApi]:
    authorizer = SubmittedFunction(f"{folder / 'authorizer.py'}:handler")
    runner.load(authorizer)
    items = SubmittedFunction(f"{BACKENDS}:echo_authorizer", grader_code=True)
    table = {
        "name": "items",
        "routes": [
            {"resource": path, "method": verb, "integration": {"function": "items"}}
            | {"authorizer": GUARD}
            for path, verbs in ROUTES.items()
            for verb in verbs
        ],
    }
    yield graded_api(table, runner, {"items": items, "auth": authorizer})


def _fresh(api: GradedApi) -> None:
    """Each case starts with an empty authorizer cache, as after a redeployment."""
    from course_cli.gateway.authorization import cache_of

    cache_of(api.definition).clear()


def _send(api: GradedApi, method: str, path: str, token: str | None) -> tuple[Reply, str]:
    headers = () if token is None else (("Authorization", token),)
    shown = f"{method} {path} " + ("without Authorization" if token is None else f"with {token!r}")
    return api.send(method, path, headers=headers), shown


def _expect(reply: Reply, status: int, shown: str) -> None:
    """The status, or what the gateway said about the authorizer's answer instead."""
    if reply.status == status:
        return
    message = f"{shown}: expected status {status}, got {reply.status}"
    why = reply.why() if reply.status >= 400 else ""
    raise CaseFailed(f"{message}. {why}" if why else f"{message} with body {reply.text[:120]}")


def _allowed(api: GradedApi, method: str, path: str) -> dict[str, Any]:
    reply, shown = _send(api, method, path, "allow")
    _expect(reply, 200, shown)
    seen = reply.json()
    authorizer = seen.get("authorizer") if isinstance(seen, dict) else None
    expect(isinstance(authorizer, dict), f"{shown}: the function saw no requestContext.authorizer")
    assert isinstance(authorizer, dict)
    return authorizer


def allow_reaches_the_function(api: GradedApi) -> None:
    _fresh(api)
    authorizer = _allowed(api, "GET", "/items/1")
    got = authorizer.get("principalId")
    expect(
        got == PRINCIPAL,
        f"GET /items/1 with 'allow': the function saw principalId {got!r}, expected {PRINCIPAL!r}",
    )


def allow_passes_the_context(api: GradedApi) -> None:
    _fresh(api)
    authorizer = _allowed(api, "GET", "/items/1")
    for key, expected in CONTEXT.items():
        got = authorizer.get(key, "(missing)")
        expect(
            got == expected,
            f"GET /items/1 with 'allow': the function saw requestContext.authorizer.{key} = "
            f"{got!r}, expected {expected!r} (API Gateway hands every context value on as a "
            "string: True becomes 'true')",
        )


def deny_is_403(api: GradedApi) -> None:
    _fresh(api)
    reply, shown = _send(api, "GET", "/items/1", "deny")
    _expect(reply, 403, shown)
    expect(
        "explicit deny" in reply.text,
        f"{shown}: got 403 {reply.text}, an implicit deny (no statement matched); return a "
        "statement with Effect Deny covering the method",
    )


def unknown_token_is_401(api: GradedApi) -> None:
    _fresh(api)
    for token in ("letmein", "Bearer allow"):
        reply, shown = _send(api, "GET", "/items/1", token)
        _expect(reply, 401, shown)


def missing_header_is_401(api: GradedApi) -> None:
    _fresh(api)
    reply, shown = _send(api, "GET", "/items", None)
    _expect(reply, 401, shown)
    called = any("Endpoint request URI" in line for line in reply.invocation.log.lines)
    expect(not called, f"{shown}: API Gateway must answer 401 without calling the authorizer")


def cached_policy_covers_every_method(api: GradedApi) -> None:
    _fresh(api)
    first = "GET /items/1"
    _allowed(api, "GET", "/items/1")
    for method, path in (("POST", "/items"), ("DELETE", "/items/1"), ("GET", "/items")):
        reply, shown = _send(api, method, path, "allow")
        if reply.status == 403:
            raise CaseFailed(
                f"{shown} right after {first} with the same token: 403. API Gateway reused "
                f"the policy your authorizer returned for {first} (cached 300 s per token), and "
                "its Resource does not cover this method. Allow the whole API: "
                "arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/*/*"
            )
        _expect(reply, 200, shown)


def tokens_are_compared_exactly(api: GradedApi) -> None:
    _fresh(api)
    for token in ("Allow", "allowed", "DENY"):
        reply, shown = _send(api, "GET", "/items/1", token)
        _expect(reply, 401, shown)


CASES = (
    Case(
        "allow: the request reaches the function with its principalId",
        2,
        'return a policy with Effect "Allow" and principalId "ada" for the token "allow"',
        allow_reaches_the_function,
    ),
    Case(
        "allow: the function gets the user's context",
        2,
        'add "context": {"name": ..., "role": ..., "admin": True} to the answer (flat values)',
        allow_passes_the_context,
    ),
    Case(
        "deny: 403 with an explicit deny",
        2,
        'return a policy whose statement has Effect "Deny" for the token "deny"',
        deny_is_403,
    ),
    Case(
        "an unknown token: 401",
        2,
        'raise Exception("Unauthorized") - exactly that message - for any other token',
        unknown_token_is_401,
    ),
    Case(
        "no Authorization header: 401 before the authorizer runs",
        1,
        "API Gateway answers this itself: nothing to change in your code",
        missing_header_is_401,
    ),
    Case(
        "the cached policy covers every method",
        2,
        "the policy is cached per token: its Resource must allow every method, e.g. "
        "<apiId>/<stage>/*/*",
        cached_policy_covers_every_method,
        hidden=True,
    ),
    Case(
        "tokens are compared exactly",
        1,
        'only "allow" and "deny" exactly: "Allow" or "allowed" is an unknown token',
        tokens_are_compared_exactly,
        hidden=True,
    ),
)
