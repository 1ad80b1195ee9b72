"""Step 5.11, the appendix "Deploying for real", is shown, not run: nothing here talks to AWS.
What can be checked offline is: the SAM template parses (CloudFormation's short tags
included), deploys the handler and the table the lesson built, on the routes of step 5.6; the
IAM files say what the step says; and the boto3 of the appendix and of step 3.12 makes calls
the AWS APIs accept (moto checks their parameters)."""

from __future__ import annotations

import ast
import importlib.util
import itertools
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from course_cli.content import load_lesson
from tests.conftest import REPO

LESSON = load_lesson("lesson-3")
FOLDER = REPO / "examples" / "5-11-deploy-for-real"
TEMPLATE = FOLDER / "template.yaml"
STEP = next(step for step in LESSON.steps if step.id == "deploy-for-real")


class CloudFormationLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short forms (`!Ref X`, `!GetAtt A.B`, `!Sub "..."`),
    read as the long forms they stand for (`{"Ref": "X"}`, `{"Fn::GetAtt": ["A", "B"]}`)."""


def _short_form(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


CloudFormationLoader.add_multi_constructor("!", _short_form)


def template() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.load(TEMPLATE.read_text(encoding="utf-8"), CloudFormationLoader)
    return loaded


def test_the_loader_reads_the_short_forms() -> None:
    text = "a: !Ref T\nb: !GetAtt F.Arn\nc: !Sub 'x-${T}'\nd: !Join [',', [a, b]]\n"
    assert yaml.load(text, CloudFormationLoader) == {
        "a": {"Ref": "T"},
        "b": {"Fn::GetAtt": ["F", "Arn"]},
        "c": {"Fn::Sub": "x-${T}"},
        "d": {"Fn::Join": [",", ["a", "b"]]},
    }


def test_it_is_a_sam_template_of_one_function_and_one_table() -> None:
    doc = template()
    assert doc["Transform"] == "AWS::Serverless-2016-10-31"
    types = sorted(resource["Type"] for resource in doc["Resources"].values())
    assert types == ["AWS::DynamoDB::Table", "AWS::Serverless::Function"]


def resource_of(doc: dict[str, Any], kind: str) -> tuple[str, dict[str, Any]]:
    return next((n, r) for n, r in doc["Resources"].items() if r["Type"] == kind)


def test_the_function_is_the_exercise_06_handler() -> None:
    _, function = resource_of(template(), "AWS::Serverless::Function")
    properties = function["Properties"]
    # CodeUri is relative to the template, in the workspace as in this repository.
    code = (TEMPLATE.parent / properties["CodeUri"]).resolve()
    assert code == (REPO / "exercises" / "06-crud-handler").resolve()
    module, _, name = properties["Handler"].partition(".")
    source = (code / f"{module}.py").read_text(encoding="utf-8")
    assert name in {n.name for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)}
    assert properties["Runtime"].startswith("python3.")


def test_the_function_finds_and_may_use_the_table() -> None:
    doc = template()
    table_name, table = resource_of(doc, "AWS::DynamoDB::Table")
    _, function = resource_of(doc, "AWS::Serverless::Function")
    properties = function["Properties"]
    # The router of step 5.2 reads os.environ["TABLE_NAME"].
    assert properties["Environment"]["Variables"]["TABLE_NAME"] == {"Ref": table_name}
    assert {"DynamoDBCrudPolicy": {"TableName": {"Ref": table_name}}} in properties["Policies"]
    # The key of step 5.7's create_table: a string named id.
    table_properties = table["Properties"]
    assert table_properties["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert table_properties["AttributeDefinitions"] == [
        {"AttributeName": "id", "AttributeType": "S"}
    ]


def step_routes() -> set[tuple[str, str]]:
    """The (method, resource) keys of step 5.6's ROUTES."""
    step = next(s for s in LESSON.steps if s.id == "whole-handler")
    return set(re.findall(r'\("([A-Z]+)", "([^"]+)"\):', step.markdown()))


