"""`course invoke -t template.yaml FunctionId`: one function of a SAM template, through its
API event's route, with an event file, or with the empty event when it has no API event."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO, CliResult

EXAMPLES = REPO / "examples" / "sam"
GLOBALS = str(EXAMPLES / "globals" / "template.yaml")
Run = Callable[..., CliResult]


@pytest.mark.slow
def test_the_functions_api_event_gives_the_request(run_cli: Run) -> None:
    result = run_cli("invoke", "-t", GLOBALS, "FarewellFunction", "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["event"]["httpMethod"] == "GET"
    assert document["event"]["resource"] == "/farewell"
    assert json.loads(document["response"]["body"])["MESSAGE"] == "Goodbye"


def test_an_event_file_goes_straight_to_the_function(run_cli: Run, tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text('{"source": "test"}')
    result = run_cli("invoke", "-t", GLOBALS, "GreetFunction", "-e", str(event), "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["event"] == {"source": "test"}
    assert json.loads(document["result"]["body"])["GREET_ONLY"] == "yes"


def test_a_function_without_an_api_event_gets_the_empty_event(run_cli: Run, tmp_path: Path) -> None:
    (tmp_path / "job.py").write_text("def run(event, context):\n    return {'got': event}\n")
    template = tmp_path / "template.yaml"
    template.write_text(
        textwrap.dedent(
            """\
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Nightly:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: .
                  Handler: job.run
                  Runtime: python3.11
                  Events:
                    Every:
                      Type: Schedule
                      Properties: {Schedule: rate(1 day)}
            """
        )
    )
    result = run_cli("invoke", "-t", str(template), "--json")  # its only function
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["result"] == {"got": {}}
    assert "event Every (Schedule) is not delivered here" in result.stderr


def test_an_unknown_function_is_one_line_and_exit_2(run_cli: Run) -> None:
    result = run_cli("invoke", "-t", GLOBALS, "Nope")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "error: template.yaml has no function 'Nope' (functions: GreetFunction, FarewellFunction)"
    )


def test_options_that_t_replaces_are_refused(run_cli: Run) -> None:
    result = run_cli("invoke", "-t", GLOBALS, "GreetFunction", "--timeout", "9")
    assert result.exit_code == 2 and "--timeout would be ignored" in result.stderr


@pytest.mark.slow
def test_the_products_function_writes_to_its_table(run_cli: Run) -> None:
    template = str(EXAMPLES / "products" / "template.yaml")
    result = run_cli(
        "invoke", "-t", template, "ProductsFunction", "-X", "POST", "--path", "/products",
        "-d", '{"name": "pen", "price": 2}', "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    response = json.loads(result.stdout)["response"]
    assert response["statusCode"] == 201
    assert json.loads(response["body"])["name"] == "pen"


def test_a_route_with_api_key_required_wants_the_templates_key(
    run_cli: Run, tmp_path: Path
) -> None:
    (tmp_path / "app.py").write_text("def handler(e, c):\n    return {'statusCode': 200}\n")
    template = tmp_path / "template.yaml"
    template.write_text(
        textwrap.dedent(
            """\
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: app.handler
                  Runtime: python3.12
                  Events:
                    Locked:
                      Type: Api
                      Properties: {Path: /locked, Method: get, Auth: {ApiKeyRequired: true}}
              Key:
                Type: AWS::ApiGateway::ApiKey
                Properties: {Enabled: true, Value: abcdefghijklmnopqrst}
            """
        )
    )

    def status(*extra: str) -> int:
        result = run_cli("invoke", "-t", str(template), "Fn", "--json", *extra)
        return int(json.loads(result.stdout)["response"]["statusCode"])

    assert status() == 403
    assert status("-H", "x-api-key: abcdefghijklmnopqrst") == 200


def test_a_nested_handler_imports_from_its_code_uri_root(run_cli: Run, tmp_path: Path) -> None:
    code = tmp_path / "src"
    (code / "handlers").mkdir(parents=True)
    (code / "shared.py").write_text("GREETING = 'from the root'\n")
    (code / "handlers" / "orders.py").write_text(
        "import shared\n\ndef handler(event, context):\n    return shared.GREETING\n"
    )
    template = tmp_path / "template.yaml"
    template.write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Orders:\n"
        "    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n"
        "      Handler: handlers.orders.handler\n      Runtime: python3.13\n"
    )
    result = run_cli("invoke", "-t", str(template), "Orders", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["result"] == "from the root"


AUTHORIZED = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function: {Runtime: python3.12}
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Auth:
        DefaultAuthorizer: TokenAuth
        Authorizers:
          TokenAuth: {FunctionArn: !GetAtt AuthFn.Arn}
  AuthFn:
    Type: AWS::Serverless::Function
    Properties: {Handler: app.auth}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Events:
        Locked:
          Type: Api
          Properties: {Path: /locked, Method: get, RestApiId: !Ref Api}
        Open:
          Type: Api
          Properties: {Path: /open, Method: get, RestApiId: !Ref Api, Auth: {Authorizer: NONE}}
"""
AUTHORIZER = """\
def handler(event, context):
    return {"statusCode": 200, "body": event["requestContext"]["authorizer"]["principalId"]}

def auth(event, context):
    effect = "Allow" if event["authorizationToken"] == "let-me-in" else "Deny"
    statement = {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    return {"principalId": "ann", "policyDocument": policy}
"""


@pytest.mark.parametrize(
    ("args", "status"),
    [
        (["--path", "/locked"], 401),
        (["--path", "/locked", "-H", "Authorization: wrong"], 403),
        (["--path", "/locked", "-H", "Authorization: let-me-in"], 200),
    ],
)
def test_a_lambda_authorizer_in_the_template_guards_its_routes(
    run_cli: Run, tmp_path: Path, args: list[str], status: int
) -> None:
    (tmp_path / "app.py").write_text(AUTHORIZER)
    (tmp_path / "template.yaml").write_text(AUTHORIZED)
    result = run_cli("invoke", "-t", str(tmp_path / "template.yaml"), "Fn", "--json", *args)
    response = json.loads(result.stdout)["response"]
    assert response["statusCode"] == status
    if status == 200:
        assert response["body"] == "ann"


def test_an_http_api_event_sends_the_2_0_event(run_cli: Run, tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "def handler(event, context):\n    return {'route': event['routeKey']}\n"
    )
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n"
        "    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n"
        "      Runtime: python3.12\n      Events:\n        Hello:\n          Type: HttpApi\n"
        "          Properties:\n            Path: /hello/{name}\n            Method: get\n"
    )
    result = run_cli("invoke", "-t", str(tmp_path / "template.yaml"), "Fn", "--json")
    document = json.loads(result.stdout)
    assert document["event"]["version"] == "2.0"
    assert document["event"]["rawPath"] == "/hello/name"
    assert json.loads(document["response"]["body"]) == {"route": "GET /hello/{name}"}
