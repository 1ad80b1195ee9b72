"""What a function may return to a Lambda proxy integration, and the HTTP response it becomes.

`read_proxy_result` checks a return value by API Gateway's rules (spec §3), naming each reason
it is malformed as a `Problem`; `build_http_response` turns a valid one into the response.
AWS binds the value to typed Java fields and refuses unknown keys: scalars it can coerce pass
("201" as a status), anything else is a 502. `CHOICES` settles the open cases in that spirit.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

from course_cli.gateway.definition import ApiDefinition
from course_cli.gateway.errors import MalformedProxyResponse, Problem
from course_cli.gateway.http import (
    Headers,
    HttpRequest,
    HttpResponse,
    first_accept_type,
    matches_media_types,
)
from course_cli.gateway.ids import RequestIds

ALLOWED_KEYS: Final = ("statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded")
_ALLOWED: Final = frozenset(ALLOWED_KEYS)


@dataclass(frozen=True)
class Choices:
    """Our answers to the cases spec §3 calls uncertain. True = accepted, False = 502."""

    # 1 or 1.5 as a header value: sent as its JSON text ("1", "1.5"), the coercion that also
    # turns booleans into "true"/"false".
    number_header_values: bool = True
    # null as a header value (or list element): accepted, and the header is left out.
    null_header_values: bool = True
    # an object or a list as a `headers` value, an object as a multi-value element: no string
    # can be made of it, so 502.
    object_header_values: bool = False
    # `base64Encoded` instead of `isBase64Encoded`: an unknown key like any other, so 502.
    base64_encoded_key: bool = False
    # `isBase64Encoded: "true"` / "false" (any case): the binder coerces such strings to booleans.
    boolean_strings: bool = True
    # a statusCode outside 100-599 cannot go on a status line: 502.
    status_out_of_range: bool = False
    # `statusCode: 200.0`: coerced to 200; a fraction (200.5) is a 502.
    whole_float_status: bool = True
    # a header name that is not an HTTP token, or a value with CR, LF or NUL: cannot be sent,
    # so 502 (and no header injection through our server).
    unsendable_headers: bool = False
    # isBase64Encoded true, decoding wanted (binary Accept), but the body is not base64: 502.
    invalid_base64_body: bool = False


CHOICES: Final = Choices()

# Response headers API Gateway renames (`x-amzn-Remapped-<name>`) or drops: they belong to the
# connection, which API Gateway owns (LocalStack's AWS-validated header rules).
_REMAPPED: Final = frozenset({"connection", "content-length", "date", "server"})
_DROPPED: Final = frozenset({"transfer-encoding"})
_TOKEN: Final = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_UNSENDABLE: Final = re.compile(r"[\r\n\x00]")
_STATUS_DIGITS: Final = re.compile(r"[0-9]{1,9}")


class ProxyResult(NamedTuple):
    """A function's return value read as a proxy response: valid when `problems` is empty."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: str
    is_base64: bool
    problems: tuple[Problem, ...] = ()


