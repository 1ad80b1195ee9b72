"""Reading SAM templates: what is served, what is named as not served, what is refused."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from course_cli.sam.app import SamApp, read_app
from course_cli.sam.template import TemplateError, parse_parameter_overrides, parse_template
from tests.conftest import REPO, CliResult

EXAMPLES = REPO / "examples" / "sam"
HEADER = "Transform: AWS::Serverless-2016-10-31\n"
HANDLER = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n"


def write(tmp_path: Path, body: str) -> Path:
    (tmp_path / "src").mkdir(exist_ok=True)
    (tmp_path / "src" / "app.py").write_text(HANDLER)
    path = tmp_path / "template.yaml"
    path.write_text(HEADER + textwrap.dedent(body))
    return path


FUNCTION = """
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
"""


def methods(app: SamApp) -> dict[tuple[str, str], object]:
    assert app.definition is not None
    return {
        (resource.path, verb): method
        for resource in app.definition.resources
        for verb, method in resource.methods.items()
    }


def test_short_tags_become_long_forms() -> None:
    document = parse_template(
        HEADER + "Resources: {}\nOutputs:\n  A: !GetAtt Fn.Arn\n  B: !Sub 'x-${Y}'\n"
        "  C: !Join ['-', [!Ref P, b]]\n  D: 2010-09-09\n"
    )
    assert document["Outputs"] == {
        "A": {"Fn::GetAtt": ["Fn", "Arn"]},
        "B": {"Fn::Sub": "x-${Y}"},
        "C": {"Fn::Join": ["-", [{"Ref": "P"}, "b"]]},
        "D": "2010-09-09",
    }


def test_the_products_example_reads_as_five_routes_on_one_function_and_a_table() -> None:
    app = read_app(EXAMPLES / "products" / "template.yaml")
    function = app.function("ProductsFunction")
    assert function.handler == f"{EXAMPLES / 'products' / 'src' / 'app.py'}:handler"
    assert (function.timeout_s, function.memory_mb) == (10, 256)
    assert function.environment == {"TABLE_NAME": "ProductsTable"}
    assert [table.name for table in app.tables] == ["ProductsTable"]
    assert sorted(methods(app)) == [
        ("/products", "GET"),
        ("/products", "POST"),
        ("/products/{productId}", "DELETE"),
        ("/products/{productId}", "GET"),
        ("/products/{productId}", "PUT"),
    ]
    integration = methods(app)[("/products", "GET")].integration  # type: ignore[attr-defined]
    assert (integration.type, integration.function_name, integration.timeout_s) == (
        "AWS_PROXY",
        "ProductsFunction",
        10,
    )
    assert app.definition is not None and app.definition.stage == "Prod"
    assert app.warnings == ()


def test_the_products_example_runs_the_reference_handler() -> None:
    shipped = (REPO / "course_cli" / "sandbox" / "reference" / "products.py").read_text()
    assert (EXAMPLES / "products" / "src" / "app.py").read_text() == shipped


def test_globals_give_each_function_its_settings_and_variables_merge() -> None:
    app = read_app(EXAMPLES / "globals" / "template.yaml")
    greet, farewell = app.function("GreetFunction"), app.function("FarewellFunction")
    assert greet.environment == {
        "APP_STAGE": "local",
        "MESSAGE": "Hello from us-east-1",
        "GREET_ONLY": "yes",
    }
    assert farewell.environment == {"APP_STAGE": "local", "MESSAGE": "Goodbye"}
    assert (greet.timeout_s, farewell.timeout_s, farewell.memory_mb) == (5, 2, 512)


def test_parameter_overrides_reach_sub() -> None:
    template = EXAMPLES / "globals" / "template.yaml"
    overrides = parse_parameter_overrides("Greeting='Good day'")
    app = read_app(template, parameter_overrides=overrides)
    assert app.function("GreetFunction").environment["MESSAGE"] == "Good day from us-east-1"


def test_env_vars_override_only_declared_variables_and_parameters_apply_to_all() -> None:
    env_vars = {
        "GreetFunction": {"MESSAGE": "Hi", "UNDECLARED": "x"},
        "Parameters": {"APP_STAGE": "test", "MESSAGE": "shared"},
    }
    app = read_app(EXAMPLES / "globals" / "template.yaml", env_vars=env_vars)
    assert app.function("GreetFunction").environment == {
        "APP_STAGE": "test",
        "MESSAGE": "Hi",
        "GREET_ONLY": "yes",
    }
    assert app.function("FarewellFunction").environment == {
        "APP_STAGE": "test",
        "MESSAGE": "shared",
    }


def test_api_key_required_marks_the_method_and_template_keys_are_accepted(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        FUNCTION
        + """\
      Events:
        Open:
          Type: Api
          Properties: {Path: /open, Method: get}
        Locked:
          Type: Api
          Properties: {Path: /locked, Method: get, Auth: {ApiKeyRequired: true}}
  Key:
    Type: AWS::ApiGateway::ApiKey
    Properties: {Enabled: true, Value: abcdefghijklmnopqrst}
