"""The seed lesson is written in JavaScript: beside each Python handler a step shows, the step
names its Node.js version (`examples/<step>/*.mjs`, or a ```javascript block in the step).

Each runs here under `node`, as Lambda's Node.js runtime calls it: on the event our gateway
builds for a real request, with the Python version run on the same request beside it. A proxy
handler must answer a proxy response (an integer `statusCode`, a string `body`), and the same
one as its Python twin: same status and headers, same body (as JSON when it is JSON, since
`JSON.stringify` and `json.dumps` space things differently).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from course_cli.content import load_lesson
from tests.conftest import REPO

LESSON = load_lesson("lesson-3")
STEPS = {step.file.stem: step for step in LESSON.steps}
EXAMPLES = REPO / "examples"
HARNESS = Path(__file__).with_name("node_harness.mjs")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(
    NODE is None, reason="`node` is not on the PATH: no Node.js to run the snippets"
)


@dataclass(frozen=True)
class Request:
    method: str = "GET"
    path: str = "/page"
    query: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    body: str | None = None


@dataclass(frozen=True)
class ProxyCase:
    """A Node.js proxy handler, its Python twin (a file, or a step's n-th python block), the
    resource it is served on, and the requests both are sent."""

    node: str  # examples/<step>/<file>.mjs, or "<step>#<n>" for a step's n-th javascript block
    python: str  # examples/<step>/<file>.py, or "<step>#<n>" for a step's n-th python block
    requests: tuple[Request, ...] = (Request(),)
    resource: str = "/{proxy+}"
    same_answer: bool = True  # False: only the shape, and the status, must match
    fields: tuple[str, ...] = field(default=("statusCode", "headers", "multiValueHeaders"))


PROXY_CASES = (
    ProxyCase(
        "examples/1-3-aws-proxy/handler.mjs",
        "examples/1-3-aws-proxy/handler.py",
        (Request(path="/hello", query=(("name", "Ada"),)), Request(path="/hello")),
    ),
    ProxyCase(
        "examples/2-4-query-null/safe.mjs",
        "examples/2-4-query-null/safe.py",
        (Request(path="/users/123"), Request(path="/users/123", query=(("include", "orders"),))),
        resource="/users/{userId}",
    ),
    ProxyCase(
        "examples/2-5-repeated-keys/handler.mjs",
        "2-5-repeated-keys#0",
        (Request(path="/items", query=(("tag", "red"), ("tag", "blue"))), Request(path="/items")),
        resource="/items",
    ),
    ProxyCase(
        "examples/2-6-body/handler.mjs",
        "2-6-body#0",
        (
            Request("POST", "/products", body='{"name": "lamp", "price": 19.99}'),
            Request("POST", "/products", body='{"name": "lamp"'),
            Request("GET", "/products"),
        ),
        resource="/products",
    ),
    ProxyCase(
        "examples/2-8-reading-safely/handler.mjs",
        "2-8-reading-safely#0",
        (
            Request(
                path="/users/7",
                query=(("include", "orders"),),
                headers=(("Accept-Language", "fr"),),
            ),
            Request(path="/users/7"),
        ),
        resource="/users/{userId}",
    ),
    ProxyCase("examples/3-1-response-shape/handler.mjs", "3-1-response-shape#0"),
    ProxyCase("3-2-body-is-a-string#0", "3-2-body-is-a-string#1"),
    ProxyCase("examples/3-4-cookies-and-cors/handler.mjs", "3-4-cookies-and-cors#0"),
    ProxyCase(
        "examples/3-5-decimal-and-marshal/handler.mjs",
        "3-5-decimal-and-marshal#1",
        same_answer=False,  # a BigInt in Node.js where Python has a Decimal
    ),
    ProxyCase(
        "examples/3-6-unhandled-exception/handler.mjs",
        "examples/3-6-unhandled-exception/handler.mjs",  # Python's load_user is not defined
        (Request(path="/users/42"), Request(path="/users/abc")),
        resource="/users/{userId}",
    ),
    ProxyCase(
        "examples/3-10-payload-limits/handler.mjs",
        "examples/3-10-payload-limits/handler.py",
        (Request(path="/report"),),
    ),
    ProxyCase(
        "examples/3-11-cors-behind-proxy/handler.mjs",
        "examples/3-11-cors-behind-proxy/handler.py",
        (Request("OPTIONS", "/products"), Request("GET", "/products")),
    ),
)


def step_block(reference: str, language: str) -> str:
    stem, _, index = reference.partition("#")
    blocks = [body for lang, body in FENCE.findall(STEPS[stem].markdown()) if lang == language]
    return blocks[int(index)]


def node_module(reference: str, tmp_path: Path) -> Path:
    if reference.startswith("examples/"):
        return REPO / reference
    module = tmp_path / f"{reference.replace('#', '-')}.mjs"
    module.write_text(step_block(reference, "javascript"), encoding="utf-8")
    return module


def run_node(module: Path, cases: list[dict[str, Any]], export: str = "handler") -> list[Any]:
    assert NODE is not None
    done = subprocess.run(
        [NODE, str(HARNESS), str(module), export],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results: list[Any] = json.loads(done.stdout)
    return results


def python_documents(case: ProxyCase, tmp_path: Path) -> list[dict[str, Any]]:
    """`course invoke --json` for each request, on the Python twin: the event and the result."""
    from course_cli.gateway.pipeline import invocation_to_json
    from course_cli.local_api import api_for_handler, build_request

    if case.python.startswith("examples/") and case.python.endswith(".py"):
        handler = REPO / case.python
    else:
        handler = tmp_path / "twin.py"
        source = (
            "def handler(event, context):\n    return None\n"
            if case.python.endswith(".mjs")
            else step_block(case.python, "python")
        )
        handler.write_text(source, encoding="utf-8")
    api = api_for_handler(str(handler), [case.resource])
    return [
        invocation_to_json(
            api.send(build_request(r.method, r.path, query=r.query, headers=r.headers, body=r.body))
        )
        for r in case.requests
    ]


def body_value(body: str) -> Any:
    try:
        return json.loads(body)
    except json.JSONDecodeError:
        return body


def test_every_handler_step_names_its_node_version() -> None:
    handler_steps = {
        step.file.stem
        for step in LESSON.steps
        for language, body in FENCE.findall(step.markdown())
        if language == "python" and re.search(r"^def (lambda_)?handler\(", body, re.MULTILINE)
    }
    for stem in handler_steps:
        markdown = STEPS[stem].markdown()
        assert ".mjs`" in markdown or "```javascript" in markdown, f"{stem} shows no Node.js"


def test_every_node_file_is_run_here() -> None:
    run = {c.node for c in PROXY_CASES} | {
        "examples/1-4-aws-custom/handler.mjs",
        "examples/2-4-query-null/crashes.mjs",
        "examples/3-7-timeouts/handler.mjs",
        "examples/4-8-selection-pattern/handler.mjs",
        "examples/5-6-whole-handler/handler.mjs",
        # Authorizers and the function behind one: tests/content/test_beyond_examples.py.
        "examples/6-3-token-authorizer/auth.mjs",
        "examples/6-3-token-authorizer/app.mjs",
        "examples/6-5-cached-policy/auth.mjs",
        # The lesson's users handler, run through the Node.js runtime: tests/runtime/node/.
        "examples/node/users.mjs",
    }
    shipped = {str(p.relative_to(REPO)) for p in EXAMPLES.glob("*/*.mjs")}
    assert shipped == run - {c.node for c in PROXY_CASES if not c.node.startswith("examples/")}


@needs_node
@pytest.mark.parametrize(
    "case", PROXY_CASES, ids=lambda c: c.node.split("/")[-2] if "/" in c.node else c.node
)
def test_a_node_handler_answers_as_its_python_twin(
    case: ProxyCase, tmp_path: Path, course_home: Path
) -> None:
    documents = python_documents(case, tmp_path)
    results = run_node(node_module(case.node, tmp_path), [{"event": d["event"]} for d in documents])
    for document, result in zip(documents, results, strict=True):
        assert document["event"] is not None, document["explanations"]  # it reached a function
        assert "value" in result, result
        answer = result["value"]
        assert isinstance(answer["statusCode"], int), answer
        assert isinstance(answer.get("body", ""), str), answer
        assert set(answer) <= {
            "statusCode",
            "headers",
            "multiValueHeaders",
            "body",
            "isBase64Encoded",
        }
        if case.python.endswith(".mjs"):
            continue
        twin = document["result"]
        if isinstance(twin, dict) and twin.get("errorType") == "Function.ResponseSizeTooLarge":
            # Lambda replaced the Python answer; the Node one is as large, so it would be too.
            assert len(answer["body"]) > 6_291_556
            continue
        assert answer["statusCode"] == twin["statusCode"]
        if case.same_answer:
            for key in case.fields:
                assert answer.get(key) == twin.get(key), key
            assert body_value(answer["body"]) == body_value(twin["body"])


@needs_node
def test_the_unhandled_exception_handler_answers_400_for_abc(
    tmp_path: Path, course_home: Path
) -> None:
    case = next(c for c in PROXY_CASES if "3-6" in c.node)
    documents = python_documents(case, tmp_path)
    results = run_node(REPO / case.node, [{"event": d["event"]} for d in documents])
    assert [r["value"]["statusCode"] for r in results] == [200, 400]


@needs_node
def test_the_crashing_handler_crashes_as_step_2_4_says() -> None:
    without = {"queryStringParameters": None, "multiValueQueryStringParameters": None}
    with_query = {"queryStringParameters": {"include": "orders"}}
    crash, works = run_node(
        EXAMPLES / "2-4-query-null" / "crashes.mjs", [{"event": without}, {"event": with_query}]
    )
    assert crash["error"]["name"] == "TypeError"
    assert "null" in crash["error"]["message"]
    assert works["value"] == {"statusCode": 200, "body": "including orders"}


@needs_node
def test_the_timeouts_handler_stops_while_there_is_time() -> None:
    (hurried,) = run_node(
        EXAMPLES / "3-7-timeouts" / "handler.mjs", [{"event": {}, "remainingMs": 900}]
    )
    assert hurried["value"] == {"statusCode": 200, "body": '{"done":0}'}


@needs_node
def test_the_custom_integration_handlers_return_plain_data_as_in_python() -> None:
    event = {"userId": "42", "requestId": "r-1"}
    namespace: dict[str, Any] = {}
    exec(step_block("1-4-aws-custom#0", "python"), namespace)
    (aws_custom,) = run_node(EXAMPLES / "1-4-aws-custom" / "handler.mjs", [{"event": event}])
    assert aws_custom["value"] == namespace["lambda_handler"](event, None)

    found, missing = run_node(
        EXAMPLES / "4-8-selection-pattern" / "handler.mjs",
        [{"event": {"productId": "p1"}}, {"event": {"productId": "p2"}}],
    )
    assert found["value"] == {"id": "p1", "name": "lamp"}
    # The message the 404 selectionPattern of step 4.8 ("Not found.*") must match whole.
    assert re.fullmatch(r"Not found.*", missing["error"]["message"])


def crud_event(
    method: str, resource: str, body: Any = None, product_id: str | None = None
) -> dict[str, Any]:
    return {
        "event": {
            "httpMethod": method,
            "resource": resource,
            "pathParameters": None if product_id is None else {"productId": product_id},
            "body": body if body is None or isinstance(body, str) else json.dumps(body),
        }
    }


@needs_node
def test_the_node_products_handler_answers_as_exercise_06_asks() -> None:
    one = "/products/{productId}"
    results = run_node(
        EXAMPLES / "5-6-whole-handler" / "handler.mjs",
        [
            crud_event("POST", "/products", "{not json"),
            crud_event("POST", "/products", {"price": 3}),
            crud_event("POST", "/products", {"name": "lamp", "price": 19.99}),
            crud_event("GET", one, product_id="$previousId"),
            crud_event("GET", "/products"),
            crud_event("PUT", one, {"name": "desk lamp", "price": 25}, product_id="nope"),
            crud_event("DELETE", one, product_id="nope"),
            crud_event("GET", one, product_id="nope"),
            crud_event("PATCH", "/products"),
        ],
        export="makeHandler",
    )
    answers = [r["value"] for r in results]
    assert [a["statusCode"] for a in answers] == [400, 400, 201, 200, 200, 404, 404, 404, 405]
    for answer in answers:
        assert isinstance(answer["body"], str)
        assert answer["headers"] == {"Content-Type": "application/json"}
    created = json.loads(answers[2]["body"])
    assert created["name"] == "lamp" and created["price"] == 19.99 and created["id"]
    assert json.loads(answers[3]["body"]) == created
    assert json.loads(answers[4]["body"]) == {"items": [created]}
    assert json.loads(answers[1]["body"]) == {"message": "name is required"}


@needs_node
def test_the_node_products_handler_updates_and_deletes() -> None:
    one = "/products/{productId}"
    results = run_node(
        EXAMPLES / "5-6-whole-handler" / "handler.mjs",
        [
            crud_event("POST", "/products", {"name": "lamp", "price": 19.99}),
            crud_event("PUT", one, {"name": "desk lamp", "price": 25}, product_id="$previousId"),
            crud_event("DELETE", one, product_id="$previousId"),
        ],
        export="makeHandler",
    )
    _created, updated, deleted = (r["value"] for r in results)
    assert updated["statusCode"] == 200
    assert json.loads(updated["body"])["name"] == "desk lamp"
    assert deleted == {
        "statusCode": 204,
        "headers": {"Content-Type": "application/json"},
        "body": "",
    }
