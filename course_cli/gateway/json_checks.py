"""Checks for user-written JSON (route tables): each names the bad key in one line, as an
`ApiDefinitionError`."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from course_cli.gateway.errors import ApiDefinitionError


def status_code(value: Any, where: str) -> str:
    """`value` as a status code string (`200`), else an error naming `where`.statusCode."""
    status = str(value)
    if not re.fullmatch(r"[1-5]\d\d", status):
        raise ApiDefinitionError(f"{where}.statusCode: {status!r} is not an HTTP status code")
    return status


def json_strings(data: Mapping[str, Any], key: str, where: str) -> dict[str, str]:
    """`data[key]` (at `where`.`key`) as an object of strings; `{}` when the key is absent."""
    mapping = json_object(data.get(key, {}), f"{where}.{key}")
    for name, item in mapping.items():
        if not isinstance(item, str):
            raise ApiDefinitionError(f"{where}.{key}.{name} must be a string")
    return dict(mapping)


def json_object(value: Any, where: str) -> dict[str, Any]:
    """`value` as a JSON object; missing or another type is an error naming `where`."""
    if value is None:
        raise ApiDefinitionError(f"{where} is missing")
    if not isinstance(value, dict):
        raise ApiDefinitionError(f"{where} must be a JSON object, not {json_type(value)}")
    return value


def json_string(value: Any, where: str) -> str:
    """`value` as a non-empty string."""
    if value is None:
        raise ApiDefinitionError(f"{where} is missing")
    if not isinstance(value, str) or not value:
        raise ApiDefinitionError(f"{where} must be a non-empty string, not {json_type(value)}")
    return value


def known_keys(data: Mapping[str, Any], known: Iterable[str], where: str) -> None:
    """An error for the first key of `data` not in `known`, suggesting the closest one."""
    known = tuple(known)
    for key in data:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
            raise ApiDefinitionError(f"{where}: unknown key {key!r}", hint=hint)


def json_flag(value: Any, where: str) -> bool:
    """`value` as true or false."""
    if not isinstance(value, bool):
        raise ApiDefinitionError(f"{where} must be true or false, not {json_type(value)}")
    return value


def json_type(value: Any) -> str:
    """What a JSON value is, in words (`a list`, `null`), for error messages."""
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string"}
    names |= {list: "a list", dict: "an object", type(None): "null"}
    return names.get(type(value), type(value).__name__)
