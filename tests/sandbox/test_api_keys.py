"""API keys made with boto3 in the sandbox guard the methods that require one."""

from __future__ import annotations

from typing import Any

import pytest

from course_cli.gateway.http import HttpRequest
from course_cli.sandbox.crud import create_products_function
from tests.sandbox.test_rest_api import URI, new_api


def _keyed_api(sandbox: Any) -> tuple[Any, str]:
    create_products_function(sandbox, name="products")
    apigw, api_id, root = new_api(sandbox)
    item = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="items")["id"]
    apigw.put_method(
        restApiId=api_id,
        resourceId=item,
        httpMethod="GET",
        authorizationType="NONE",
        apiKeyRequired=True,
    )
    apigw.put_integration(
        restApiId=api_id,
        resourceId=item,
        httpMethod="GET",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=URI.format(name="products"),
    )
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    return apigw, api_id


def _status(sandbox: Any, key: str | None) -> int:
    headers = [("x-api-key", key)] if key else []
    invocation = sandbox.api().send(HttpRequest.build("GET", "/prod/items", headers=headers))
    return invocation.response.status


@pytest.mark.slow  # the first request of a fresh sandbox takes seconds
def test_enabled_keys_are_accepted_and_disabled_ones_refused(sandbox: Any) -> None:
    apigw, api_id = _keyed_api(sandbox)
    good = apigw.create_api_key(name="good", value="good-key-0123456789abc", enabled=True)
    off = apigw.create_api_key(name="off", value="off-key-0123456789abcd", enabled=False)
    plan = apigw.create_usage_plan(name="p", apiStages=[{"apiId": api_id, "stage": "prod"}])
    for key in (good, off):
        apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    assert _status(sandbox, None) == 403
    assert _status(sandbox, "off-key-0123456789abcd") == 403
    assert _status(sandbox, "good-key-0123456789abc") != 403  # reaches the integration
    definition = sandbox.api().definition
    assert definition.api_key_ids == {"good-key-0123456789abc": good["id"]}


@pytest.mark.slow
def test_with_usage_plans_only_the_stage_s_keys_count(sandbox: Any) -> None:
    apigw, api_id = _keyed_api(sandbox)
    planned = apigw.create_api_key(name="a", value="planned-0123456789abcd", enabled=True)
    apigw.create_api_key(name="b", value="unplanned-0123456789ab", enabled=True)
    plan = apigw.create_usage_plan(name="p", apiStages=[{"apiId": api_id, "stage": "prod"}])
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=planned["id"], keyType="API_KEY")
    assert sandbox.api().definition.api_keys == frozenset({"planned-0123456789abcd"})
    assert _status(sandbox, "unplanned-0123456789ab") == 403


def test_a_key_in_no_usage_plan_is_refused_as_on_aws(sandbox: Any) -> None:
    apigw, _ = _keyed_api(sandbox)
    apigw.create_api_key(name="alone", value="alone-key-0123456789ab", enabled=True)
    assert sandbox.api().definition.api_keys == frozenset()
    assert _status(sandbox, "alone-key-0123456789ab") == 403
