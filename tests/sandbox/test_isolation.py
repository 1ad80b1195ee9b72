"""Real-looking credentials, a profile and ~/.aws files are configured; every sandbox entry
point still signs with the fake credentials and never opens a non-loopback connection."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from course_cli.local_api import build_request
from course_cli.sandbox import Sandbox
from course_cli.sandbox.crud import deploy_crud

REAL_KEY = "AKIAREALLOOKING12345"
REAL_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYREALSECRET"
HANDLER = """import json
import os

import boto3


def handler(event, context):
    key = boto3.Session().get_credentials().access_key
    account = boto3.client("sts").get_caller_identity()["Account"]
    return {"statusCode": 200, "body": json.dumps({"key": key, "account": account,
            "region": os.environ["AWS_REGION"]})}
"""


def _loopback(address: Any) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if not isinstance(host, str):
        return True  # a Unix socket path: not the network
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it would need DNS and then the network


@pytest.fixture
def real_aws_configured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[Any]]:
    """The learner's real set-up, and a socket layer that records and refuses the network."""
    aws = tmp_path / ".aws"
    aws.mkdir()
    (aws / "credentials").write_text(
        f"[default]\naws_access_key_id = {REAL_KEY}\naws_secret_access_key = {REAL_SECRET}\n"
        f"[work]\naws_access_key_id = {REAL_KEY}\naws_secret_access_key = {REAL_SECRET}\n"
    )
    (aws / "config").write_text(
        "[default]\nregion = eu-west-2\n[profile work]\nregion = eu-west-2\n"
        "endpoint_url = https://real-aws.example.com\n"
    )
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", REAL_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", REAL_SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", "real-session-token")
    monkeypatch.setenv("AWS_PROFILE", "work")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "https://real-aws.example.com")
    monkeypatch.setenv("HTTPS_PROXY", "http://10.0.0.1:3128")
    refused: list[Any] = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_create = socket.create_connection

    def connect(self: socket.socket, address: Any) -> None:
        if not _loopback(address):
            refused.append(address)
            raise OSError(f"test: non-loopback connection to {address!r} refused")
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if not _loopback(address):
            refused.append(address)
            raise OSError(f"test: non-loopback connection to {address!r} refused")
        return real_connect_ex(self, address)

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        if not _loopback(address):
            refused.append(address)
            raise OSError(f"test: non-loopback connection to {address!r} refused")
        return real_create(address, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    boto3.DEFAULT_SESSION = None
    yield refused
    boto3.DEFAULT_SESSION = None


def signed_keys(client: Any) -> list[str]:
    """Record the access key of every request `client` signs."""
    seen: list[str] = []

    def record(request: Any, **_: Any) -> None:
        seen.append(str(request.headers.get("Authorization", b"")))

    client.meta.events.register("before-send", record)
    return seen


@pytest.mark.parametrize("mode", ["in-process", pytest.param("server", marks=pytest.mark.slow)])
def test_every_entry_point_uses_fake_credentials(
    mode: str, real_aws_configured: list[Any], tmp_path: Path
) -> None:
    refused = real_aws_configured
    handler = tmp_path / "whoami.py"
    handler.write_text(HANDLER)
    with Sandbox(server=mode == "server") as sandbox:
        # 1. The environment: no trace of the real set-up.
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "HTTPS_PROXY"):
            assert name not in os.environ
        assert os.environ["AWS_ACCESS_KEY_ID"] == sandbox.access_key_id != REAL_KEY
        assert Path(os.environ["AWS_SHARED_CREDENTIALS_FILE"]).read_text() == ""
        if mode == "server":
            assert os.environ["AWS_ENDPOINT_URL"] == sandbox.endpoint_url
            assert sandbox.endpoint_url is not None
            assert sandbox.endpoint_url.startswith("http://127.0.0.1:")
        else:
            assert "AWS_ENDPOINT_URL" not in os.environ
        # 2. A plain boto3 client, as learners write it.
        client = boto3.client("sts")
        seen = signed_keys(client)
        assert client.meta.region_name == "us-east-1"
        assert client.get_caller_identity()["Account"] == sandbox.account_id
        # 3. The sandbox's own clients, and a whole deployment through them.
        own = sandbox.client("dynamodb")
        seen += signed_keys(own)
        deploy_crud(sandbox)
        own.list_tables()
        # 4. A handler behind the gateway: Lambda's environment is the sandbox's.
        from course_cli.sandbox.functions import create_function

        create_function(sandbox, "whoami", handler)
        apigw = sandbox.client("apigateway")
        api_id = apigw.get_rest_apis()["items"][0]["id"]
        products = next(
            r["id"]
            for r in apigw.get_resources(restApiId=api_id)["items"]
            if r["path"] == "/products"
        )
        apigw.put_method(
            restApiId=api_id, resourceId=products, httpMethod="PATCH", authorizationType="NONE"
        )
        apigw.put_integration(
            restApiId=api_id,
            resourceId=products,
            httpMethod="PATCH",
            type="AWS_PROXY",
            integrationHttpMethod="POST",
            uri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
            f"arn:aws:lambda:us-east-1:{sandbox.account_id}:function:whoami/invocations",
        )
        api = sandbox.api()
        invocation = api.send(build_request("PATCH", "/products"))
        assert invocation.response is not None, invocation.error
        assert invocation.response.status == 200, invocation.result
        import json

        assert json.loads(invocation.response.body) == {
            "key": sandbox.access_key_id,
            "account": sandbox.account_id,
            "region": "us-east-1",
        }
        created = api.send(build_request("POST", "/products", body='{"name": "a", "price": 1}'))
        assert created.response is not None and created.response.status == 201
    assert seen and all(f"Credential={sandbox.access_key_id}/" in header for header in seen)
    assert not any(REAL_KEY in header for header in seen)
    assert refused == []
    # Afterwards the learner's own set-up is back, untouched.
    assert os.environ["AWS_ACCESS_KEY_ID"] == REAL_KEY
    assert os.environ["AWS_PROFILE"] == "work"


def test_a_client_aimed_at_real_aws_is_answered_by_moto(real_aws_configured: list[Any]) -> None:
    """Even an explicit amazonaws.com endpoint and explicit real keys never leave the machine."""
    with Sandbox():
        client = boto3.client(
            "dynamodb",
            endpoint_url="https://dynamodb.eu-west-2.amazonaws.com",
            region_name="eu-west-2",
            aws_access_key_id=REAL_KEY,
            aws_secret_access_key=REAL_SECRET,
        )
        assert client.list_tables()["TableNames"] == []
    assert real_aws_configured == []


@pytest.mark.slow
def test_two_sandboxes_are_two_accounts(sandbox: Sandbox) -> None:
    with Sandbox() as other:
        assert other.account_id != sandbox.account_id
        other.client("dynamodb").create_table(
            TableName="only-here",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        assert other.tables() == ["only-here"]
        assert "only-here" not in sandbox.tables()


def test_connecting_to_a_non_loopback_endpoint_is_refused() -> None:
    from course_cli.errors import UsageError

    with pytest.raises(UsageError, match="not on this machine"):
        Sandbox(endpoint_url="https://dynamodb.us-east-1.amazonaws.com")
