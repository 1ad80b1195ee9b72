"""Live examples for topic 6, beyond the REST proxy: payload 2.0 and Lambda authorizers.

Each runs the files of the step's `examples/6-*` folder (the ones its commands name) through
the gateway: the same request as a 1.0 and a 2.0 event, a return value without `statusCode`
under both formats, a TOKEN authorizer's 401/403/500/200, what reaches the function, and a
policy cached for one method denying the next.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from course_cli.local_api import LocalApi

TOKEN_FOLDER: Final = "6-3-token-authorizer"
# The classic mistake: an HTTP answer where API Gateway expects a policy (step 6.3's 500 row).
HTTP_ANSWER_AUTHORIZER: Final = """def handler(event, context):
    return {"statusCode": 401, "body": "go away"}  # an HTTP answer, not a policy
"""
EVENT_HANDLER: Final = """def handler(event, context):
    return {"statusCode": 200, "body": "ok"}
"""


@dataclass(frozen=True)
class Call:
    """One request of an example, with the token it carries (None: no Authorization header)."""

    method: str
    path: str
    token: str | None = None


def example_path(folder: str, name: str) -> Path:
    """A file of the lesson's `examples/` (the one the step's commands run)."""
    from course_cli.workspace import bundled_dir

    return bundled_dir("examples") / folder / name


def _request(call: Call, **options: Any) -> Any:
    from course_cli.local_api import build_request

    headers = [] if call.token is None else [("Authorization", call.token)]
    return build_request(call.method, call.path, headers=headers, **options)


def guarded_api(handler: Path, authorizer: Path | str, ttl_s: int = 300) -> LocalApi:
    """`handler` on every path (a REST API), each method behind a TOKEN authorizer, as
    `course invoke HANDLER --authorizer AUTH.py` builds it."""
    from dataclasses import replace

    from course_cli.gateway.authorizers import Authorizer, with_authorizers
    from course_cli.gateway.definition import FunctionConfig
    from course_cli.local_api import LocalApi, api_for_handler
    from course_cli.runtime import InProcessRuntime

    local = api_for_handler(str(handler))
    definition = local.definition
    name = "auth"
    guard = Authorizer(function_name=name, ttl_s=ttl_s, name=name)
    definition = replace(
        definition, functions={**definition.functions, name: FunctionConfig(name, str(authorizer))}
    )
    every = {(r.path, verb): guard for r in definition.resources for verb in r.methods}
    handlers = {fn: str(spec) for fn, spec in local.runtime.functions.items()}
    runtime = InProcessRuntime({**handlers, name: str(authorizer)})
    return LocalApi(with_authorizers(definition, every), runtime)


def send_all(api: LocalApi, calls: Sequence[Call]) -> list[dict[str, Any]]:
    """Send `calls` in order through one API (one authorizer cache); `--json` documents."""
    from course_cli.gateway.pipeline import invocation_to_json

    return [invocation_to_json(api.send(_request(call))) for call in calls]


def _answer(label: str, document: dict[str, Any], *, explain: bool = True) -> list[RenderableType]:
    """A request's line: what was sent, the status and body the client got, and why."""
    from course_cli.ui.invocation_view import render_explanation

    response = document.get("response") or {}
    status = response.get("statusCode")
    line = Text(f"{label} → ", style="topic")
    line.append(f"{status} ", style="ok" if status and status < 400 else "fail")
    line.append(str(response.get("body", "")), style="muted")
    parts: list[RenderableType] = [line]
    explanation = render_explanation(document) if explain else None
    if explanation is not None:
        parts.append(explanation)
    return parts


def _label(call: Call) -> str:
    token = "no Authorization header" if call.token is None else f"Authorization: {call.token}"
    return f"{call.method} {call.path} ({token})"


# --- 6.1: one request, two payload formats ------------------------------------------------------