# The language of the function being judged (`speaking`): its types and fixes in its words.
_language: ContextVar[str] = ContextVar("proxy_response_language", default="python")
_JAVASCRIPT_TYPES: Final = {
    "None": "null",
    "dict": "object",
    "list": "array",
    "str": "string",
    "int": "number",
    "float": "number",
    "bool": "boolean",
}
_JAVASCRIPT_WORDS: Final = (
    ("json.dumps(", "JSON.stringify("),
    ("str(...)", "String(...)"),
    ("a dict (JSON object)", "an object"),
    ("a dict of header names", "an object of header names"),
    ("use a dict:", "use an object:"),
    ("a list of strings", "an array of strings"),
    ("wrap it in a list", "wrap it in an array"),
    ('"isBase64Encoded": True', '"isBase64Encoded": true'),
    ("base64.b64encode(data).decode()", "Buffer.from(data).toString('base64')"),
    ("returned None: a path", "returned undefined (or null): a path"),
)


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Problems found inside name types and fixes in `language`, "python" or "javascript"
    (the `language` of the function's `LambdaResult`)."""
    token = _language.set(language)
    try:
        yield
    finally:
        _language.reset(token)


def _in_javascript(text: str) -> str:
    for python, javascript in _JAVASCRIPT_WORDS:
        text = text.replace(python, javascript)
    return text


def _problem(field: str, expected: str, value: Any, fix: str, why: str = "") -> Problem:
    got = "None" if value is None else type(value).__name__
    text = repr(value)
    if _language.get() == "javascript":  # the value came from JSON: show it as JSON
        got, text = _JAVASCRIPT_TYPES.get(got, got), json.dumps(value, ensure_ascii=False)
        expected, fix, why = _in_javascript(expected), _in_javascript(fix), _in_javascript(why)
    shown = text if len(text) <= 60 else text[:57] + "..."
    if value is not None:  # None names itself ("it is None", not "it is None None")
        shown = f"{got} {shown}"
    explanation = f"`{field}` must be {expected}, but it is {shown}. {why}".strip()
    return Problem(field, expected, got, fix, f"{explanation} Fix: {fix}")


def validate_proxy_result(payload: Any) -> list[Problem]:
    """Every reason `payload` (the function's JSON-decoded return value) makes AWS answer 502."""
    return list(read_proxy_result(payload).problems)


def read_proxy_result(payload: Any) -> ProxyResult:
    """Read a function's JSON-decoded return value the way API Gateway reads a proxy response.

    Never raises: what AWS would refuse comes back as `problems` (then the other fields are
    best-effort and must not be sent).
    """
    if payload is None:
        problem = _problem(
            "(return value)",
            "a dict (JSON object) with statusCode and body",
            payload,
            'end every path with return {"statusCode": ..., "body": json.dumps(data)}',
            "The function returned None: a path through it that ends without `return`, or a "
            "bare `return`.",
        )
        return ProxyResult(200, (), "", False, (problem,))
    if not isinstance(payload, dict):
        problem = _problem(
            "(return value)",
            "a dict (JSON object) with statusCode and body",
            payload,
            'return {"statusCode": 200, "body": json.dumps(data)} instead of the bare value',
            "API Gateway only accepts an object as a proxy response.",
        )
        return ProxyResult(200, (), "", False, (problem,))
    problems: list[Problem] = []
    _unknown_keys(payload, problems)
    status = _read_status(payload.get("statusCode"), problems)
    headers = _merge_headers(payload, problems)
    body = payload.get("body")
    if body is None:
        body = ""
    elif not isinstance(body, str):
        problems.append(
            _problem(
                "body",
                "a string",
                body,
                "return json.dumps(...) of the data as the body",
                "API Gateway does not serialise the body for you.",
            )
        )
        body = ""
    flag = payload.get("isBase64Encoded")
    if flag is None and CHOICES.base64_encoded_key:
        flag = payload.get("base64Encoded")
    is_base64 = False if flag is None else _read_flag(flag, problems)
    return ProxyResult(status, tuple(headers), body, is_base64, tuple(problems))


def _unknown_keys(payload: dict[str, Any], problems: list[Problem]) -> None:
    for key in payload:
        if key not in _ALLOWED and not (key == "base64Encoded" and CHOICES.base64_encoded_key):
            hint = "isBase64Encoded" if key == "base64Encoded" else None
            fix = f"rename it to {hint}" if hint else f"remove {key!r} (or put it inside body)"
            problems.append(
                Problem(
                    key,
                    f"only the keys {', '.join(ALLOWED_KEYS)}",
                    "an extra key",
                    fix,
                    f"`{key}` is not a key API Gateway knows, and any unknown key makes the "
                    f"whole response malformed. Fix: {fix}",
                )
            )


def _read_status(value: Any, problems: list[Problem]) -> int:
    expected = "a whole number between 100 and 599 (or a string of digits)"
    fix = 'return a number such as "statusCode": 200'
    if value is None:
        return 200
    status: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        status = value
    elif isinstance(value, float) and value.is_integer() and CHOICES.whole_float_status:
        status = int(value)
    elif isinstance(value, str) and _STATUS_DIGITS.fullmatch(value):
        status = int(value)
    if status is None:
        problems.append(_problem("statusCode", expected, value, fix))
        return 200
    if not 100 <= status <= 599 and not CHOICES.status_out_of_range:
        problems.append(_problem("statusCode", expected, value, fix, "HTTP has no such status."))
        return 200
    return status


def _header_text(where: str, name: str, value: Any, problems: list[Problem]) -> str | None:
    """A header value as sent, None to leave it out; a problem when it cannot be sent."""
    if isinstance(value, str):
        text: str = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float) and CHOICES.number_header_values:
        text = json.dumps(value)
    elif value is None and CHOICES.null_header_values:
        return None
    elif isinstance(value, dict | list) and CHOICES.object_header_values:
        text = json.dumps(value)
    else:
        fix = "use a string value (str(...)), or json.dumps(...) for structured data"
        problems.append(_problem(f"{where}.{name}", "a string", value, fix))
        return None
    if _UNSENDABLE.search(text) and not CHOICES.unsendable_headers:
        fix = "remove line breaks from the header value"
        problems.append(_problem(f"{where}.{name}", "a single line of text", value, fix))
        return None
    if not _TOKEN.fullmatch(name) and not CHOICES.unsendable_headers:
        fix = "use letters, digits and '-' in header names"
        problems.append(_problem(f"{where}.{name}", "a valid HTTP header name", name, fix))
        return None
    return text


