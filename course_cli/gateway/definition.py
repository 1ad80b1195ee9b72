"""What an API *is*: frozen resources, methods and integrations, apart from any request.

The sandbox builds an `ApiDefinition` from what a learner created with boto3; lessons and
`course serve --api api.json` build one from our JSON route table (`route_table.py`); `course
invoke HANDLER` uses `single_route`. Every definition is checked with the rules AWS applies when
resources are created, so the router can trust the tree it is given.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Final

from course_cli.gateway.errors import ApiDefinitionError
from course_cli.gateway.gateway_responses import GatewayResponse, check_gateway_responses
from course_cli.gateway.invoker import DEFAULT_FUNCTION_TIMEOUT_S, INTEGRATION_TIMEOUT_S

HTTP_METHODS: Final = ("ANY", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
INTEGRATION_TYPES: Final = ("AWS_PROXY", "AWS", "HTTP_PROXY", "HTTP", "MOCK")
# AWS's own rule for a path part: "a-zA-Z0-9._- and curly braces at the beginning and the end
# and an optional plus sign before the closing brace".
_PATH_PART = re.compile(r"[A-Za-z0-9._-]+|\{[A-Za-z0-9._-]+\+?\}")


@dataclass(frozen=True, slots=True)
class Integration:
    """How a method reaches its backend; the template fields are for AWS, HTTP and MOCK."""

    type: str = "AWS_PROXY"
    function_name: str | None = None
    uri: str = ""
    http_method: str = "POST"  # API Gateway calls Lambda's Invoke API with POST
    timeout_s: float = DEFAULT_FUNCTION_TIMEOUT_S  # the function's own timeout
    integration_timeout_s: float = INTEGRATION_TIMEOUT_S  # how long API Gateway waits
    request_templates: Mapping[str, str] = field(default_factory=dict)
    request_parameters: Mapping[str, str] = field(default_factory=dict)
    integration_responses: tuple[Mapping[str, Any], ...] = ()
    passthrough_behavior: str = "WHEN_NO_MATCH"
    # AWS_PROXY on an HTTP API: "2.0" sends the HTTP API event (`events_v2.py`) and reads the
    # answer by its rules (`proxy_response_v2.py`); "1.0" is the REST proxy event.
    payload_format: str = "1.0"


@dataclass(frozen=True, slots=True)
class Method:
    """One HTTP verb (or ANY) on a resource."""

    http_method: str
    integration: Integration
    authorization: str = "NONE"
    api_key_required: bool = False
    request_parameters: Mapping[str, bool] = field(default_factory=dict)
    # Status code -> declared headers (`{"method.response.header.X": required}`). None means
    # the definition declares no method responses and course does not check them (see
    # `check_method_responses`); proxy integrations ignore them, as AWS does.
    method_responses: Mapping[str, Mapping[str, bool]] | None = None


@dataclass(frozen=True, slots=True)
class Resource:
    """One node of the API's resource tree, e.g. `/products/{productId}`."""

    id: str
    path: str
    methods: Mapping[str, Method] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FunctionConfig:
    """A Lambda function the API calls and where its code lives (`file.py[:function]`)."""

    name: str
    handler: str
    timeout_s: float = DEFAULT_FUNCTION_TIMEOUT_S


@dataclass(frozen=True)
class ApiDefinition:
    """A deployed REST API stage: everything the data plane needs, nothing about requests.

    Checked on construction with AWS's rules. `gateway_responses`: the API's customisations by
    type. `compiled` caches what is derived from it, and takes no part in equality.
    """

    api_id: str
    name: str = "api"
    stage: str = "prod"
    stage_variables: Mapping[str, str] | None = None
    binary_media_types: tuple[str, ...] = ()
    resources: tuple[Resource, ...] = ()
    functions: Mapping[str, FunctionConfig] = field(default_factory=dict)
    account_id: str = "123456789012"
    region: str = "us-east-1"
    deployment_id: str = "dep001"
    gateway_responses: Mapping[str, GatewayResponse] = field(default_factory=dict)
    # An HTTP API's `$default` route: what no other route matches (see `http_api.py`).
    default_route: Method | None = None
    # The enabled API key values a client may send in `x-api-key` to a method with
    # `api_key_required`; empty means no key is configured, so such a method always answers 403.
    api_keys: frozenset[str] = frozenset()
    # Where known (the sandbox), the id of each key value, for `$context.identity.apiKeyId`.
    api_key_ids: Mapping[str, str] = field(default_factory=dict)
    compiled: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_resource_tree(self.resources)
        check_gateway_responses(self.gateway_responses)

    @cached_property
    def domain_name(self) -> str:
        """The API's default host name, `<apiId>.execute-api.<region>.amazonaws.com`."""
        return f"{self.api_id}.execute-api.{self.region}.amazonaws.com"

    @cached_property
    def http_api(self) -> bool:
        """Whether this is an HTTP API (its Lambda integrations send payload format 2.0): no
        stage in the path, a `$default` route, 404 for no route (see `http_api.py`)."""
        methods = [method for resource in self.resources for method in resource.methods.values()]
        if self.default_route is not None:
            methods.append(self.default_route)
        return any(method.integration.payload_format == "2.0" for method in methods)

    def function_arn(self, function_name: str) -> str:
        """The ARN Lambda knows the function by in this account and region."""
        return function_arn(self.region, self.account_id, function_name)


