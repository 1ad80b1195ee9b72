"""A SAM template read from disk: YAML or JSON, CloudFormation's short tags, its parameters.

`read_template` turns `!Ref X` into `{"Ref": "X"}` (and every other `!Fn` into `{"Fn::Fn":
...}`), as CloudFormation does before it looks at a template. `parameter_values` gives each
parameter its value: an override (`--parameter-overrides`, `--env-vars`' "Parameters"), else
its Default; one without either makes the template unusable, as on AWS.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import yaml  # type: ignore[import-untyped]

from course_cli.errors import UsageError

SAM_TRANSFORM: Final = "AWS::Serverless-2016-10-31"
# Short tags whose long form is the bare name, not `Fn::Name`.
_BARE_TAGS: Final = {"Ref": "Ref", "Condition": "Condition"}
_PARAMETER_PAIR = re.compile(r"(?:ParameterKey=)?([A-Za-z0-9]+)(?:,ParameterValue)?=(.*)", re.S)


class TemplateError(UsageError):
    """A template that cannot be served: unreadable, not SAM, or refused by SAM's translator."""


class _TemplateLoader(yaml.SafeLoader):  # type: ignore[misc]
    """PyYAML's safe loader taught CloudFormation's short tags."""


def _short_tag(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = _BARE_TAGS.get(tag_suffix, f"Fn::{tag_suffix}")
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if tag_suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)  # `!GetAtt Table.Arn` is `[Table, Arn]`
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_TemplateLoader.add_multi_constructor("!", _short_tag)
# CloudFormation reads `2010-09-09` and `on` as strings; YAML 1.1 would make a date, a bool.
_TemplateLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_template(text: str, *, source: str = "template") -> dict[str, Any]:
    """The template in `text` (YAML or JSON); `TemplateError` unless it is a SAM template."""
    try:
        document = yaml.load(text, Loader=_TemplateLoader)  # a safe loader, with tags
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(error, "problem", None) or "not YAML or JSON"
        raise TemplateError(f"{source}{where}: {problem}") from None
    if not isinstance(document, dict) or not isinstance(document.get("Resources"), dict):
        raise TemplateError(
            f"{source}: no 'Resources' section; not a SAM or CloudFormation template",
            hint="a SAM template has Transform: AWS::Serverless-2016-10-31 and Resources",
        )
    transforms = document.get("Transform")
    names = transforms if isinstance(transforms, list) else [transforms]
    if SAM_TRANSFORM not in names:
        raise TemplateError(
            f"{source}: not a SAM template (no 'Transform: {SAM_TRANSFORM}')",
            hint="add that line at the top, as `sam init` does",
        )
    return document


def read_template(path: Path) -> dict[str, Any]:
    """The SAM template at `path`; `TemplateError` (exit 2) for anything wrong with it."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise TemplateError(f"cannot read template {path}: {reason}") from None
    return parse_template(text, source=path.name)


def parse_parameter_overrides(text: str) -> dict[str, str]:
    """`Key=Value Other=x` or `ParameterKey=Key,ParameterValue=Value`, as SAM CLI takes them."""
    values: dict[str, str] = {}
    try:
        words = shlex.split(text)
    except ValueError as error:
        raise TemplateError(f"--parameter-overrides: {error}") from None
    for word in words:
        match = _PARAMETER_PAIR.fullmatch(word)
        if match is None:
            raise TemplateError(
                f"--parameter-overrides: {word!r} is not Key=Value",
                hint="for example --parameter-overrides 'Stage=dev TableName=products'",
            )
        values[match[1]] = match[2]
    return values


def parameter_values(
    template: Mapping[str, Any], overrides: Mapping[str, Any], *, source: str = "template"
) -> dict[str, Any]:
    """Every declared parameter's value: the override, else its Default.

    `TemplateError` for a parameter with neither, or a value outside its AllowedValues.
    Overrides for parameters the template does not declare are left out, as SAM does.
    """
    declared = template.get("Parameters") or {}
    values: dict[str, Any] = {}
    for name, spec in declared.items():
        spec = spec if isinstance(spec, Mapping) else {}
        if name in overrides:
            value = overrides[name]
        elif "Default" in spec:
            value = spec["Default"]
        else:
            raise TemplateError(
                f"{source}: parameter {name} has no Default and no value was given",
                hint=f"add --parameter-overrides {name}=VALUE",
            )
        if str(spec.get("Type", "String")).startswith("List<") or spec.get("Type") == (
            "CommaDelimitedList"
        ):
            value = value if isinstance(value, list) else str(value).split(",")
        elif not isinstance(value, str):
            value = str(value)
        allowed = spec.get("AllowedValues")
        if allowed and isinstance(value, str) and value not in [str(a) for a in allowed]:
            raise TemplateError(
                f"{source}: parameter {name} is {value!r}, not one of its AllowedValues "
                f"({', '.join(str(a) for a in allowed)})"
            )
        values[name] = value
    return values
