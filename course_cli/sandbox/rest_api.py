"""From what moto stores to what our gateway serves: a REST API read into an `ApiDefinition`.

The learner builds the API with boto3 (`create_rest_api`, `create_resource`, `put_method`,
`put_integration`, `create_deployment`); moto keeps it faithfully but checks less than AWS.
`read_rest_api` reads it back once - resources with their methods and integrations embedded,
the stage and its variables - and refuses what AWS would have refused, saying what AWS would
have said. moto serves no request itself: it cannot route `{param}` or `{proxy+}` and runs
neither proxy nor MOCK integrations, so every request goes through our gateway.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final

from course_cli.gateway.definition import (
    INTEGRATION_TYPES,
    ApiDefinition,
    FunctionConfig,
    Integration,
    Method,
    Resource,
)
from course_cli.gateway.errors import ApiDefinitionError
from course_cli.gateway.gateway_responses import GatewayResponse
from course_cli.gateway.invoker import INTEGRATION_TIMEOUT_S

if TYPE_CHECKING:
    from course_cli.gateway.context import Invocation
    from course_cli.gateway.http import HttpRequest
    from course_cli.sandbox.environment import SandboxAccount
    from course_cli.sandbox.functions import SandboxInvoker

# `arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function arn>/invocations`;
# the function part may be a stage variable (`${stageVariables.fn}`) and carry an alias.
_LAMBDA_URI: Final = re.compile(
    r"^arn:aws:apigateway:[^:]+:lambda:path/2015-03-31/functions/"
    r"(?P<arn>arn:aws:lambda:[^:]+:\d{12}:function:(?P<name>[^/:]+)(?::[^/]+)?|[^/]+)"
    r"/invocations$"
)
_STAGE_VARIABLE: Final = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")


@dataclass
class SandboxApi:
    """A REST API read from the sandbox, and the functions its integrations call."""

    definition: ApiDefinition
    invoker: SandboxInvoker
    # Integrations naming functions that do not exist: AWS accepts such an API and answers
    # 500 when the route is called; the learner is told up front.
    warnings: list[str] = field(default_factory=list)

    def send(self, request: HttpRequest) -> Invocation:
        """One request through the gateway to the learner's functions."""
        from course_cli.gateway.pipeline import handle_request

        return handle_request(self.definition, request, self.invoker)


def load_sandbox_api(sandbox: SandboxAccount, api_id: str | None, stage: str | None) -> SandboxApi:
    """`read_rest_api` on the sandbox's API, with its Lambda functions resolved to files."""
    from course_cli.sandbox.functions import SandboxInvoker, resolve_functions

    apigw = sandbox.client("apigateway")
    definition = read_rest_api(apigw, pick_api(apigw, api_id), stage, account_id=sandbox.account_id)
    names = {
        method.integration.function_name
        for resource in definition.resources
        for method in resource.methods.values()
        if method.integration.function_name
    }
    found, missing = resolve_functions(sandbox, names, sandbox.work_dir / "functions")
    definition = with_function_timeouts(
        definition,
        {
            name: FunctionConfig(name, function.handler, function.timeout_s)
            for name, function in found.items()
        },
    )
    warnings = [
        f"the integrations of {', '.join(routes_calling(definition, name))} call Lambda function "
        f"{name!r}, which does not exist in the sandbox: AWS answers those routes with 500 "
        "Internal server error (execution log: Function not found)"
        for name in missing
    ]
    invoker = SandboxInvoker(
        found, sandbox.variables(), account_id=sandbox.account_id, region=sandbox.region
    )
    return SandboxApi(definition, invoker, warnings)


def pick_api(apigw: Any, api_id: str | None) -> str:
    """The id of the REST API to serve: `api_id`, or the only one there is."""
    apis = apigw.get_rest_apis(limit=500)["items"]
    described = ", ".join(f"{api['id']} ({api['name']})" for api in apis) or "none"
    if api_id is not None:
        for api in apis:
            if api_id in (api["id"], api["name"]):
                return str(api["id"])
        raise ApiDefinitionError(f"no REST API {api_id!r} in the sandbox (APIs: {described})")
    if not apis:
        raise ApiDefinitionError(
            "there is no REST API in the sandbox yet",
            hint="create one with boto3 (create_rest_api ...), or use --crud for the reference",
        )
    if len(apis) > 1:
        raise ApiDefinitionError(
            f"the sandbox has {len(apis)} REST APIs: {described}",
            hint="say which one with --api-id",
        )
    return str(apis[0]["id"])


