"""CloudFormation's intrinsic functions, resolved to the values they have on this machine.

`Ref` to a parameter is its value; to a function, table or API, the name or id it has here
(`LocalNames`); `Fn::GetAtt` gives the ARNs those would have in the sandbox's account and
region. `Fn::Sub`, `Fn::Join`, `Fn::If` (with the template's Conditions), `Fn::Select`,
`Fn::Split`, `Fn::FindInMap`, `Fn::Base64` and `Fn::GetAZs` are computed. What has no local
value (`Fn::ImportValue`, an unknown attribute) raises `Unresolvable` naming it.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

NO_VALUE: Final = object()  # `Ref: AWS::NoValue`: the property is left out
_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


class Unresolvable(Exception):
    """An intrinsic with no local value; the message says which."""


@dataclass(frozen=True)
class LocalNames:
    """What a resource's `Ref` and `Fn::GetAtt` mean here, by logical id."""

    refs: Mapping[str, str] = field(default_factory=dict)
    attributes: Mapping[tuple[str, str], str] = field(default_factory=dict)


class Intrinsics:
    """Resolves intrinsics in a template's values (parameters, pseudo parameters, resources)."""

    def __init__(
        self,
        parameters: Mapping[str, Any],
        names: LocalNames,
        *,
        region: str,
        account_id: str,
        stack_name: str,
        conditions: Mapping[str, Any] | None = None,
        mappings: Mapping[str, Any] | None = None,
    ) -> None:
        self._values: dict[str, Any] = {
            "AWS::Region": region,
            "AWS::AccountId": account_id,
            "AWS::StackName": stack_name,
            "AWS::StackId": (
                f"arn:aws:cloudformation:{region}:{account_id}:stack/{stack_name}/local"
            ),
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NotificationARNs": [],
            **parameters,
            **names.refs,
        }
        self._names = names
        self._region = region
        self._conditions = dict(conditions or {})
        self._decided: dict[str, bool] = {}
        self._mappings = dict(mappings or {})

    def resolve(self, value: Any) -> Any:
        """`value` with every intrinsic in it computed; `Unresolvable` for one with no local
        value. A property resolving to `AWS::NoValue` is left out of its mapping or list."""
        if isinstance(value, list):
            items = [self.resolve(item) for item in value]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, Mapping):
            return value
        if len(value) == 1:
            (key, argument), *_ = value.items()
            if key == "Ref" or key.startswith("Fn::") or key == "Condition":
                return self._function(key, argument)
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not NO_VALUE}

    def condition(self, name: str) -> bool:
        """Whether the template's condition `name` holds here."""
        if name not in self._decided:
            if name not in self._conditions:
                raise Unresolvable(f"condition {name} is not defined")
            self._decided[name] = bool(self.resolve(self._conditions[name]))
        return self._decided[name]

    def _function(self, key: str, argument: Any) -> Any:
        if key == "Ref":
            if argument == "AWS::NoValue":
                return NO_VALUE
            if argument not in self._values:
                raise Unresolvable(f"Ref {argument} names nothing in the template")
            return self._values[argument]
        if key == "Condition":
            return self.condition(str(argument))
        handler = getattr(self, "_fn_" + key.removeprefix("Fn::").lower(), None)
        if handler is None:
            raise Unresolvable(f"{key} has no local value")
        return handler(argument)

    def _fn_getatt(self, argument: Any) -> Any:
        parts = argument.split(".", 1) if isinstance(argument, str) else list(argument)
        if len(parts) != 2:
            raise Unresolvable(f"Fn::GetAtt {argument!r} is not [LogicalId, Attribute]")
        logical_id, attribute = str(parts[0]), str(self.resolve(parts[1]))
        found = self._names.attributes.get((logical_id, attribute))
        if found is None:
            raise Unresolvable(f"Fn::GetAtt {logical_id}.{attribute} has no local value")
        return found

    def _fn_sub(self, argument: Any) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        local = {name: self.resolve(value) for name, value in (variables or {}).items()}

        def value_of(match: re.Match[str]) -> str:
            name = match[1].strip()
            if name in local:
                return str(local[name])
            if "." in name and not name.startswith("AWS::"):
                return str(self._fn_getatt(name))
            return str(self._function("Ref", name))

        # `${!Literal}` is written out as `${Literal}`.
        return _SUB_VARIABLE.sub(value_of, str(text)).replace("${!", "${")

    def _fn_join(self, argument: Any) -> str:
        delimiter, items = argument
        return str(delimiter).join(str(item) for item in self.resolve(items))

    def _fn_if(self, argument: Any) -> Any:
        name, when_true, when_false = argument
        return self.resolve(when_true if self.condition(str(name)) else when_false)

    def _fn_equals(self, argument: Any) -> bool:
        left, right = (self.resolve(item) for item in argument)
        return str(left) == str(right)

    def _fn_and(self, argument: Any) -> bool:
        return all(self.resolve(item) for item in argument)

    def _fn_or(self, argument: Any) -> bool:
        return any(self.resolve(item) for item in argument)

    def _fn_not(self, argument: Any) -> bool:
        return not self.resolve(argument[0])

    def _fn_select(self, argument: Any) -> Any:
        index, items = argument
        items = self.resolve(items)
        try:
            return items[int(self.resolve(index))]
        except (IndexError, ValueError, TypeError):
            raise Unresolvable(f"Fn::Select {index} is outside its list") from None

    def _fn_split(self, argument: Any) -> list[str]:
        delimiter, text = argument
        return str(self.resolve(text)).split(str(delimiter))

    def _fn_findinmap(self, argument: Any) -> Any:
        name, top, second = (str(self.resolve(item)) for item in argument[:3])
        try:
            return self._mappings[name][top][second]
        except (KeyError, TypeError):
            raise Unresolvable(
                f"Fn::FindInMap [{name}, {top}, {second}] is not in Mappings"
            ) from None

    def _fn_base64(self, argument: Any) -> str:
        return base64.b64encode(str(self.resolve(argument)).encode()).decode()

    def _fn_getazs(self, argument: Any) -> list[str]:
        return [f"{self._region}{letter}" for letter in "abc"]
