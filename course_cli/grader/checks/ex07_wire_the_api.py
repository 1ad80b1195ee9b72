"""Checks for 07-wire-the-api: the learner's deploy.py runs in a fresh sandbox; the grader then
reads back what it built (table, function, API, permission, stage) and sends the CRUD sequence
to that API through the gateway."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from course_cli.grader.cases import Case, CaseFailed, expect
from course_cli.grader.checks._crud import CRUD_CASES, CrudTarget, sandbox_target
from course_cli.grader.runner import SubmissionRunner

if TYPE_CHECKING:
    from course_cli.sandbox import Sandbox

EXERCISE = "07-wire-the-api"
ROLE_NAME = "products-lambda-role"
EXPECTED_ROUTES = {
    "/products": {"GET", "POST"},
    "/products/{productId}": {"DELETE", "GET", "PUT"},
}


@dataclass(frozen=True)
class Built:
    """What deploy.py built, and the CRUD target on it (or why it cannot be served)."""

    sandbox: Sandbox
    api_id: Any
    served: CrudTarget | str

    def target(self) -> CrudTarget:
        if isinstance(self.served, str):
            raise CaseFailed(self.served)
        return self.served


@contextmanager
def session(folder: Path, runner: SubmissionRunner) -> Iterator[Built]:
    from course_cli.errors import CourseError
    from course_cli.sandbox import Sandbox
    from course_cli.sandbox.crud import REFERENCE_HANDLER
    from course_cli.sandbox.functions import zip_handler

    # A worker reaches moto only through its server on loopback (AWS_ENDPOINT_URL).
    with Sandbox(server=runner.separate_process) as sandbox, ThreadPoolExecutor(1) as loader:
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        sandbox.client("iam").create_role(
            RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps(trust)
        )
        if sandbox.server is not None:  # built while the worker starts, not in its way
            sandbox.server.prepare(("dynamodb", "lambda", "apigateway"))
        api_id = runner.run_file(
            folder / "deploy.py",
            "deploy",
            (zip_handler(REFERENCE_HANDLER),),
            env=sandbox.variables(),
        )
        served: CrudTarget | str
        try:
            # The function's worker starts while the cases that only read the sandbox run.
            background = loader if runner.separate_process else None
            served = sandbox_target(sandbox, str(api_id), runner, background)
        except CourseError as error:
            served = f"the API cannot be served: {error.message}"
        yield Built(sandbox, api_id, served)


def table_created(built: Built) -> None:
    client = built.sandbox.client("dynamodb")
    tables = client.list_tables()["TableNames"]
    expect("products" in tables, f"no table 'products' (tables: {', '.join(tables) or 'none'})")
    table = client.describe_table(TableName="products")["Table"]
    expect(
        table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}],
        f"the table's key must be id (HASH), got {table['KeySchema']}",
    )


def function_created(built: Built) -> None:
    client = built.sandbox.client("lambda")
    try:
        config = client.get_function(FunctionName="products")["Configuration"]
    except client.exceptions.ResourceNotFoundException:
        raise CaseFailed("no Lambda function 'products'") from None
    variables = (config.get("Environment") or {}).get("Variables") or {}
    expect(
        variables.get("TABLE_NAME") == "products",
        f"the function's environment must set TABLE_NAME=products, got {variables}",
    )


def routes_created(built: Built) -> None:
    expect(
        isinstance(built.api_id, str), f"deploy() must return the API's id, got {built.api_id!r}"
    )
    client = built.sandbox.client("apigateway")
    try:
        resources = client.get_resources(restApiId=built.api_id, embed=["methods"])["items"]
    except client.exceptions.NotFoundException:
        raise CaseFailed(f"no REST API with the id {built.api_id!r}") from None
    found = {r["path"]: set(r.get("resourceMethods") or {}) for r in resources}
    for path, methods in EXPECTED_ROUTES.items():
        expect(path in found, f"the API has no resource {path} (it has {', '.join(sorted(found))})")
        missing = methods - found[path]
        expect(not missing, f"{path} lacks the methods {', '.join(sorted(missing))}")
        for method in methods:
            integration = client.get_integration(
                restApiId=built.api_id,
                resourceId=next(r["id"] for r in resources if r["path"] == path),
                httpMethod=method,
            )
            expect(
                integration.get("type") == "AWS_PROXY",
                f"{method} {path}: integration type {integration.get('type')}, expected AWS_PROXY",
            )


def permission_granted(built: Built) -> None:
    client = built.sandbox.client("lambda")
    try:
        policy = json.loads(client.get_policy(FunctionName="products")["Policy"])
    except client.exceptions.ResourceNotFoundException:
        raise CaseFailed(
            "API Gateway may not invoke the function: call lambda add_permission with "
            "Principal apigateway.amazonaws.com (without it AWS answers 500)"
        ) from None
    principals = [str(s.get("Principal")) for s in policy.get("Statement", [])]
    expect(
        any("apigateway.amazonaws.com" in p for p in principals),
        "the function's policy does not let apigateway.amazonaws.com invoke it",
    )


def stage_deployed(built: Built) -> None:
    client = built.sandbox.client("apigateway")
    stages = [s["stageName"] for s in client.get_stages(restApiId=str(built.api_id))["item"]]
    expect(
        "prod" in stages,
        f"no stage 'prod' (stages: {', '.join(stages) or 'none'}): call create_deployment",
    )


# In 07 the function is the course's own, and it works: a CRUD case that fails points at the
# route it sent its requests to, never at the handler code (06's hints).
_ROUTE_OF_CASE = {
    "POST creates a product": ("POST", "/products"),
    "POST rejects bad bodies with 400": ("POST", "/products"),
    "GET one product": ("GET", "/products/{productId}"),
    "GET a missing product answers 404": ("GET", "/products/{productId}"),
    "GET lists every product": ("GET", "/products"),
    "PUT updates a product": ("PUT", "/products/{productId}"),
    "PUT of a missing product answers 404": ("PUT", "/products/{productId}"),
    "DELETE answers 204, then 404": ("DELETE", "/products/{productId}"),
}


def _wiring_hint(case_name: str) -> str:
    method, path = _ROUTE_OF_CASE[case_name]
    resource = (
        "create_resource(pathPart='{productId}') under /products"
        if path.endswith("}")
        else "create_resource(pathPart='products') under the root '/'"
    )
    return (
        f"the function works; {method} {path} must reach it: {resource}, put_method "
        f"'{method}', put_integration(type='AWS_PROXY', integrationHttpMethod='POST', "
        "uri=...invocations), then create_deployment on 'prod'"
    )


def _on_target(case: Case) -> Case:
    def run(built: Built) -> None:
        case.run(built.target())

    return Case(case.name, case.points, _wiring_hint(case.name), run, case.hidden)


CASES = (
    Case("table products with key id", 1, "create_table with KeySchema id HASH", table_created),
    Case(
        "function products with TABLE_NAME", 1, "Environment={'Variables': {...}}", function_created
    ),
    Case(
        "five methods, each AWS_PROXY",
        2,
        "create_resource twice, then put_method and put_integration per method",
        routes_created,
    ),
    Case("API Gateway may invoke the function", 1, "lambda add_permission", permission_granted),
    Case(
        "deployed on stage prod",
        1,
        "create_deployment(restApiId=..., stageName='prod')",
        stage_deployed,
    ),
    *(_on_target(case) for case in CRUD_CASES),
)
