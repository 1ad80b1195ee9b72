"""The resources of an expanded template, as they exist here: names, ARNs, tables, leftovers.

`local_names` says what each resource's `Ref` and `Fn::GetAtt` are on this machine (the
function names, table names and API ids `course` uses); `table_specs` gives each DynamoDB
table the `create_table` arguments for the sandbox; `unserved_resources` names every resource
that nothing here stands in for, one warning line each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from course_cli.gateway.definition import function_arn, stable_id
from course_cli.sam.intrinsics import Intrinsics, LocalNames, Unresolvable

FUNCTION: Final = "AWS::Lambda::Function"
TABLE: Final = "AWS::DynamoDB::Table"
REST_API: Final = "AWS::ApiGateway::RestApi"
HTTP_API: Final = "AWS::ApiGatewayV2::Api"
REST_STAGE: Final = "AWS::ApiGateway::Stage"
# Plumbing the translator writes that has nothing to do locally: roles, permissions, the
# deployment and stage records (their stage names are read), versions and aliases.
_PLUMBING: Final = frozenset(
    {
        "AWS::IAM::Role",
        "AWS::IAM::Policy",
        "AWS::IAM::ManagedPolicy",
        "AWS::Lambda::Permission",
        "AWS::Lambda::Version",
        "AWS::Lambda::Alias",
        "AWS::ApiGateway::Deployment",
        REST_STAGE,
        "AWS::ApiGatewayV2::Stage",
        "AWS::Logs::LogGroup",
        "AWS::ApiGateway::UsagePlan",
        "AWS::ApiGateway::UsagePlanKey",
    }
)
API_KEY: Final = "AWS::ApiGateway::ApiKey"
_SERVED: Final = frozenset({FUNCTION, TABLE, REST_API, HTTP_API, API_KEY})
# The `create_table` arguments whose CloudFormation property has the API's own shape.
_TABLE_KEYS: Final = (
    "AttributeDefinitions",
    "KeySchema",
    "BillingMode",
    "ProvisionedThroughput",
    "GlobalSecondaryIndexes",
    "LocalSecondaryIndexes",
)


@dataclass(frozen=True)
class SamTable:
    """A DynamoDB table the template declares, as the sandbox creates it."""

    logical_id: str
    name: str
    create_arguments: Mapping[str, Any]


def api_id_for(logical_id: str) -> str:
    """The id an API of the template gets here: the same every time it is served."""
    return stable_id(f"sam:{logical_id}", 10)


def function_name_of(logical_id: str, resource: Mapping[str, Any], intrinsics: Intrinsics) -> str:
    """A function's `FunctionName`, else its logical id (CloudFormation would add a suffix)."""
    name = (resource.get("Properties") or {}).get("FunctionName")
    try:
        resolved = intrinsics.resolve(name) if name is not None else None
    except Unresolvable:
        resolved = None
    return str(resolved) if isinstance(resolved, str) and resolved else logical_id


def local_names(
    resources: Mapping[str, Mapping[str, Any]],
    base: Intrinsics,
    *,
    region: str,
    account_id: str,
    local_url: str | None,
) -> LocalNames:
    """What `Ref` and `Fn::GetAtt` give for each resource here. `base` resolves the names
    a resource is given from parameters (`FunctionName: !Sub ${Stage}-products`)."""
    refs: dict[str, str] = {}
    attributes: dict[tuple[str, str], str] = {}
    for logical_id, resource in resources.items():
        kind = resource.get("Type")
        properties = resource.get("Properties") or {}
        if kind == FUNCTION:
            name = function_name_of(logical_id, resource, base)
            refs[logical_id] = name
            attributes[(logical_id, "Arn")] = function_arn(region, account_id, name)
        elif kind == TABLE:
            name = _given_name(properties.get("TableName"), base) or logical_id
            refs[logical_id] = name
            arn = f"arn:aws:dynamodb:{region}:{account_id}:table/{name}"
            attributes[(logical_id, "Arn")] = arn
            attributes[(logical_id, "StreamArn")] = f"{arn}/stream/local"
        elif kind in (REST_API, HTTP_API):
            api_id = refs[logical_id] = api_id_for(logical_id)
            attributes[(logical_id, "RootResourceId")] = stable_id(f"{api_id}/", 6)
            attributes[(logical_id, "ApiEndpoint")] = (
                local_url or f"https://{api_id}.execute-api.{region}.amazonaws.com"
            )
        elif kind == REST_STAGE:
            refs[logical_id] = str(properties.get("StageName", logical_id))
        else:
            refs[logical_id] = logical_id
            # Not created here; an ARN of its shape lets what names it (an authorizer's
            # user pool, an event's queue) still be read, and warned about.
            service = str(kind).split("::")[1].lower() if str(kind).count("::") == 2 else "x"
            attributes[(logical_id, "Arn")] = (
                f"arn:aws:iam::{account_id}:role/{logical_id}"
                if kind == "AWS::IAM::Role"
                else f"arn:aws:{service}:{region}:{account_id}:{logical_id}"
            )
    return LocalNames(refs, attributes)


def _given_name(value: Any, intrinsics: Intrinsics) -> str | None:
    try:
        resolved = intrinsics.resolve(value) if value is not None else None
    except Unresolvable:
        return None
    return resolved if isinstance(resolved, str) and resolved else None


def table_specs(
    resources: Mapping[str, Mapping[str, Any]], intrinsics: Intrinsics, warnings: list[str]
) -> list[SamTable]:
    """The template's DynamoDB tables, each with the arguments `create_table` takes."""
    tables = []
    for logical_id, resource in resources.items():
        if resource.get("Type") != TABLE:
            continue
        try:
            properties = intrinsics.resolve(resource.get("Properties") or {})
        except Unresolvable as error:
            warnings.append(f"table {logical_id}: {error}; not created")
            continue
        arguments = {key: properties[key] for key in _TABLE_KEYS if key in properties}
        if "ProvisionedThroughput" not in arguments:
            arguments.setdefault("BillingMode", "PAY_PER_REQUEST")
        stream = properties.get("StreamSpecification")
        if isinstance(stream, Mapping) and "StreamViewType" in stream:
            arguments["StreamSpecification"] = {
                "StreamEnabled": True,
                "StreamViewType": stream["StreamViewType"],
            }
        name = intrinsics.resolve({"Ref": logical_id})
        tables.append(SamTable(logical_id, str(name), {"TableName": str(name), **arguments}))
    return tables


def unserved_resources(resources: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """One line for each resource nothing here stands in for (a queue, a user pool...)."""
    lines = []
    for logical_id, resource in resources.items():
        kind = str(resource.get("Type"))
        if kind in _SERVED or kind in _PLUMBING:
            continue
        lines.append(f"resource {logical_id} ({kind}) is not created here")
    return lines


def api_key_values(
    resources: Mapping[str, Mapping[str, Any]], intrinsics: Intrinsics, warnings: list[str]
) -> frozenset[str]:
    """The enabled API keys whose `Value` the template gives; a key AWS would generate
    has no value here, and is named in a warning."""
    values = set()
    for logical_id, resource in resources.items():
        if resource.get("Type") != API_KEY:
            continue
        try:
            properties = intrinsics.resolve(resource.get("Properties") or {})
        except Unresolvable as error:
            warnings.append(f"API key {logical_id}: {error}; not accepted")
            continue
        if properties.get("Enabled") in (False, "false"):
            continue
        value = properties.get("Value")
        if isinstance(value, str) and value:
            values.add(value)
        else:
            warnings.append(
                f"API key {logical_id} has no Value (AWS would generate one); "
                "give a key of your own with --api-key"
            )
    return frozenset(values)