def function_arn(region: str, account_id: str, function_name: str) -> str:
    """A Lambda function's ARN."""
    return f"arn:aws:lambda:{region}:{account_id}:function:{function_name}"


def lambda_integration_uri(region: str, account_id: str, function_name: str) -> str:
    """The integration URI API Gateway stores for a Lambda (AWS_PROXY or AWS) integration."""
    return (
        f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/"
        f"{function_arn(region, account_id, function_name)}/invocations"
    )


def stable_id(seed: str, length: int) -> str:
    """A lower-case alphanumeric id derived from `seed`: the same API gets the same ids."""
    number = int.from_bytes(hashlib.blake2b(seed.encode(), digest_size=12).digest(), "big")
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = []
    for _ in range(length):
        number, rest = divmod(number, 36)
        out.append(digits[rest])
    return "".join(out)


def check_resource_tree(resources: Iterable[Resource]) -> None:
    """Raise `ApiDefinitionError` for a tree AWS would refuse to create."""
    variable_child: dict[str, str] = {}  # parent path -> its one variable path part
    paths = {resource.path for resource in resources}
    for resource in resources:
        check_resource_path(resource.path, where=f"resource {resource.path!r}")
        for verb in resource.methods:
            check_method(verb, where=f"resource {resource.path!r}")
    for path in sorted(paths):
        if path == "/":
            continue
        parent, part = path.rsplit("/", 1)
        parent = parent or "/"
        if parent.endswith("+}"):
            raise ApiDefinitionError(
                f"resource {path!r}: cannot create a child of a resource with a greedy path "
                f"variable ({parent.rsplit('/', 1)[1]})",
                hint="a {proxy+} part must be the last part of a resource path",
            )
        if part.startswith("{"):
            other = variable_child.setdefault(parent, part)
            if other != part:
                raise ApiDefinitionError(
                    f"resource {path!r}: a sibling ({other}) already has a variable path part "
                    "-- only one is allowed",
                    hint=f"use the same variable name under {parent!r} everywhere",
                )


def check_method(verb: str, *, where: str) -> None:
    """Raise `ApiDefinitionError` unless `verb` is a method API Gateway accepts."""
    if verb not in HTTP_METHODS:
        raise ApiDefinitionError(
            f"{where}: {verb!r} is not a method API Gateway accepts",
            hint=f"use one of {', '.join(HTTP_METHODS)}",
        )


def check_resource_path(path: str, *, where: str) -> None:
    """Raise `ApiDefinitionError` unless `path` is a resource path AWS accepts."""
    if path == "/":
        return
    if not path.startswith("/") or path.endswith("/"):
        raise ApiDefinitionError(
            f"{where}: a resource path starts with '/' and has no trailing '/'",
            hint="for example /products/{productId}",
        )
    names: set[str] = set()
    parts = path[1:].split("/")
    for index, part in enumerate(parts):
        if not _PATH_PART.fullmatch(part):
            raise ApiDefinitionError(
                f"{where}: path part {part!r} is not allowed; AWS allows a-zA-Z0-9._- and "
                "curly braces at the beginning and the end, with an optional + before '}'",
                hint="for example /products/{productId} or /{proxy+}",
            )
        if part.endswith("+}") and index != len(parts) - 1:
            raise ApiDefinitionError(
                f"{where}: {part} is greedy and must be the last part of the path",
                hint="a {proxy+} resource cannot have children",
            )
        if part.startswith("{"):
            name = part.strip("{}+")
            # Our choice: AWS's docs are silent, but pathParameters could hold only one of them.
            if name in names:
                raise ApiDefinitionError(f"{where}: variable {{{name}}} appears twice")
            names.add(name)


_RESPONSE_HEADER = re.compile(r"method\.response\.header\.[!#$%&'*+.^_`|~0-9A-Za-z-]+")
CUSTOM_TYPES: Final = ("AWS", "HTTP", "MOCK")  # the types whose responses API Gateway maps


