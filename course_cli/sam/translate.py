"""SAM to CloudFormation, by AWS's own translator (`aws-sam-translator`, what SAM CLI runs).

The translator expects code already uploaded to S3, so each function's local `CodeUri` is
swapped for a placeholder `s3://course-local/<LogicalId>` first and the folder remembered;
a local `DefinitionUri` is read into `DefinitionBody`. The translator is given a region and
an empty managed-policy map, so it never calls AWS (it would look policies up with IAM).
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from course_cli.sam.template import TemplateError

PLACEHOLDER_BUCKET: Final = "course-local"
_FUNCTION: Final = "AWS::Serverless::Function"
_APIS: Final = ("AWS::Serverless::Api", "AWS::Serverless::HttpApi")


@dataclass(frozen=True)
class Expanded:
    """A template as CloudFormation, with what the translation needed to set aside.

    `code_dirs`: each SAM function's local code folder by logical id (None: not local).
    `warnings`: one line per thing read that cannot be served here.
    """

    resources: Mapping[str, Mapping[str, Any]]
    code_dirs: Mapping[str, Path | None]
    conditions: Mapping[str, Any] = field(default_factory=dict)
    mappings: Mapping[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


def expand_template(
    template: Mapping[str, Any],
    base_dir: Path,
    parameters: Mapping[str, Any],
    *,
    region: str,
    account_id: str,
    source: str = "template",
) -> Expanded:
    """The CloudFormation SAM's translator makes of `template` (paths relative to
    `base_dir`); `TemplateError` with the translator's reasons when it refuses it."""
    document = copy.deepcopy(dict(template))
    warnings: list[str] = []
    code_dirs = _set_aside_code(document, base_dir, warnings)
    _inline_definitions(document, base_dir, source)
    values = {**parameters, "AWS::Region": region, "AWS::AccountId": account_id}
    cloudformation = _translate(document, values, region, source)
    return Expanded(
        resources=cloudformation.get("Resources") or {},
        code_dirs=code_dirs,
        conditions=cloudformation.get("Conditions") or {},
        mappings=cloudformation.get("Mappings") or {},
        warnings=tuple(warnings),
    )


def _set_aside_code(
    document: dict[str, Any], base_dir: Path, warnings: list[str]
) -> dict[str, Path | None]:
    """Swap each function's local CodeUri for a placeholder; its folder by logical id."""
    function_globals = (document.get("Globals") or {}).get("Function") or {}
    default_uri = function_globals.pop("CodeUri", None)
    code_dirs: dict[str, Path | None] = {}
    for logical_id, resource in (document.get("Resources") or {}).items():
        if not isinstance(resource, dict) or resource.get("Type") != _FUNCTION:
            continue
        properties = resource.setdefault("Properties", {})
        if not isinstance(properties, dict):
            continue
        if "InlineCode" in properties or properties.get("PackageType") == "Image":
            kind = "InlineCode" if "InlineCode" in properties else "a container image"
            warnings.append(f"function {logical_id}: its code is {kind}, not served here")
            code_dirs[logical_id] = None
            continue
        uri = properties.get("CodeUri", default_uri if default_uri is not None else ".")
        if isinstance(uri, str) and not uri.startswith("s3://"):
            code_dirs[logical_id] = (base_dir / uri).resolve()
            properties["CodeUri"] = f"s3://{PLACEHOLDER_BUCKET}/{logical_id}"
        else:
            warnings.append(
                f"function {logical_id}: CodeUri is in S3, not a local folder; not served here"
            )
            code_dirs[logical_id] = None
            properties["CodeUri"] = uri
    for logical_id, resource in (document.get("Resources") or {}).items():
        properties = resource.get("Properties") if isinstance(resource, dict) else None
        if isinstance(properties, dict) and resource.get("Type") == "AWS::Serverless::LayerVersion":
            uri = properties.get("ContentUri")
            if isinstance(uri, str) and not uri.startswith("s3://"):
                properties["ContentUri"] = f"s3://{PLACEHOLDER_BUCKET}/{logical_id}"
    return code_dirs


def _inline_definitions(document: dict[str, Any], base_dir: Path, source: str) -> None:
    """Read each API's local `DefinitionUri` file into its `DefinitionBody`."""
    for logical_id, resource in (document.get("Resources") or {}).items():
        if not isinstance(resource, dict) or resource.get("Type") not in _APIS:
            continue
        properties = resource.get("Properties") or {}
        uri = properties.get("DefinitionUri")
        if not isinstance(uri, str) or uri.startswith("s3://"):
            continue
        path = base_dir / uri
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise TemplateError(
                f"{source}: {logical_id}'s DefinitionUri {uri}: {error.strerror}"
            ) from None
        import yaml  # type: ignore[import-untyped]

        try:
            body = yaml.safe_load(text)
        except yaml.YAMLError:
            raise TemplateError(
                f"{source}: {logical_id}'s DefinitionUri {uri} is not YAML"
            ) from None
        properties.pop("DefinitionUri")
        properties["DefinitionBody"] = body


class _Region:
    """What the translator asks of a boto3 session: a region name, nothing else."""

    def __init__(self, region: str) -> None:
        self.region_name = region


def _translate(
    document: dict[str, Any], parameters: dict[str, Any], region: str, source: str
) -> dict[str, Any]:
    from samtranslator.model.exceptions import (  # type: ignore[import-untyped]
        ExceptionWithMessage,
        InvalidDocumentException,
    )
    from samtranslator.parser.parser import Parser  # type: ignore[import-untyped]
    from samtranslator.translator.translator import Translator  # type: ignore[import-untyped]

    # Its metrics and feature-toggle notes are for AWS's service, not for the learner.
    logging.getLogger("samtranslator").setLevel(logging.ERROR)
    translator = Translator(None, Parser(), boto_session=_Region(region))
    try:
        result: dict[str, Any] = translator.translate(
            document, parameter_values=parameters, get_managed_policy_map=dict
        )
    except InvalidDocumentException as error:
        reasons = "; ".join(str(cause.message) for cause in error.causes)
        raise TemplateError(f"{source}: SAM refuses it: {reasons}") from None
    except ExceptionWithMessage as error:
        raise TemplateError(f"{source}: SAM refuses it: {error.message}") from None
    return result
