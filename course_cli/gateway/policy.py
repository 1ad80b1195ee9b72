"""What a Lambda authorizer returns, read as API Gateway reads it: the policy and its verdict.

A REST API's Lambda authorizer answers with `principalId`, a `policyDocument` and an optional
`context` map (AWS, "Output from an API Gateway Lambda authorizer"). API Gateway evaluates the
policy against the request's method ARN:

- a statement applies when its `Action` matches `execute-api:Invoke` and one of its
  `Resource` patterns matches the method ARN; `*` matches any run of characters (`/` and `:`
  too: `arn:aws:execute-api:*` is a working policy, recorded in CodeGenieApp/serverless-express
  #551) and `?` any one character, case-sensitively, as IAM matches resources;
- an applying `Deny` wins over any `Allow` (403 "... with an explicit deny"); no applying
  `Allow` is an implicit deny (403 "User is not authorized to access this resource") - the
  403 bodies are AWS's, recorded (loige.co, "Debugging custom ApiGateway authorizers", 2023)
  and in AWS's knowledge-center article on 403s from Lambda authorizers.

An answer that is not an object with a `policyDocument` holding statements is AWS's 500
"Could not parse policy" (recorded: ExpanseLLC/lambda_authorizer #1, serverless/examples
#305). `context` values must be strings, numbers or booleans: an object or an array makes the
request fail with a configuration error once the integration request is built (dev.to,
dborgenvik, "The context property of AWS Lambda authorizer": "Invalid JSON in response: Can not
deserialize instance of java.lang.String out of START_ARRAY token"; gist djm/15cf09b6...). What
reaches the integration is stringified (AWS's output page: "The returned values are all
stringified"), `true` as `"true"`.

Our choices, unverified: an `Effect` other than exactly `Allow` or `Deny` cannot be parsed; a
statement with `NotAction` or `NotResource` is not understood and so cannot be parsed either; a
`null` context value passes as null.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any, Final

INVOKE_ACTION: Final = "execute-api:Invoke"


class PolicyError(ValueError):
    """An authorizer answer API Gateway cannot use: its log line and a plain-words reason."""

    def __init__(self, log_reason: str, explanation: str) -> None:
        super().__init__(explanation)
        self.log_reason = log_reason
        self.explanation = explanation


@dataclass(frozen=True, slots=True)
class Statement:
    """One policy statement: its effect, the actions and resources it names."""

    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]

    def applies_to(self, method_arn: str) -> bool:
        """Whether this statement covers invoking `method_arn`."""
        return any(
            matches(action, INVOKE_ACTION, fold_case=True) for action in self.actions
        ) and any(matches(resource, method_arn) for resource in self.resources)


@dataclass(frozen=True, slots=True)
class AuthorizerAnswer:
    """A parsed authorizer answer: who, the policy, the context (values as returned)."""

    principal_id: str | None
    statements: tuple[Statement, ...]
    context: Mapping[str, Any] = field(default_factory=dict)


class Verdict(StrEnum):
    """What a policy says about one method ARN."""

    ALLOW = "allow"
    EXPLICIT_DENY = "explicit_deny"
    IMPLICIT_DENY = "implicit_deny"


def evaluate(statements: Sequence[Statement], method_arn: str) -> Verdict:
    """Deny wins; then Allow; nothing that applies is an implicit deny."""
    applying = [s for s in statements if s.applies_to(method_arn)]
    if any(s.effect == "Deny" for s in applying):
        return Verdict.EXPLICIT_DENY
    if any(s.effect == "Allow" for s in applying):
        return Verdict.ALLOW
    return Verdict.IMPLICIT_DENY


def matches(pattern: str, value: str, *, fold_case: bool = False) -> bool:
    """IAM's wildcard match of a whole `value`: `*` any run of characters, `?` any one."""
    return _compiled(pattern, fold_case).fullmatch(value) is not None


@lru_cache(maxsize=512)
def _compiled(pattern: str, fold_case: bool) -> re.Pattern[str]:
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if fold_case else 0))


_PARSE = "Could not parse policy"


def parse_answer(value: Any) -> AuthorizerAnswer:
    """Read an authorizer's return value (already JSON-decoded); `PolicyError` if unusable."""
    if not isinstance(value, dict):
        raise PolicyError(
            _PARSE,
            f"The authorizer returned {_kind(value)}, not an object with principalId and "
            "policyDocument, so API Gateway could not parse a policy.",
        )
    document = value.get("policyDocument")
    if not isinstance(document, dict):
        keys = ", ".join(sorted(map(str, value))) or "no keys"
        raise PolicyError(
            _PARSE,
            f"The authorizer's answer has no policyDocument object (it has {keys}). A REST "
            "authorizer returns an IAM policy, never an HTTP response: to refuse a caller, "
            "return a Deny policy or raise Exception('Unauthorized').",
        )
    raw = document.get("Statement")
    items = [raw] if isinstance(raw, dict) else raw
    if not isinstance(items, list) or not items:
        raise PolicyError(
            _PARSE, "The policyDocument has no Statement list, so there is nothing to evaluate."
        )
    statements = tuple(_statement(item, index) for index, item in enumerate(items))
    principal = value.get("principalId")
    context = value.get("context")
    if context is not None and not isinstance(context, dict):
        raise PolicyError(
            _PARSE, f"The authorizer's context is {_kind(context)}; it must be an object."
        )
    return AuthorizerAnswer(
        None if principal is None else str(principal), statements, dict(context or {})
    )


def _statement(item: Any, index: int) -> Statement:
    where = f"Statement[{index}]"
    if not isinstance(item, dict):
        raise PolicyError(_PARSE, f"{where} is {_kind(item)}, not an object.")
    if "NotAction" in item or "NotResource" in item:
        raise PolicyError(
            _PARSE, f"{where} uses NotAction or NotResource, which course does not evaluate."
        )
    effect = item.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise PolicyError(_PARSE, f'{where}.Effect is {effect!r}; it must be "Allow" or "Deny".')
    actions = _strings(item.get("Action"), f"{where}.Action")
    resources = _strings(item.get("Resource"), f"{where}.Resource")
    return Statement(effect, actions, resources)


def _strings(value: Any, where: str) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(v, str) for v in items):
        raise PolicyError(_PARSE, f"{where} must be a string or a list of strings.")
    return tuple(items)


def context_values(context: Mapping[str, Any]) -> dict[str, Any]:
    """The context as the integration sees it: every value stringified; an object or array
    raises `PolicyError` with the log line AWS writes for it."""
    out: dict[str, Any] = {}
    for key, value in context.items():
        if isinstance(value, dict | list):
            token = "START_OBJECT" if isinstance(value, dict) else "START_ARRAY"
            raise PolicyError(
                "Invalid JSON in response: Can not deserialize instance of java.lang.String "
                f"out of {token} token",
                f"The authorizer's context.{key} is {_kind(value)}. Context values may only be "
                "strings, numbers or booleans; API Gateway fails the request with 500 when it "
                "builds the integration request. Put json.dumps(...) of it in the context "
                "instead.",
            )
        out[str(key)] = stringified(value)
    return out


def stringified(value: Any) -> Any:
    """A context value as API Gateway hands it on: text, `true`/`false`, numbers as written."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _kind(value: Any) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string"}
    names |= {list: "an array", dict: "an object", type(None): "null"}
    return names.get(type(value), type(value).__name__)