def test_the_api_events_are_the_five_routes_of_step_5_6() -> None:
    _, function = resource_of(template(), "AWS::Serverless::Function")
    events = function["Properties"]["Events"].values()
    assert all(event["Type"] == "Api" for event in events)
    routes = {(e["Properties"]["Method"].upper(), e["Properties"]["Path"]) for e in events}
    assert len(step_routes()) == 5
    assert routes == step_routes()


def test_the_output_is_the_url_the_step_curls() -> None:
    url = template()["Outputs"]["ProductsUrl"]["Value"]["Fn::Sub"]
    assert (
        url == "https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/Prod/products"
    )
    assert re.search(
        r"https://\w+\.execute-api\.[\w-]+\.amazonaws\.com/Prod/products", STEP.markdown()
    )


def test_the_step_shows_lines_of_the_template() -> None:
    (shown,) = [
        body
        for lang, body in re.findall(r"^```(\w*)\n(.*?)^```", STEP.markdown(), re.M | re.S)
        if lang == "yaml"
    ]
    assert shown in TEMPLATE.read_text(encoding="utf-8")


def test_the_trust_policy_lets_lambda_assume_the_role() -> None:
    policy = json.loads((FOLDER / "trust-policy.json").read_text(encoding="utf-8"))
    assert policy["Statement"] == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ]


def test_the_table_policy_allows_what_the_handler_calls_on_the_products_table() -> None:
    policy = json.loads((FOLDER / "table-policy.json").read_text(encoding="utf-8"))
    (statement,) = policy["Statement"]
    calls = {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Scan"}
    assert set(statement["Action"]) == {f"dynamodb:{call}" for call in calls}
    assert statement["Resource"].endswith(":table/products")


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_FRESH_ACCOUNTS = itertools.count(210987654321)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Any:
    """moto's in-memory AWS, with fake credentials: no call leaves this process."""
    from moto import mock_aws

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        # AWS's managed policies (AWSLambdaBasicExecutionRole), which moto leaves out unless asked.
        "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        # A fresh account of its own: moto's backends are reset only by the first of nested
        # mocks, and an account made earlier in the session (the sandbox tests' one) was made
        # without the managed policies.
        from moto.iam.models import iam_backends

        iam = iam_backends[str(next(_FRESH_ACCOUNTS))]["aws"]
        iam.create_user("us-east-1", "appendix")
        key = iam.create_access_key("appendix")
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", key.access_key_id)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key.secret_access_key)
        yield


@pytest.mark.slow
def test_role_py_makes_the_role_the_step_describes(aws: Any) -> None:
    import boto3

    role_arn = load(FOLDER / "role.py").create_function_role()
    iam = boto3.client("iam")
    role = iam.get_role(RoleName="products-function")["Role"]
    assert role["Arn"] == role_arn
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    attached = iam.list_attached_role_policies(RoleName="products-function")["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AWSLambdaBasicExecutionRole"]
    assert iam.list_role_policies(RoleName="products-function")["PolicyNames"] == ["products-table"]


@pytest.mark.slow
def test_step_3_12s_gateway_responses_are_calls_api_gateway_accepts(aws: Any) -> None:
    import boto3

    apigateway = boto3.client("apigateway", region_name="us-east-1")
    api_id = apigateway.create_rest_api(name="products")["id"]
    root = apigateway.get_resources(restApiId=api_id)["items"][0]["id"]
    # A deployment needs a method (as on AWS).
    apigateway.put_method(
        restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE"
    )
    apigateway.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")
    path = REPO / "examples" / "3-12-gateway-responses" / "gateway_responses.py"
    load(path).cors_on_gateway_errors("us-east-1", api_id)
    responses = {
        r["responseType"]: r for r in apigateway.get_gateway_responses(restApiId=api_id)["items"]
    }
    origin = "gatewayresponse.header.Access-Control-Allow-Origin"
    for kind in ("DEFAULT_4XX", "DEFAULT_5XX", "MISSING_AUTHENTICATION_TOKEN"):
        assert responses[kind]["responseParameters"][origin] == "'https://shop.example.com'"
    assert responses["MISSING_AUTHENTICATION_TOKEN"]["statusCode"] == "404"
    assert apigateway.get_deployments(restApiId=api_id)["items"]