def check_method_responses(
    responses: Mapping[str, Mapping[str, bool]], integration: Integration, *, where: str
) -> None:
    """Raise `ApiDefinitionError` where AWS refuses these method responses with `integration`.

    As `put_integration_response` does (400 "Invalid mapping expression specified"): each
    `responseParameters` target must be declared by the method response of the same status.
    An integration response without a method response, mapping no header, is accepted and
    fails only when selected (`integrations/custom.check_method_response`).
    """
    for status, headers in responses.items():
        for name in headers:
            if not _RESPONSE_HEADER.fullmatch(name):
                raise ApiDefinitionError(
                    f"{where}: method response {status}: {name!r} is not a response header; "
                    "AWS refuses it: Invalid mapping expression specified",
                    hint='declare headers as "method.response.header.<Name>": true',
                )
    if integration.type not in CUSTOM_TYPES:
        return
    for response in integration.integration_responses:
        status = str(response.get("statusCode"))
        targets = response.get("responseParameters") or {}
        if not targets:
            continue
        declared = responses.get(status)
        if declared is None:
            raise ApiDefinitionError(
                f"{where}: integration response {status} maps response parameters, but the "
                f"method has no {status} method response; AWS refuses it: Invalid mapping "
                "expression specified: No method response exists for method.",
                hint=f'add {{"statusCode": "{status}"}} to the route\'s methodResponses',
            )
        for target in targets:
            if target not in declared:
                raise ApiDefinitionError(
                    f"{where}: integration response {status} maps {target}, which the {status} "
                    "method response does not declare; AWS refuses it: Invalid mapping "
                    f"expression specified: Invalid mapping expression parameter specified: "
                    f"{target}",
                    hint=f'declare it in the {status} method response: "{target}": true',
                )


def build_api(
    routes: Iterable[tuple[str, str, Integration]],
    *,
    name: str = "api",
    api_id: str | None = None,
    method_responses: Mapping[tuple[str, str], Mapping[str, Mapping[str, bool]]] | None = None,
    **settings: Any,
) -> ApiDefinition:
    """An `ApiDefinition` from (resource path, method, integration) triples, and further
    `ApiDefinition` fields in `settings`; `method_responses` are by (path, method).

    Like the API Gateway console, it creates the root `/` and every ancestor resource a path
    needs (they exist on AWS too, without methods), and fills in Lambda integration URIs.
    """
    declared = method_responses or {}
    api_id = api_id or stable_id(name, 10)
    methods: dict[str, dict[str, Method]] = {"/": {}}
    region = settings.get("region", "us-east-1")
    account_id = settings.get("account_id", "123456789012")
    for path, verb, integration in routes:
        check_resource_path(path, where=f"resource {path!r}")
        check_method(verb, where=f"resource {path!r}")
        prefix = ""
        for part in path.strip("/").split("/") if path != "/" else []:
            prefix = f"{prefix}/{part}"
            methods.setdefault(prefix, {})
        if verb in methods[path]:
            raise ApiDefinitionError(f"resource {path!r}: method {verb} is defined twice")
        if integration.function_name and not integration.uri:
            uri = lambda_integration_uri(region, account_id, integration.function_name)
            integration = replace(integration, uri=uri)
        responses = declared.get((path, verb))
        if responses is not None:
            check_method_responses(responses, integration, where=f"resource {path!r} {verb}")
        methods[path][verb] = Method(
            http_method=verb, integration=integration, method_responses=responses
        )
    resources = tuple(
        Resource(id=stable_id(f"{api_id}{path}", 6), path=path, methods=verbs)
        for path, verbs in sorted(methods.items())
    )
    settings.setdefault("deployment_id", stable_id(f"{api_id}-deployment", 6))
    return ApiDefinition(api_id=api_id, name=name, resources=resources, **settings)


def single_route(
    function_name: str,
    resource: str = "/{proxy+}",
    methods: Iterable[str] = ("ANY",),
    *,
    timeout_s: float = DEFAULT_FUNCTION_TIMEOUT_S,
    handler: str | None = None,
    **settings: Any,
) -> ApiDefinition:
    """An API whose `resource` sends `methods` to one Lambda function through AWS_PROXY.

    What `course invoke HANDLER` and notebooks use when no API definition is given.
    """
    integration = Integration(function_name=function_name, timeout_s=timeout_s)
    functions = {function_name: FunctionConfig(function_name, handler or function_name, timeout_s)}
    return build_api(
        [(resource, verb.upper(), integration) for verb in methods],
        name=settings.pop("name", function_name),
        functions=functions,
        **settings,
    )
