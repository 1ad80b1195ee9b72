"""The CRUD build of topic 5, deployed into a sandbox with boto3 as a learner would on AWS.

`deploy_crud` creates the table, the function (the reference handler or the learner's file)
and the REST API on stage `prod`; each step is its own function, for the live example.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from course_cli.gateway.definition import lambda_integration_uri

if TYPE_CHECKING:
    from course_cli.sandbox.session import Sandbox

REFERENCE_HANDLER: Final = Path(__file__).parent / "reference" / "products.py"
ROUTES: Final = {"/products": ("GET", "POST"), "/products/{productId}": ("GET", "PUT", "DELETE")}


@dataclass(frozen=True)
class CrudDeployment:
    """What `deploy_crud` made: the ids a learner would copy from the AWS console."""

    api_id: str
    table: str
    function_name: str
    function_arn: str
    stage: str = "prod"


def create_products_table(sandbox: Sandbox, table: str = "products") -> None:
    """A table keyed by the string `id`, billed per request (no capacity to plan)."""
    dynamodb = sandbox.client("dynamodb")
    dynamodb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.get_waiter("table_exists").wait(
        TableName=table, WaiterConfig={"Delay": 0.1, "MaxAttempts": 50}
    )


def create_products_function(
    sandbox: Sandbox,
    table: str = "products",
    name: str = "products",
    handler_file: Path = REFERENCE_HANDLER,
    timeout_s: float = 10,
    function: str = "handler",
) -> str:
    """The Lambda function, with the table's name in its environment; returns its ARN.
    `timeout_s` is the function's Timeout (10 s leaves room for a cold start on AWS)."""
    from course_cli.sandbox.functions import create_function

    return create_function(
        sandbox,
        name,
        handler_file,
        function=function,
        environment={"TABLE_NAME": table},
        timeout_s=timeout_s,
    )


def wire_products_api(sandbox: Sandbox, function_arn: str, name: str = "products-api") -> str:
    """The REST API: resources under `/`, every method an AWS_PROXY integration; its id."""
    apigw = sandbox.client("apigateway")
    api_id = str(apigw.create_rest_api(name=name)["id"])
    root_id = next(r["id"] for r in apigw.get_resources(restApiId=api_id)["items"])
    ids = {"/": root_id}
    for path in ROUTES:
        parent, part = path.rsplit("/", 1)
        created = apigw.create_resource(
            restApiId=api_id, parentId=ids[parent or "/"], pathPart=part
        )
        ids[path] = created["id"]
    function_name = function_arn.rsplit(":", 1)[-1]
    uri = lambda_integration_uri(sandbox.region, sandbox.account_id, function_name)
    for path, methods in ROUTES.items():
        for method in methods:
            apigw.put_method(
                restApiId=api_id,
                resourceId=ids[path],
                httpMethod=method,
                authorizationType="NONE",
            )
            apigw.put_integration(
                restApiId=api_id,
                resourceId=ids[path],
                httpMethod=method,
                type="AWS_PROXY",
                integrationHttpMethod="POST",  # Lambda's Invoke, whatever the client's verb
                uri=uri,
            )
    return api_id


def allow_and_deploy(
    sandbox: Sandbox, api_id: str, function_name: str, stage: str = "prod"
) -> None:
    """Let API Gateway invoke the function (from this API only), then deploy on `stage`."""
    sandbox.client("lambda").add_permission(
        FunctionName=function_name,
        StatementId=f"{api_id}-invoke",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:{sandbox.region}:{sandbox.account_id}:{api_id}/*",
    )
    sandbox.client("apigateway").create_deployment(restApiId=api_id, stageName=stage)


def deploy_crud(
    sandbox: Sandbox,
    *,
    table: str = "products",
    function_name: str = "products",
    handler_file: Path = REFERENCE_HANDLER,
    function: str = "handler",
) -> CrudDeployment:
    """Table, function, API, permission and stage: the whole topic-5 build in one call.

    Raises `SandboxError` when the sandbox already holds a table or function of that name.
    """
    from course_cli.sandbox.session import SandboxError

    if table in sandbox.tables():
        raise SandboxError(f"the sandbox already has a table {table!r}", hint="use another name")
    create_products_table(sandbox, table)
    arn = create_products_function(sandbox, table, function_name, handler_file, function=function)
    api_id = wire_products_api(sandbox, arn)
    allow_and_deploy(sandbox, api_id, function_name)
    return CrudDeployment(api_id=api_id, table=table, function_name=function_name, function_arn=arn)