""",
    )
    app = read_app(path)
    found = methods(app)
    assert found[("/locked", "GET")].api_key_required  # type: ignore[attr-defined]
    assert not found[("/open", "GET")].api_key_required  # type: ignore[attr-defined]
    assert app.definition is not None
    assert app.definition.api_keys == frozenset({"abcdefghijklmnopqrst"})


def test_what_cannot_be_served_is_named_one_line_each(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        FUNCTION
        + """\
      Layers: [arn:aws:lambda:us-east-1:123456789012:layer:shared:3]
      Events:
        Queue:
          Type: SQS
          Properties: {Queue: !GetAtt Jobs.Arn}
        Hello:
          Type: Api
          Properties:
            Path: /hello
            Method: get
            RestApiId: !Ref Api
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Auth:
        DefaultAuthorizer: Users
        Authorizers:
          Users: {UserPoolArn: !GetAtt Pool.Arn}
  Pool:
    Type: AWS::Cognito::UserPool
  Jobs:
    Type: AWS::SQS::Queue
  NodeFn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src/, Handler: app.handler, Runtime: nodejs16.x}
  JavaFn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src/, Handler: app.Handler::handle, Runtime: java21}
""",
    )
    app = read_app(path)
    warnings = "\n".join(app.warnings)
    assert "layer arn:aws:lambda:us-east-1:123456789012:layer:shared:3 is not loaded" in warnings
    assert "event Queue (SQS) is not delivered here" in warnings
    assert "authorizer Users (cognito_user_pools) is not served here" in warnings
    assert "resource Pool (AWS::Cognito::UserPool) is not created here" in warnings
    assert "resource Jobs (AWS::SQS::Queue) is not created here" in warnings
    assert "runtime nodejs16.x is older than nodejs18.x" in warnings
    assert "runtime java21 is not served yet (Python 3 and Node.js 18+ only)" in warnings
    assert all("\n" not in line for line in app.warnings)
    assert app.function("NodeFn").handler is None and app.function("JavaFn").handler is None
    assert app.definition is not None and app.definition.stage == "v1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Resources: [", "template.yaml (line 2)"),
        ("Resources: 3\n", "template.yaml: no 'Resources' section"),
        (FUNCTION.replace("Runtime: python3.12", "Runtime: python3.12\n      Events: 3"), "SAM"),
    ],
    ids=["not-yaml", "no-resources", "translator-refuses"],
)
def test_a_broken_template_is_one_line_and_exit_2(
    tmp_path: Path, run_cli: Callable[..., CliResult], text: str, expected: str
) -> None:
    path = write(tmp_path, text)
    result = run_cli("serve", "-t", str(path), "--port", "0")
    assert result.exit_code == 2
    first, *rest = result.stderr.strip().splitlines()
    assert expected in first and "Traceback" not in result.stderr
    assert all(line.startswith("hint:") for line in rest)


def test_a_template_without_the_sam_transform_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(FUNCTION)
    with pytest.raises(TemplateError, match="not a SAM template"):
        read_app(path)


def test_a_parameter_without_a_value_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "Parameters:\n  Stage: {Type: String}\n" + FUNCTION)
    with pytest.raises(TemplateError, match="parameter Stage has no Default"):
        read_app(path)


def test_an_http_api_event_serves_payload_2(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        FUNCTION
        + """\
      Events:
        Hello:
          Type: HttpApi
          Properties: {Path: /hello, Method: get}
""",
    )
    app = read_app(path)
    assert app.definition is not None and app.definition.http_api
    integration = methods(app)[("/hello", "GET")].integration  # type: ignore[attr-defined]
    assert integration.payload_format == "2.0"


def test_env_vars_file_must_be_json(tmp_path: Path, run_cli: Callable[..., CliResult]) -> None:
    bad = tmp_path / "env.json"
    bad.write_text("{not json")
    template = EXAMPLES / "globals" / "template.yaml"
    result = run_cli("serve", "-t", str(template), "--env-vars", str(bad))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: --env-vars {bad} is not JSON")


def test_template_options_without_t_are_refused(run_cli: Callable[..., CliResult]) -> None:
    result = run_cli("serve", "app.py", "--env-vars", "env.json")
    assert result.exit_code == 2 and "go with -t" in result.stderr
