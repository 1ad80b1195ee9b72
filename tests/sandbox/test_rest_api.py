"""Reading what moto stores into our `ApiDefinition`, and the checks moto skips."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

from course_cli.gateway.errors import ApiDefinitionError
from course_cli.sandbox.crud import REFERENCE_HANDLER, create_products_function
from course_cli.sandbox.moto_server import MotoServer, SandboxPortInUseError
from course_cli.sandbox.rest_api import lambda_function_name
from course_cli.sandbox.session import SandboxError
from tests.sandbox.conftest import send

URI = (
    "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
    "arn:aws:lambda:us-east-1:123456789012:function:{name}/invocations"
)


def new_api(sandbox: Any) -> tuple[Any, str, str]:
    apigw = sandbox.client("apigateway")
    api_id = apigw.create_rest_api(name="t")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    return apigw, api_id, root


def proxy_method(apigw: Any, api_id: str, resource: str, verb: str, uri: str, **extra: Any) -> None:
    apigw.put_method(
        restApiId=api_id, resourceId=resource, httpMethod=verb, authorizationType="NONE"
    )
    apigw.put_integration(
        restApiId=api_id,
        resourceId=resource,
        httpMethod=verb,
        type=extra.pop("type", "AWS_PROXY"),
        integrationHttpMethod="POST",
        uri=uri,
        **extra,
    )


def test_reads_resources_methods_integrations_and_stage(crud_sandbox: Any) -> None:
    sandbox, deployment, api = crud_sandbox
    definition = api.definition
    assert definition.api_id == deployment.api_id
    assert definition.stage == "prod" and definition.account_id == sandbox.account_id
    routes = {
        (resource.path, verb): method.integration
        for resource in definition.resources
        for verb, method in resource.methods.items()
    }
    assert set(routes) == {
        ("/products", "GET"),
        ("/products", "POST"),
        ("/products/{productId}", "GET"),
        ("/products/{productId}", "PUT"),
        ("/products/{productId}", "DELETE"),
    }
    integration = routes[("/products", "GET")]
    assert integration.type == "AWS_PROXY" and integration.function_name == "products"
    assert integration.timeout_s == 10  # the function's own Timeout, read from Lambda
    assert definition.functions["products"].handler == f"{REFERENCE_HANDLER.resolve()}:handler"


def test_stage_variables_custom_integration_fields_and_stage_variable_uri(sandbox: Any) -> None:
    create_products_function(sandbox, name="products-v2")
    apigw, api_id, root = new_api(sandbox)
    item = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="items")["id"]
    proxy_method(apigw, api_id, item, "GET", URI.format(name="${stageVariables.fn}"))
    apigw.put_method(restApiId=api_id, resourceId=item, httpMethod="POST", authorizationType="NONE")
    apigw.put_integration(
        restApiId=api_id,
        resourceId=item,
        httpMethod="POST",
        type="MOCK",
        requestTemplates={"application/json": '{"statusCode": 200}'},
        passthroughBehavior="NEVER",
    )
    apigw.put_integration_response(
        restApiId=api_id,
        resourceId=item,
        httpMethod="POST",
        statusCode="200",
        selectionPattern="",
        responseTemplates={"application/json": '{"ok": true}'},
    )
    apigw.create_deployment(restApiId=api_id, stageName="dev", variables={"fn": "products-v2"})
    definition = sandbox.api().definition
    assert definition.stage == "dev" and definition.stage_variables == {"fn": "products-v2"}
    methods = next(r for r in definition.resources if r.path == "/items").methods
    assert methods["GET"].integration.function_name == "products-v2"
    mock = methods["POST"].integration
    assert mock.type == "MOCK" and mock.passthrough_behavior == "NEVER"
    assert mock.request_templates == {"application/json": '{"statusCode": 200}'}
    assert mock.integration_responses[0]["responseTemplates"] == {
        "application/json": '{"ok": true}'
    }


@pytest.mark.parametrize(
    ("uri", "name"),
    [
        (URI.format(name="products"), "products"),
        (URI.format(name="products:live"), "products"),
        (URI.format(name="${stageVariables.fn}"), "chosen"),
        ("arn:aws:apigateway:us-east-1:s3:path/bucket/key", None),
    ],
)
def test_lambda_function_name(uri: str, name: str | None) -> None:
    assert lambda_function_name(uri, {"fn": "chosen"}) == name


def test_duplicate_sibling_paths_are_refused_as_aws_would(sandbox: Any) -> None:
    apigw, api_id, root = new_api(sandbox)
    apigw.create_resource(restApiId=api_id, parentId=root, pathPart="products")
    twin = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="products")  # moto: ok
    proxy_method(apigw, api_id, twin["id"], "GET", URI.format(name="f"))
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    with pytest.raises(ApiDefinitionError, match="Another resource with the same parent"):
        sandbox.api()


def test_unknown_integration_type_is_refused(sandbox: Any) -> None:
    apigw, api_id, root = new_api(sandbox)
    proxy_method(apigw, api_id, root, "GET", "http://example.invalid", type="LAMBDA")
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    with pytest.raises(ApiDefinitionError, match=r"'LAMBDA' does not exist.*AWS_PROXY, AWS"):
        sandbox.api()


def test_stage_pointing_at_no_deployment_is_refused(sandbox: Any) -> None:
    apigw, api_id, root = new_api(sandbox)
    proxy_method(apigw, api_id, root, "GET", URI.format(name="f"))
    apigw.create_stage(restApiId=api_id, stageName="prod", deploymentId="nope")  # moto: fine
    with pytest.raises(ApiDefinitionError, match="Invalid Deployment identifier"):
        sandbox.api()


@pytest.mark.slow
def test_method_without_integration_and_undeployed_api(sandbox: Any) -> None:
    apigw, api_id, root = new_api(sandbox)
    with pytest.raises(ApiDefinitionError, match="has no stage: nothing is deployed") as info:
        sandbox.api()
    assert "create_deployment" in (info.value.hint or "")
    proxy_method(apigw, api_id, root, "GET", URI.format(name="f"))
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    # moto keeps no snapshot per deployment: a method added since shows up in the stage.
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="PUT", authorizationType="NONE")
    with pytest.raises(ApiDefinitionError, match=r"PUT / has no integration.*No integration"):
        sandbox.api()


def test_no_api_at_all(sandbox: Any) -> None:
    with pytest.raises(ApiDefinitionError, match="no REST API in the sandbox"):
        sandbox.api()


def test_integration_naming_a_missing_function_answers_500_and_warns(sandbox: Any) -> None:
    apigw, api_id, root = new_api(sandbox)
    proxy_method(apigw, api_id, root, "GET", URI.format(name="ghost"))
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    api = sandbox.api()
    assert len(api.warnings) == 1
    assert "GET /" in api.warnings[0] and "'ghost'" in api.warnings[0]
    assert "500" in api.warnings[0]
    from course_cli.local_api import build_request

    invocation = api.send(build_request("GET", "/"))
    assert invocation.response is not None
    assert invocation.response.status == 500
    assert json.loads(invocation.response.body) == {"message": "Internal server error"}
    log = "\n".join(invocation.log.lines)
    assert "Execution failed due to configuration error: Function not found: arn:aws:lambda:" in log
    assert "'ghost', which does not exist" in str(invocation.error)


@pytest.mark.slow
def test_table_that_does_not_exist(sandbox: Any) -> None:
    """The function's table is missing: the handler fails, AWS answers 502, the log says why."""
    create_products_function(sandbox, table="no-such-table")
    apigw, api_id, root = new_api(sandbox)
    resource = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="products")["id"]
    proxy_method(apigw, api_id, resource, "GET", URI.format(name="products"))
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    from course_cli.local_api import build_request

    invocation = sandbox.api().send(build_request("GET", "/products"))
    assert invocation.response is not None and invocation.response.status == 502
    assert "ResourceNotFoundException" in json.dumps(invocation.result)
    with pytest.raises(SandboxError, match="no DynamoDB table 'no-such-table'"):
        sandbox.scan("no-such-table")