EVENT_REQUEST: Final = Call("GET", "/users/123")
EVENT_QUERY: Final = (("tag", "a"), ("tag", "b"))
EVENT_HEADERS: Final = (("Cookie", "theme=dark"),)


def both_events() -> tuple[dict[str, Any], dict[str, Any]]:
    """Step 6.1's request as the 1.0 event (REST API) and as the 2.0 event (HTTP API)."""
    from course_cli.gateway.pipeline import invocation_to_json
    from course_cli.local_api import api_for_handler, build_request
    from course_cli.ui.examples.step_code import example_file

    handler = str(example_file("payload-1-and-2", EVENT_HANDLER))
    events = []
    for payload in ("1.0", "2.0"):
        api = api_for_handler(handler, ["/users/{userId}"], payload=payload, method="GET")
        request = build_request(
            EVENT_REQUEST.method, EVENT_REQUEST.path, query=EVENT_QUERY, headers=EVENT_HEADERS
        )
        events.append(invocation_to_json(api.send(request))["event"])
    return events[0], events[1]


def _trimmed(event: dict[str, Any], context_keys: Sequence[str]) -> dict[str, Any]:
    """`event` with only the headers the client sent, and some of `requestContext`."""
    sent = {name.lower() for name, _ in EVENT_HEADERS} | {"user-agent"}
    trimmed = dict(event)
    for key in ("headers", "multiValueHeaders"):
        if isinstance(event.get(key), dict):
            trimmed[key] = {k: v for k, v in event[key].items() if k.lower() in sent}
    context = event.get("requestContext") or {}
    trimmed["requestContext"] = {k: context[k] for k in context_keys if k in context}
    return trimmed


def payload_1_and_2() -> RenderableType:
    """The two events side by side (requestContext trimmed to what differs)."""
    from course_cli.ui.invocation_view import render_event

    v1, v2 = both_events()
    table = Table.grid(expand=True, padding=(0, 1))
    table.add_column(ratio=1)
    table.add_column(ratio=1)
    table.add_row(
        render_event(_trimmed(v1, ("httpMethod", "path", "stage")), title="1.0 (REST API)"),
        render_event(_trimmed(v2, ("http", "routeKey", "stage")), title="2.0 (HTTP API)"),
    )
    return Group(
        Text("Live example: payload-1-and-2 (GET /users/123?tag=a&tag=b, a cookie)", "heading"),
        Text(
            "Headers and requestContext trimmed; `course event` prints them whole.", style="muted"
        ),
        table,
    )


# --- 6.2: the inferred response -----------------------------------------------------------------


def inferred_documents() -> list[tuple[str, dict[str, Any]]]:
    """Step 6.2's handler behind a REST API and behind an HTTP API, one GET each."""
    from course_cli.gateway.pipeline import invocation_to_json
    from course_cli.local_api import api_for_handler, build_request

    handler = str(example_path("6-2-inferred-response", "handler.py"))
    return [
        (
            f"payload {payload}",
            invocation_to_json(
                api_for_handler(handler, payload=payload).send(build_request("GET", "/products/p9"))
            ),
        )
        for payload in ("1.0", "2.0")
    ]


def inferred_response() -> RenderableType:
    parts: list[RenderableType] = [
        Text("Live example: inferred-response (GET /products/p9)", style="heading"),
        Text(f"handler: {example_path('6-2-inferred-response', 'handler.py')}", style="muted"),
    ]
    for label, document in inferred_documents():
        parts.extend(_answer(label, document))
    return Group(*parts)


# --- 6.3: a TOKEN authorizer ----------------------------------------------------------------------

TOKEN_CALLS: Final = (
    Call("GET", "/items/1"),
    Call("GET", "/items/1", "nobody"),
    Call("GET", "/items/1", "deny-me"),
    Call("GET", "/items/1", "allow-me"),
)