def _merge_headers(payload: dict[str, Any], problems: list[Problem]) -> list[tuple[str, str]]:
    """`multiValueHeaders` then `headers`, merged case-insensitively as AWS merges them: per
    name the multi values first, the casing of the multi-value map, an identical pair once."""
    multi = _header_map(payload, "multiValueHeaders", problems)
    single = _header_map(payload, "headers", problems)
    if not multi and not single:
        return []
    names: dict[str, str] = {}  # lower-case name -> the casing used
    merged: dict[str, list[str]] = {}
    for name, values in multi.items():
        if not isinstance(values, list):
            fix = f'wrap it in a list: "{name}": [...]'
            problems.append(_problem(f"multiValueHeaders.{name}", "a list of strings", values, fix))
            continue
        for value in values:
            text = _header_text("multiValueHeaders", name, value, problems)
            if text is not None:
                names.setdefault(name.lower(), name)
                merged.setdefault(name.lower(), []).append(text)
    for name, value in single.items():
        text = _header_text("headers", name, value, problems)
        if text is None:
            continue
        sent = merged.setdefault(name.lower(), [])
        if text not in sent:  # an identical pair in both maps appears once
            names.setdefault(name.lower(), name)
            sent.append(text)
    return [(names[lower], value) for lower, values in merged.items() for value in values]


def _header_map(payload: dict[str, Any], key: str, problems: list[Problem]) -> dict[str, Any]:
    value = payload.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        fix = f'use a dict: "{key}": {{"Content-Type": "application/json"}}'
        problems.append(_problem(key, "a dict of header names to values", value, fix))
        return {}
    return value


def _read_flag(value: Any, problems: list[Problem]) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false") and CHOICES.boolean_strings:
        return value.lower() == "true"
    fix = '"isBase64Encoded": True, or leave the key out'
    problems.append(_problem("isBase64Encoded", "a boolean", value, fix))
    return False


def build_http_response(
    payload: Any,
    request: HttpRequest,
    definition: ApiDefinition,
    request_id: str,
    *,
    apigw_id: str | None = None,
    trace_id: str | None = None,
) -> HttpResponse:
    """The client's response for a function's return value (or an already-read `ProxyResult`).

    Raises `MalformedProxyResponse` when AWS would answer 502 instead. Adds and renames
    headers as AWS does; the ids not given are derived from `request_id`.
    """
    result = payload if isinstance(payload, ProxyResult) else read_proxy_result(payload)
    if result.problems:
        raise MalformedProxyResponse(result.problems)
    if apigw_id is None or trace_id is None:
        ids = RequestIds.derive(request_id, request.headers.get("X-Amzn-Trace-Id"), 0.0)
        apigw_id = ids.extended_request_id if apigw_id is None else apigw_id
        trace_id = ids.response_trace if trace_id is None else trace_id
    pairs: list[tuple[str, str]] = []
    has_content_type = False
    for name, value in result.headers:
        lower = name.lower()
        if lower in _DROPPED:
            continue
        if lower in _REMAPPED:
            name = f"x-amzn-Remapped-{name}"
        has_content_type = has_content_type or lower == "content-type"
        pairs.append((name, value))
    if not has_content_type:
        pairs.append(("Content-Type", "application/json"))
    pairs += (
        ("x-amzn-RequestId", request_id),
        ("x-amz-apigw-id", apigw_id),
        ("X-Amzn-Trace-Id", trace_id),
    )
    body = result.body.encode("utf-8", "replace")
    # Decoded only when the first Accept type matches binaryMediaTypes (not Content-Type).
    accept = first_accept_type(request.headers.get("Accept"))
    if result.is_base64 and matches_media_types(accept, definition.binary_media_types):
        try:
            body = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            if not CHOICES.invalid_base64_body:
                fix = "base64.b64encode(data).decode() the bytes you return as body"
                problem = _problem("body", "base64 text", result.body, fix)
                raise MalformedProxyResponse([problem]) from None
    return HttpResponse(result.status, Headers(pairs), body)
