"""`course serve -t template.yaml`: the example SAM templates served over real HTTP on
127.0.0.1 by a `course` subprocess, as a SAM user would run it."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PYTHON, REPO, course_subprocess_env

EXAMPLES = REPO / "examples" / "sam"
Serve = Callable[..., str]


@pytest.fixture
def serve(course_home: Path) -> Iterator[Serve]:
    """Start `course serve -t TEMPLATE --port 0 ARGS...`; returns its base URL."""
    processes: list[subprocess.Popen[str]] = []

    def start(template: Path, *args: str) -> str:
        process = subprocess.Popen(
            [PYTHON, "-m", "course_cli", "serve", "-t", str(template), "--port", "0", *args],
            env=course_subprocess_env(course_home),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        processes.append(process)
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if "Ctrl-C stops" in line:
                break
        else:
            pytest.fail(f"course serve -t ended: {''.join(lines)}")
        url = re.search(r"http://127\.0\.0\.1:\d+", "".join(lines))
        assert url, lines
        return url[0]

    yield start
    for process in processes:
        process.send_signal(signal.SIGTERM)
        try:
            process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def call(method: str, url: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    return status, json.loads(text) if text else None


@pytest.mark.slow
def test_the_products_api_works_on_a_table_in_the_sandbox(serve: Serve) -> None:
    base = serve(EXAMPLES / "products" / "template.yaml")
    status, created = call("POST", f"{base}/products", {"name": "pen", "price": 2})
    assert status == 201, created
    one = f"{base}/Prod/products/{created['id']}"  # with the stage in the path, as on AWS
    assert call("GET", f"{base}/products") == (200, {"items": [created]})
    assert call("PUT", one, {"name": "pen", "price": 3}) == (200, {**created, "price": 3})
    assert call("DELETE", one) == (204, None)
    assert call("GET", one)[0] == 404


@pytest.mark.slow
def test_a_mock_integration_answers_from_its_mapping_templates(serve: Serve) -> None:
    base = serve(EXAMPLES / "mock-vtl" / "template.yaml")
    status, body = call("GET", f"{base}/status/search?verbose=true")
    assert status == 200
    assert body["service"] == "search" and body["stage"] == "dev" and body["requestId"]
    assert call("GET", f"{base}/status/billing") == (503, {"service": "billing", "status": "down"})


@pytest.mark.slow
def test_each_function_sees_only_its_own_variables(serve: Serve) -> None:
    base = serve(EXAMPLES / "globals" / "template.yaml")
    greet, farewell = call("GET", f"{base}/greet")[1], call("GET", f"{base}/farewell")[1]
    assert greet["MESSAGE"] == "Hello from us-east-1" and greet["GREET_ONLY"] == "yes"
    assert farewell["MESSAGE"] == "Goodbye" and farewell["GREET_ONLY"] is None
    assert greet["APP_STAGE"] == farewell["APP_STAGE"] == "local"
    assert farewell["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "512"
    assert 1000 < farewell["timeoutMs"] <= 2000 < greet["timeoutMs"] <= 5000


@pytest.mark.slow
def test_env_vars_override_the_templates_values(serve: Serve, tmp_path: Path) -> None:
    env = tmp_path / "env.json"
    env.write_text(json.dumps({"FarewellFunction": {"MESSAGE": "See you", "NEW": "ignored"}}))
    base = serve(EXAMPLES / "globals" / "template.yaml", "--env-vars", str(env))
    assert call("GET", f"{base}/farewell")[1]["MESSAGE"] == "See you"
    assert call("GET", f"{base}/greet")[1]["MESSAGE"] == "Hello from us-east-1"


@pytest.mark.slow
def test_an_edited_template_applies_on_the_next_request(serve: Serve, tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / "globals", tmp_path / "app")
    template = tmp_path / "app" / "template.yaml"
    base = serve(template)
    assert call("GET", f"{base}/farewell")[1]["MESSAGE"] == "Goodbye"
    time.sleep(0.05)  # a new modification time, even on coarse clocks
    template.write_text(template.read_text().replace("MESSAGE: Goodbye", "MESSAGE: Farewell"))
    assert call("GET", f"{base}/farewell")[1]["MESSAGE"] == "Farewell"
