"""A template's functions never reach the AWS account the shell's credentials name: even a
template without tables runs its functions against the sandbox, with fake credentials."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult

HANDLER = """\
import json
import os

import boto3


def handler(event, context):
    identity = boto3.client("sts").get_caller_identity()
    key = os.environ.get("AWS_ACCESS_KEY_ID")
    return {"statusCode": 200, "body": json.dumps({"account": identity["Account"], "key": key})}
"""


@pytest.mark.slow  # starts moto
def test_a_template_without_tables_still_gets_the_sandbox(
    run_cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "who.py").write_text(HANDLER)
    template = tmp_path / "template.yaml"
    template.write_text(
        textwrap.dedent(
            """\
            Transform: AWS::Serverless-2016-10-31
            Resources:
              WhoAmI:
                Type: AWS::Serverless::Function
                Properties: {CodeUri: ., Handler: who.handler, Runtime: python3.12}
            """
        )
    )
    # What a learner with a real account configured has in their shell.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALLEARNERKEY01")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-secret")
    monkeypatch.setenv("AWS_PROFILE", "work-account")
    event = tmp_path / "event.json"
    event.write_text("{}")
    result = run_cli("invoke", "-t", str(template), "-e", str(event), "--json")
    assert result.exit_code == 0, result.stdout + result.stderr
    body = json.loads(json.loads(result.stdout)["result"]["body"])
    # moto answered (an account of the sandbox's), with the sandbox's key, not the shell's.
    assert body["account"].isdigit() and len(body["account"]) == 12
    assert body["key"] != "AKIAREALLEARNERKEY01"