@pytest.mark.slow
def test_functions_created_by_the_learner_resolve_to_their_code(
    sandbox: Any, tmp_path: Path
) -> None:
    """A function created with plain boto3 (no course tag): its zip, unpacked from moto."""
    from course_cli.sandbox.functions import ensure_role, zip_handler

    source = tmp_path / "app.py"
    source.write_text(
        "import json\n\ndef main(event, context):\n"
        '    return {"statusCode": 200, "body": json.dumps({"hi": event["path"]})}\n'
    )
    sandbox.client("lambda").create_function(
        FunctionName="mine",
        Runtime="python3.12",
        Role=ensure_role(sandbox),
        Handler="app.main",
        Code={"ZipFile": zip_handler(source)},
    )
    apigw, api_id, root = new_api(sandbox)
    proxy_method(apigw, api_id, root, "GET", URI.format(name="mine"))
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    assert send(sandbox.api(), "GET", "/") == (200, {"hi": "/"})


def test_moto_server_port_in_use() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(SandboxPortInUseError, match=f"port {taken.getsockname()[1]} is in use"):
            MotoServer(taken.getsockname()[1])


@pytest.mark.slow
def test_moto_server_answers_while_it_prepares_services() -> None:
    import boto3

    from course_cli.sandbox import Sandbox

    with Sandbox(server=True) as sandbox:
        assert sandbox.server is not None
        sandbox.server.prepare(("dynamodb", "lambda", "apigateway"))
        # Another process's view: plain HTTP to the server, racing the preparation.
        session = boto3.session.Session(
            aws_access_key_id=sandbox.access_key_id,
            aws_secret_access_key=sandbox.secret_access_key,
            region_name=sandbox.region,
        )
        url = sandbox.endpoint_url
        assert session.client("dynamodb", endpoint_url=url).list_tables()["TableNames"] == []
        assert session.client("lambda", endpoint_url=url).list_functions()["Functions"] == []
        api = session.client("apigateway", endpoint_url=url).create_rest_api(name="prepared")
        assert api["name"] == "prepared"