def read_rest_api(
    apigw: Any, api_id: str, stage: str | None = None, *, account_id: str = "123456789012"
) -> ApiDefinition:
    """The API `api_id` as deployed on `stage` (default: its only stage, or `prod`).

    Raises `ApiDefinitionError` for an API never deployed, and for what AWS would have refused
    and moto accepted. moto keeps no snapshot per deployment: the stage serves the API as it is.
    """
    api = apigw.get_rest_api(restApiId=api_id)
    stage_info = _pick_stage(apigw, api_id, stage)
    variables = dict(stage_info.get("variables") or {})
    items = apigw.get_resources(restApiId=api_id, embed=["methods"], limit=500)["items"]
    seen: dict[str, str] = {}
    resources = []
    for item in items:
        path = item["path"]
        if path in seen:
            raise ApiDefinitionError(
                f"API {api_id}: two resources have the path {path!r} ({seen[path]} and "
                f"{item['id']}); AWS refuses the second create_resource with ConflictException: "
                f"Another resource with the same parent already has this name: "
                f"{item.get('pathPart', path)}",
                hint="delete one of them (delete_resource) and put the methods on the other",
            )
        seen[path] = item["id"]
        methods = {
            verb: _method(api_id, path, verb, spec, variables)
            for verb, spec in (item.get("resourceMethods") or {}).items()
        }
        resources.append(Resource(id=item["id"], path=path, methods=methods))
    return ApiDefinition(
        api_id=api_id,
        name=api.get("name", "api"),
        stage=stage_info["stageName"],
        stage_variables=variables or None,
        binary_media_types=tuple(api.get("binaryMediaTypes") or ()),
        resources=tuple(sorted(resources, key=lambda r: r.path)),
        account_id=account_id,
        region=apigw.meta.region_name,
        deployment_id=stage_info["deploymentId"],
        gateway_responses=read_gateway_responses(apigw, api_id),
        **read_api_keys(apigw, api_id, stage_info["stageName"]),
    )


def read_api_keys(apigw: Any, api_id: str, stage: str) -> dict[str, Any]:
    """The keys a method with `apiKeyRequired` accepts on `api_id`/`stage`, as the
    `api_keys` and `api_key_ids` fields of an `ApiDefinition`.

    As on AWS, a key counts only when it is enabled and in a usage plan of the stage: a key
    made with `create_api_key` alone is refused with 403, the classic surprise.
    """
    items = apigw.get_api_keys(includeValues=True, limit=500).get("items") or []
    enabled = {str(k["id"]): str(k["value"]) for k in items if k.get("enabled") and k.get("value")}
    in_stage: set[str] = set()
    for plan in apigw.get_usage_plans(limit=500).get("items") or []:
        stages = plan.get("apiStages") or []
        if any(s.get("apiId") == api_id and s.get("stage") == stage for s in stages):
            keys = apigw.get_usage_plan_keys(usagePlanId=plan["id"], limit=500)
            in_stage |= {str(k["id"]) for k in keys.get("items") or []}
    enabled = {key_id: value for key_id, value in enabled.items() if key_id in in_stage}
    return {
        "api_keys": frozenset(enabled.values()),
        "api_key_ids": {value: key_id for key_id, value in enabled.items()},
    }


def read_gateway_responses(apigw: Any, api_id: str) -> dict[str, GatewayResponse]:
    """The API's customised gateway responses (`put_gateway_response`), by type.

    AWS lists every type, the ones never customised with `defaultResponse: true`; moto lists
    only what was put. Either way only customisations are kept: the defaults are built in.
    """
    items = apigw.get_gateway_responses(restApiId=api_id, limit=500).get("items") or []
    return {
        str(item["responseType"]): GatewayResponse.from_aws(
            item, where=f"API {api_id}: gateway response {item['responseType']}"
        )
        for item in items
        if not item.get("defaultResponse")
    }


def with_function_timeouts(
    definition: ApiDefinition, functions: Mapping[str, FunctionConfig]
) -> ApiDefinition:
    """`definition` with its functions, each integration given its function's own timeout."""
    resources = []
    for resource in definition.resources:
        methods = {}
        for verb, method in resource.methods.items():
            config = functions.get(method.integration.function_name or "")
            if config is not None:
                integration = replace(method.integration, timeout_s=config.timeout_s)
                method = replace(method, integration=integration)
            methods[verb] = method
        resources.append(replace(resource, methods=methods))
    return replace(definition, resources=tuple(resources), functions=dict(functions))


def routes_calling(definition: ApiDefinition, function_name: str) -> list[str]:
    """`GET /products`-style names of the routes whose integration calls `function_name`."""
    return [
        f"{verb} {resource.path}"
        for resource in definition.resources
        for verb, method in resource.methods.items()
        if method.integration.function_name == function_name
    ]


