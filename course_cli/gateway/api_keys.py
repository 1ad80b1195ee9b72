"""API keys on a REST API: a method with `apiKeyRequired` lets a request through only with
one of the API's keys in its `x-api-key` header, else 403 `{"message":"Forbidden"}`
(gateway response INVALID_API_KEY).

The check runs after the method's Lambda authorizer, as on AWS: the key is checked against
the usage plans when the request is throttled, which follows authorization (an API whose key
source is AUTHORIZER even takes the key from the authorizer's answer, so the authorizer must
run first). A request let through with a key shows it in the proxy event's
`requestContext.identity.apiKey` and `apiKeyId`, and in `$context.identity.*`.

Here an API's keys are `ApiDefinition.api_keys`, from `--api-key`, a route table's
`apiKeys` or the sandbox (enabled keys in a usage plan of the stage); quotas and throttling
are not emulated.
HTTP APIs have no API keys.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Final

from course_cli.gateway.definition import ApiDefinition, Resource, stable_id
from course_cli.gateway.errors import ApiDefinitionError, InvalidApiKey

if TYPE_CHECKING:
    from course_cli.gateway.context import Invocation

API_KEY_HEADER: Final = "x-api-key"
# AWS: an API key's value is 20 to 128 characters (CreateApiKey); shorter ones are allowed
# here, for a lesson's `--api-key secret`.
MAX_KEY_CHARS: Final = 128


def check_api_key(invocation: Invocation) -> None:
    """The API-key stage: raise `InvalidApiKey` when the matched method requires a key and the
    request brings none of the API's; else note the key in the request context."""
    match, definition = invocation.match, invocation.definition
    if match is None or not match.method.api_key_required or definition.http_api:
        return
    key = invocation.request.headers.get(API_KEY_HEADER)
    method = f"'{invocation.request.method} {match.resource.path}'"
    api_stage = f"{definition.api_id}/{definition.stage}"
    if not key or key not in definition.api_keys:
        raise InvalidApiKey(
            _refusal(key, method, definition), [_refusal_log(key, method, api_stage)]
        )
    shown = mask_key(key)
    invocation.note(
        f"Verifying Usage Plan for request: {invocation.request_id}. API Key: {shown} API "
        f"Stage: {api_stage}",
        f"Usage Plan check succeeded for API Key {shown} and API Stage {api_stage}",
    )
    context = invocation.request_context
    if context is not None:
        context["identity"] = with_key(context["identity"], key, api_key_id(definition, key))


def api_key_id(definition: ApiDefinition, key: str) -> str:
    """The id AWS would know `key` by: the sandbox's, else one derived from the value."""
    return definition.api_key_ids.get(key) or stable_id(f"apikey:{key}", 10)


def mask_key(key: str) -> str:
    """A key as the execution log shows it: stars, then its last four characters."""
    keep = min(4, len(key) // 2)
    return "*" * (len(key) - keep) + key[len(key) - keep :]


def with_key(identity: dict[str, Any], key: str, key_id: str) -> dict[str, Any]:
    """`requestContext.identity` with `apiKey` and `apiKeyId`, keys kept in alphabetical
    order as the rest of ours are."""
    return dict(sorted({**identity, "apiKey": key, "apiKeyId": key_id}.items()))


def _refusal(key: str | None, method: str, definition: ApiDefinition) -> str:
    if not definition.api_keys:
        why = "the API has no API keys at all, so no request can call it"
    elif not key:
        why = f"the request has no {API_KEY_HEADER} header"
    else:
        why = (
            f"its {API_KEY_HEADER} header, {mask_key(key)}, is not one of the API's keys (an "
            "enabled key in a usage plan of this stage)"
        )
    return (
        f"The method {method} requires an API key (apiKeyRequired) and {why}, so API Gateway "
        f'answered 403 {{"message":"Forbidden"}} without calling the integration. Send one of '
        f"the API's keys: curl -H '{API_KEY_HEADER}: KEY' …"
    )


def _refusal_log(key: str | None, method: str, api_stage: str) -> str:
    # Recorded on AWS for a key in no usage plan of the stage (tests/gateway/cases/api_keys.json).
    shown = mask_key(key) if key else ""
    return (
        f"API Key {shown} not authorized because method {method} requires API Key and API Key "
        f"is not associated with a Usage Plan for API Stage {api_stage}: No Usage Plan found for "
        "key and API Stage"
    )


def check_api_key_values(keys: Iterable[Any], where: str) -> frozenset[str]:
    """API key values as given by a user; `ApiDefinitionError` for one AWS would refuse."""
    checked = []
    for index, key in enumerate(keys):
        at = f"{where}[{index}]"
        if not isinstance(key, str) or not key:
            raise ApiDefinitionError(f"{at}: an API key is a non-empty string")
        if len(key) > MAX_KEY_CHARS or not key.isprintable() or " " in key:
            raise ApiDefinitionError(
                f"{at}: an API key is at most {MAX_KEY_CHARS} printable characters, no spaces"
            )
        checked.append(key)
    return frozenset(checked)


def require_api_key(
    definition: ApiDefinition, methods: Collection[tuple[str, str]]
) -> ApiDefinition:
    """`definition` with `api_key_required` set on each (resource path, verb) in `methods`."""
    if not methods:
        return definition
    resources = tuple(
        Resource(
            resource.id,
            resource.path,
            {
                verb: replace(method, api_key_required=True)
                if (resource.path, verb) in methods
                else method
                for verb, method in resource.methods.items()
            },
        )
        for resource in definition.resources
    )
    return replace(definition, resources=resources)
