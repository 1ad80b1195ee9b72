"""Gateway responses put with boto3 (step 3.12's own code) reach the answers of our gateway."""

from __future__ import annotations

import http.client
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from course_cli.gateway.server import GatewayServer
from course_cli.local_api import build_request
from tests.conftest import REPO
from tests.sandbox.test_rest_api import URI, new_api, proxy_method

EXAMPLE = REPO / "examples" / "3-12-gateway-responses" / "gateway_responses.py"
ORIGIN = "https://shop.example.com"


def step_code() -> Any:
    spec = importlib.util.spec_from_file_location("gateway_responses_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def create_function(sandbox: Any, tmp_path: Path, name: str, body: str) -> None:
    from course_cli.sandbox.functions import ensure_role, zip_handler

    source = tmp_path / f"{name}.py"
    source.write_text(f"import time\n\ndef handler(event, context):\n    {body}\n")
    sandbox.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ensure_role(sandbox),
        Handler=f"{name}.handler",
        Code={"ZipFile": zip_handler(source)},
        Timeout=5,
    )


@pytest.mark.slow
def test_step_3_12_cors_on_gateway_errors(sandbox: Any, tmp_path: Path) -> None:
    create_function(sandbox, tmp_path, "boom", 'raise ValueError("boom")')
    create_function(sandbox, tmp_path, "slow", 'time.sleep(2)\n    return {"statusCode": 200}')
    apigw, api_id, root = new_api(sandbox)
    for name, extra in (("boom", {}), ("slow", {"timeoutInMillis": 50})):
        resource = apigw.create_resource(restApiId=api_id, parentId=root, pathPart=name)["id"]
        proxy_method(apigw, api_id, resource, "GET", URI.format(name=name), **extra)
    apigw.create_deployment(restApiId=api_id, stageName="prod")

    before = sandbox.api().send(build_request("GET", "/nowhere")).response
    assert before.status == 403 and "Access-Control-Allow-Origin" not in dict(before.headers)

    step_code().cors_on_gateway_errors(sandbox.region, api_id)
    api = sandbox.api()
    assert set(api.definition.gateway_responses) == {
        "DEFAULT_4XX",
        "DEFAULT_5XX",
        "MISSING_AUTHENTICATION_TOKEN",
    }

    missing = api.send(build_request("GET", "/nowhere")).response
    assert missing.status == 404
    assert json.loads(missing.body) == {"message": "Not Found"}
    assert dict(missing.headers)["Access-Control-Allow-Origin"] == ORIGIN
    no_method = api.send(build_request("DELETE", "/boom")).response
    assert no_method.status == 404  # an unsupported method is MISSING_AUTHENTICATION_TOKEN too

    crashed = api.send(build_request("GET", "/boom")).response  # INTEGRATION_FAILURE -> 5XX
    assert crashed.status == 502
    assert dict(crashed.headers)["Access-Control-Allow-Origin"] == ORIGIN
    assert json.loads(crashed.body) == {"message": "Internal server error"}

    timed_out = api.send(build_request("GET", "/slow")).response  # INTEGRATION_TIMEOUT -> 5XX
    assert timed_out.status == 504
    assert dict(timed_out.headers)["Access-Control-Allow-Origin"] == ORIGIN

    # REQUEST_TOO_LARGE cannot be customised: `course serve` answers 413 before the gateway.
    with GatewayServer(api.definition, api.invoker, port=0, max_body_bytes=10) as server:
        connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
        connection.request("POST", "/prod/boom", body=b"x" * 11)
        too_large = connection.getresponse()
        assert too_large.status == 413
        assert too_large.getheader("Access-Control-Allow-Origin") is None
        connection.close()


@pytest.mark.slow
def test_live_example_shows_each_answer_before_and_after() -> None:
    from course_cli.ui.console import recording_console
    from course_cli.ui.examples import available_examples, run_example

    assert "gateway-responses" in available_examples()
    console = recording_console(width=160)
    console.print(run_example("gateway-responses"))
    text = console.export_text()
    assert text.count("no CORS header") == 3
    assert text.count(f"Allow-Origin: {ORIGIN}") == 3
    assert text.count('404 {"message": "Not Found"}') == 2