def lambda_function_name(uri: str, variables: Mapping[str, str]) -> str | None:
    """The function a Lambda integration URI invokes (stage variables substituted), or None."""
    match = _LAMBDA_URI.match(_STAGE_VARIABLE.sub(lambda m: variables.get(m[1], m[0]), uri))
    if match is None:
        return None
    if match["name"]:
        return match["name"]
    return match["arn"].split(":", 1)[0] or None  # a bare function name (with an alias)


def _pick_stage(apigw: Any, api_id: str, stage: str | None) -> dict[str, Any]:
    stages = apigw.get_stages(restApiId=api_id)["item"]
    names = [s["stageName"] for s in stages]
    if not stages:
        raise ApiDefinitionError(
            f"API {api_id} has no stage: nothing is deployed, so AWS serves no URL for it yet",
            hint=f"deploy it: create_deployment(restApiId={api_id!r}, stageName='prod')",
        )
    if stage is None:
        stage = names[0] if len(names) == 1 else "prod" if "prod" in names else None
        if stage is None:
            raise ApiDefinitionError(
                f"API {api_id} has stages {', '.join(names)}", hint="say which one with --stage"
            )
    chosen = next((s for s in stages if s["stageName"] == stage), None)
    if chosen is None:
        raise ApiDefinitionError(
            f"API {api_id} has no stage {stage!r} (stages: {', '.join(names)})"
        )
    deployments = {d["id"] for d in apigw.get_deployments(restApiId=api_id, limit=500)["items"]}
    if chosen.get("deploymentId") not in deployments:
        raise ApiDefinitionError(
            f"API {api_id}: stage {stage!r} points at deployment {chosen.get('deploymentId')!r}, "
            "which does not exist; AWS refuses such a stage with NotFoundException: Invalid "
            "Deployment identifier specified",
            hint="create the stage with create_deployment(restApiId=..., stageName=...)",
        )
    return dict(chosen)


def _method(
    api_id: str, path: str, verb: str, spec: Mapping[str, Any], variables: Mapping[str, str]
) -> Method:
    where = f"API {api_id}: {verb} {path}"
    raw = spec.get("methodIntegration")
    if raw is None:
        raise ApiDefinitionError(
            f"{where} has no integration; AWS refuses to deploy the API with BadRequestException: "
            "No integration defined for method",
            hint="call put_integration for every method you put",
        )
    return Method(
        http_method=verb,
        integration=_integration(where, raw, variables),
        authorization=spec.get("authorizationType", "NONE"),
        api_key_required=bool(spec.get("apiKeyRequired", False)),
        request_parameters=dict(spec.get("requestParameters") or {}),
    )


def _integration(where: str, raw: Mapping[str, Any], variables: Mapping[str, str]) -> Integration:
    kind = raw.get("type", "")
    if kind not in INTEGRATION_TYPES:
        raise ApiDefinitionError(
            f"{where}: integration type {kind!r} does not exist; AWS refuses put_integration "
            f"with BadRequestException: type must be one of {', '.join(INTEGRATION_TYPES)}",
        )
    uri = raw.get("uri", "")
    function_name = None
    if kind != "MOCK" and not uri:
        raise ApiDefinitionError(
            f"{where}: a {kind} integration needs a uri; AWS refuses put_integration without one",
        )
    if kind in ("AWS_PROXY", "AWS") and ":lambda:path/" in uri:
        function_name = lambda_function_name(uri, variables)
        if function_name is None:
            raise ApiDefinitionError(
                f"{where}: {uri!r} is not a Lambda invocation URI",
                hint="arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/"
                "<function arn>/invocations",
            )
    elif kind == "AWS_PROXY":
        raise ApiDefinitionError(
            f"{where}: AWS_PROXY integrations only invoke Lambda functions (and Firehose); "
            f"{uri!r} is not a Lambda invocation URI",
        )
    responses = raw.get("integrationResponses") or {}
    return Integration(
        type=kind,
        function_name=function_name,
        uri=uri,
        http_method=raw.get("httpMethod", "POST"),
        integration_timeout_s=int(raw.get("timeoutInMillis", INTEGRATION_TIMEOUT_S * 1000)) / 1000,
        request_templates=dict(raw.get("requestTemplates") or {}),
        request_parameters=dict(raw.get("requestParameters") or {}),
        integration_responses=tuple(dict(responses[code]) for code in sorted(responses)),
        passthrough_behavior=raw.get("passthroughBehavior", "WHEN_NO_MATCH"),
    )
