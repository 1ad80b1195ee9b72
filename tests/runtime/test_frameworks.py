"""Handlers run where Lambda runs them: real frameworks under `course invoke` and `course serve`.

On Lambda a handler runs on the main thread of its runtime process, and frameworks rely on it:
Mangum, which runs FastAPI on Lambda, asks `asyncio` for the thread's event loop. Each app in
`apps/` gets the same requests through `course invoke` (in this process) and through `course
serve`'s server on 127.0.0.1 with a real HTTP client, and must answer both alike.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from course_cli.gateway.server import GatewayServer, serve
from course_cli.local_api import api_for_handler
from tests.conftest import CliResult

APPS_DIR = Path(__file__).parent / "apps"
APPS = {
    "fastapi+mangum": "fastapi_app.py",
    "powertools": "powertools_app.py",
}


@pytest.fixture(autouse=True)
def close_the_event_loop() -> Iterator[None]:
    """Mangum leaves the main thread an event loop (as on Lambda, for the next request): closed
    after each test, rather than left for the garbage collector to warn about."""
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        loop = asyncio.get_event_loop()
    if not loop.is_running():
        loop.close()
    asyncio.set_event_loop_policy(None)  # a fresh policy: the next get_event_loop() makes one


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    body: str | None = None


JSON = (("Content-Type", "application/json"),)
CASES = {
    "path, query, header and cookie": Case(
        "GET",
        "/items/42",
        query=(("q", "pen"),),
        headers=(("X-Trace", "abc"), ("Cookie", "session=s1; theme=dark")),
    ),
    "a JSON body, and a cookie set": Case(
        "POST", "/items", headers=JSON, body='{"name": "pen", "price": 1.5}'
    ),
    "a body that fails validation": Case("POST", "/items", headers=JSON, body='{"name": "pen"}'),
    "a path that fails validation": Case("GET", "/items/abc"),
    "an unknown route": Case("GET", "/nope"),
}
# Each framework words its 404 its own way.
NOT_FOUND = {
    "fastapi+mangum": {"detail": "Not Found"},
    "powertools": {"statusCode": 404, "message": "Not found"},
}


@dataclass
class Answer:
    """What the client got: the status, the headers (lower-cased names), the JSON body."""

    status: int
    body: Any
    headers: dict[str, list[str]] = field(default_factory=dict)


def check(app: str, case: str, answer: Answer) -> None:
    """The answer every way of calling `app` must give to `CASES[case]`."""
    if case == "path, query, header and cookie":
        assert (answer.status, answer.body) == (
            200,
            {"item_id": 42, "q": "pen", "trace": "abc", "session": "s1"},
        )
    elif case == "a JSON body, and a cookie set":
        assert (answer.status, answer.body) == (201, {"name": "pen", "price": 1.5})
        assert answer.headers["set-cookie"][0].startswith("last=pen")
    elif case.endswith("fails validation"):
        where = ["body", "price"] if "body" in case else ["path", "item_id"]
        kind = "missing" if "body" in case else "int_parsing"
        assert answer.status == 422
        first = answer.body["detail"][0]
        assert (first["loc"], first["type"]) == (where, kind)
    else:
        assert (answer.status, answer.body) == (404, NOT_FOUND[app])


def handler_spec(app: str) -> str:
    return f"{APPS_DIR / APPS[app]}:handler"


# --- course invoke ------------------------------------------------------------------------------


def invoke(run_cli: Any, app: str, case: Case) -> Answer:
    args = ["invoke", handler_spec(app), "--method", case.method, "--path", case.path, "--json"]
    for name, value in case.query:
        args += ["--query", f"{name}={value}"]
    for name, value in case.headers:
        args += ["--header", f"{name}: {value}"]
    if case.body is not None:
        args += ["--body", case.body]
    result: CliResult = run_cli(*args)
    response = json.loads(result.stdout)["response"]
    headers = {name.lower(): values for name, values in response["multiValueHeaders"].items()}
    return Answer(response["statusCode"], json.loads(response["body"]), headers)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("app", APPS)
@pytest.mark.slow
def test_course_invoke(run_cli: Any, app: str, case: str) -> None:
    check(app, case, invoke(run_cli, app, CASES[case]))


# --- course serve -------------------------------------------------------------------------------


def request(connection: http.client.HTTPConnection, case: Case) -> Answer:
    target = case.path + (f"?{urlencode(case.query)}" if case.query else "")
    connection.request(case.method, target, body=case.body, headers=dict(case.headers))
    response = connection.getresponse()
    headers: dict[str, list[str]] = {}
    for name, value in response.getheaders():
        headers.setdefault(name.lower(), []).append(value)
    return Answer(response.status, json.loads(response.read()), headers)


def serve_every_case(app: str) -> dict[str, Answer]:
    """Serve `app` as `course serve` does, on this (the main) thread, while a client on another
    thread sends every case over one keep-alive connection; then stop."""
    api = api_for_handler(handler_spec(app))
    api.check_handlers()
    answers: dict[str, Answer] = {}
    failures: list[BaseException] = []

    def start_client(server: GatewayServer) -> None:
        def send_all() -> None:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
            try:
                for name, case in CASES.items():
                    answers[name] = request(connection, case)
            except BaseException as exc:  # reported on the main thread
                failures.append(exc)
            finally:
                connection.close()
                server.shutdown()

        threading.Thread(target=send_all, daemon=True).start()

    serve(api.definition, api.runtime, port=0, on_ready=start_client)
    if failures:
        raise failures[0]
    return answers


@pytest.fixture(scope="module")
def served() -> dict[str, dict[str, Answer]]:
    """Every app's answers under `course serve`: one server per app, every case sent to it."""
    return {app: serve_every_case(app) for app in APPS}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("app", APPS)
@pytest.mark.slow
def test_course_serve(served: dict[str, dict[str, Answer]], app: str, case: str) -> None:
    check(app, case, served[app][case])