def token_documents() -> list[tuple[Call, dict[str, Any]]]:
    """Step 6.3's four requests, then one through an authorizer that answers like an API."""
    from course_cli.ui.examples.step_code import example_file

    app = example_path(TOKEN_FOLDER, "app.py")
    auth = example_path(TOKEN_FOLDER, "auth.py")
    found = list(zip(TOKEN_CALLS, send_all(guarded_api(app, auth), TOKEN_CALLS), strict=True))
    wrong = example_file("token-authorizer-http-answer", HTTP_ANSWER_AUTHORIZER)
    call = Call("GET", "/items/1", "allow-me")
    found += [(call, send_all(guarded_api(app, wrong), [call])[0])]
    return found


def token_authorizer() -> RenderableType:
    parts: list[RenderableType] = [
        Text("Live example: token-authorizer", style="heading"),
        Text(f"authorizer: {example_path(TOKEN_FOLDER, 'auth.py')}", style="muted"),
    ]
    documents = token_documents()
    for call, document in documents[:-1]:
        parts.extend(_answer(_label(call), document, explain=call.token is None))
    call, document = documents[-1]
    parts.append(
        Text('\nAn authorizer returning {"statusCode": 401, ...} instead of a policy:', "muted")
    )
    parts.extend(_answer(_label(call), document))
    return Group(*parts)


# --- 6.4: what reaches the function -------------------------------------------------------------


def context_document() -> dict[str, Any]:
    """Step 6.4's request as ada: the event the function got and its answer."""
    app = example_path(TOKEN_FOLDER, "app.py")
    auth = example_path(TOKEN_FOLDER, "auth.py")
    return send_all(guarded_api(app, auth), [Call("GET", "/items/1", "allow-me")])[0]


def authorizer_context() -> RenderableType:
    from course_cli.ui.invocation_view import render_event

    document = context_document()
    event = document.get("event") or {}
    shown = (event.get("requestContext") or {}).get("authorizer")
    return Group(
        Text("Live example: authorizer-context (GET /items/1 as allow-me)", style="heading"),
        render_event(shown, title="requestContext.authorizer: every context value a string"),
        *_answer("the function's answer", document, explain=False),
    )


# --- 6.5: the cached policy ---------------------------------------------------------------------

CACHE_CALLS: Final = (Call("GET", "/items/1", "allow-me"), Call("POST", "/items", "allow-me"))


def cache_runs() -> list[tuple[str, list[dict[str, Any]]]]:
    """The two requests of step 6.5 three times: methodArn policy, whole-stage policy, TTL 0."""
    app = example_path(TOKEN_FOLDER, "app.py")
    narrow = example_path(TOKEN_FOLDER, "auth.py")
    wide = example_path("6-5-cached-policy", "auth.py")
    return [
        (
            "Policy for event['methodArn'], cached 300 s",
            send_all(guarded_api(app, narrow), CACHE_CALLS),
        ),
        (
            "Policy for .../prod/*/* (6-5-cached-policy/auth.py)",
            send_all(guarded_api(app, wide), CACHE_CALLS),
        ),
        (
            "Policy for event['methodArn'], TTL 0",
            send_all(guarded_api(app, narrow, 0), CACHE_CALLS),
        ),
    ]


def cached_policy_trap() -> RenderableType:
    parts: list[RenderableType] = [Text("Live example: cached-policy-trap", style="heading")]
    for title, documents in cache_runs():
        parts.append(Text(f"\n{title}", style="heading"))
        for call, document in zip(CACHE_CALLS, documents, strict=True):
            parts.extend(_answer(_label(call), document))
    return Group(*parts)


# The live examples of this module, by the id a step names.
RUNNERS: dict[str, Callable[[], RenderableType]] = {
    "payload-1-and-2": payload_1_and_2,
    "inferred-response": inferred_response,
    "token-authorizer": token_authorizer,
    "authorizer-context": authorizer_context,
    "cached-policy-trap": cached_policy_trap,
}
