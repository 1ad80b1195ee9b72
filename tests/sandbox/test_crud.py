"""The products API of topic 5, through our gateway, with the data in moto's DynamoDB."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from decimal import Decimal
from typing import Any

import boto3
import pytest

from tests.sandbox.conftest import send


def http(
    base: str, method: str, path: str, body: str | None = None
) -> tuple[int, Any, dict[str, str]]:
    request = urllib.request.Request(
        base + path, method=method, data=body.encode() if body is not None else None
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, raw, headers = response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        status, raw, headers = error.code, error.read(), dict(error.headers)
    return status, json.loads(raw) if raw else None, headers


@pytest.mark.slow
def test_course_serve_sandbox_crud_over_real_http(tmp_path: Any) -> None:
    """`course serve --sandbox --crud` on a free port; the full CRUD sequence with a real HTTP
    client, and the table checked through boto3 (at the printed endpoint) after each step."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(COLUMNS="200", HOME=str(tmp_path), COURSE_HOME=str(tmp_path / "course"))
    process = subprocess.Popen(
        [sys.executable, "-m", "course_cli", "serve", "--sandbox", "--crud", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        lines = []
        while not any("Ctrl-C" in line for line in lines):
            line = process.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
        text = "".join(lines)
        base = re.search(r"at (http://127\.0\.0\.1:\d+)/", text)[1]  # type: ignore[index]
        endpoint = re.search(r"--endpoint-url\s+(http://127\.0\.0\.1:\d+)", text)[1]  # type: ignore[index]
        table = boto3.resource(
            "dynamodb",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        ).Table("products")

        status, created, headers = http(
            base, "POST", "/products", '{"name": "lamp", "price": 19.99}'
        )
        assert status == 201 and created["name"] == "lamp" and created["price"] == 19.99
        assert headers["Access-Control-Allow-Origin"] == "*"
        product = f"/products/{created['id']}"
        assert table.scan()["Items"] == [
            {"id": created["id"], "name": "lamp", "price": Decimal("19.99")}
        ]

        assert http(base, "GET", "/products")[:2] == (200, {"items": [created]})
        assert http(base, "GET", product)[:2] == (200, created)
        # The stage prefix works too, as on AWS.
        assert http(base, "GET", "/prod" + product)[:2] == (200, created)

        status, updated, _ = http(base, "PUT", product, '{"name": "desk lamp", "price": 25}')
        assert (status, updated) == (200, {"id": created["id"], "name": "desk lamp", "price": 25})
        assert table.get_item(Key={"id": created["id"]})["Item"]["name"] == "desk lamp"

        assert http(base, "DELETE", product)[:2] == (204, None)
        assert table.scan()["Items"] == []
        assert http(base, "GET", product)[:2] == (404, {"message": "product not found"})
        assert http(base, "DELETE", product)[:2] == (404, {"message": "product not found"})
        assert http(base, "PUT", product, '{"name": "x"}')[:2] == (
            404,
            {"message": "product not found"},
        )
        assert table.scan()["Items"] == []  # the 404 PUT created nothing

        status, answer, _ = http(base, "POST", "/products", "{not json")
        assert (status, answer) == (400, {"message": "body must be a JSON object"})
        assert http(base, "POST", "/products", '{"price": 3}')[0] == 400
        assert http(base, "POST", "/products", '{"name": "a", "price": "cheap"}')[0] == 400
        assert table.scan()["Items"] == []
        # A route the API does not have: API Gateway's 403, not the function's 405.
        assert http(base, "PATCH", "/products")[0] == 403
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=10)[0]
    assert "Traceback" not in output
    assert process.returncode == 0


def test_crud_in_process_with_decimal_and_validation(crud_sandbox: Any) -> None:
    sandbox, deployment, api = crud_sandbox
    status, item = send(api, "POST", "/products", {"name": "pen", "price": 1.5})
    assert status == 201
    try:
        stored = sandbox.client("dynamodb").get_item(
            TableName=deployment.table, Key={"id": {"S": item["id"]}}
        )["Item"]
        assert stored["price"] == {"N": "1.5"}  # a number in DynamoDB, not a string
        assert send(api, "POST", "/products", "[1, 2]") == (
            400,
            {"message": "body must be a JSON object"},
        )
        assert send(api, "POST", "/products", {"name": "", "price": 1})[0] == 400
        assert send(api, "POST", "/products", {"name": "x", "price": True})[0] == 400
        assert send(api, "POST", "/products", None)[0] == 400  # no body at all: 400, never 502
    finally:
        send(api, "DELETE", f"/products/{item['id']}")


@pytest.mark.slow
def test_list_follows_last_evaluated_key_beyond_one_page(sandbox: Any) -> None:
    """Scan pages stop at 1 MB: the list must still hold every item."""
    from course_cli.sandbox.crud import deploy_crud

    deploy_crud(sandbox)
    table = sandbox.resource("dynamodb").Table("products")
    filler = "x" * 300_000  # four of these are more than one Scan page
    with table.batch_writer() as batch:
        for n in range(5):
            batch.put_item(Item={"id": f"p{n}", "name": f"item {n}", "price": n, "notes": filler})
    first_page = sandbox.client("dynamodb").scan(TableName="products")
    assert "LastEvaluatedKey" in first_page  # moto pages like DynamoDB does
    status, answer = send(sandbox.api(), "GET", "/products")
    assert status == 200
    assert [item["id"] for item in answer["items"]] == [f"p{n}" for n in range(5)]
