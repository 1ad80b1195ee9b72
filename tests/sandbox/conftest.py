"""Shared sandbox fixtures: moto is slow to import and a CRUD deployment takes a second, so
one deployed sandbox serves the whole module set; tests that change it make their own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from course_cli.local_api import build_request
from course_cli.sandbox import Sandbox
from course_cli.sandbox.crud import CrudDeployment, deploy_crud
from course_cli.sandbox.rest_api import SandboxApi


@pytest.fixture(scope="session")
def crud_sandbox() -> Iterator[tuple[Sandbox, CrudDeployment, SandboxApi]]:
    """A sandbox holding the reference products API, read back into our gateway."""
    with Sandbox() as sandbox:
        deployment = deploy_crud(sandbox)
        yield sandbox, deployment, sandbox.api()


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A fresh, empty sandbox (its own moto account when another sandbox is running)."""
    with Sandbox() as fresh:
        yield fresh


def send(api: SandboxApi, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """One request through the gateway; (status, parsed JSON body or None)."""
    raw = body if isinstance(body, str) or body is None else json.dumps(body)
    invocation = api.send(build_request(method, path, body=raw))
    assert invocation.response is not None, invocation
    text = invocation.response.body.decode()
    return invocation.response.status, json.loads(text) if text else None
