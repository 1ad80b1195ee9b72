"""What a function may return to an HTTP API (payload format 2.0), and the response it becomes.

AWS documents two readings ("Create AWS Lambda proxy integrations for HTTP APIs"):

- the return value has a `statusCode`: it is a response - `statusCode`, `headers` (one string
  per name), `cookies` (each becomes a `Set-Cookie` header), `body` (a string) and
  `isBase64Encoded` (honoured whatever the request's Accept: HTTP APIs have no
  binaryMediaTypes). A part that cannot be read is API Gateway's 500 (`http_api.py`);
- any other valid JSON: API Gateway infers the response - status 200, `content-type:
  application/json`, and the return value as the body: a string as it is, anything else as
  the JSON the function returned. A dict with `body` and `headers` but no `statusCode` is
  sent whole, as JSON: the 2.0 trap where 1.0 would have answered 502.

`CHOICES_V2` settles what AWS leaves unsaid, each in the spirit of the 1.0 rules. The sources of
every row are in `tests/gateway/cases/http_responses.json`.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

from course_cli.gateway.errors import Problem
from course_cli.gateway.http import Headers, HttpResponse
from course_cli.gateway.proxy_response import (
    _UNSENDABLE,
    _header_text,
    _problem,
    _read_flag,
    _read_status,
)

RESPONSE_KEYS: Final = ("statusCode", "headers", "cookies", "body", "isBase64Encoded")


@dataclass(frozen=True)
class ChoicesV2:
    """Our answers where AWS's documentation of payload format 2.0 is silent."""

    # A response with statusCode but no content-type header goes out as text/plain (seen on
    # HTTP APIs: rackspace/sailplane#138; the charset part is our guess).
    default_content_type: str = "text/plain; charset=utf-8"
    # Keys 2.0 does not know (multiValueHeaders among them) are ignored, and said so.
    unknown_keys_ignored: bool = True
    # `cookies` that is not a list of strings cannot become Set-Cookie headers: 500.
    bad_cookies_malformed: bool = True


CHOICES_V2: Final = ChoicesV2()
# Headers of the connection, which API Gateway's server writes itself.
_CONNECTION: Final = frozenset({"connection", "content-length", "transfer-encoding"})


class HttpResult(NamedTuple):
    """A function's return value read as a 2.0 response: valid when `problems` is empty."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: str
    is_base64: bool
    inferred: bool  # no statusCode: API Gateway made the response up
    ignored: tuple[str, ...] = ()  # keys 2.0 does not read
    problems: tuple[Problem, ...] = ()


def read_http_result(value: Any, payload: str) -> HttpResult:
    """Read a function's JSON-decoded return `value` (`payload`: the JSON text Lambda returned)
    the way an HTTP API reads a 2.0 response. Never raises."""
    if not isinstance(value, dict) or "statusCode" not in value:
        body = value if isinstance(value, str) else payload
        headers = (("Content-Type", "application/json"),)
        return HttpResult(200, headers, body, False, inferred=True)
    problems: list[Problem] = []
    status = _read_status(value.get("statusCode"), problems)
    pairs = _headers(value.get("headers"), problems)
    pairs += [("Set-Cookie", cookie) for cookie in _cookies(value.get("cookies"), problems)]
    given = value.get("body")
    body = given if isinstance(given, str) else ""
    if given is not None and not isinstance(given, str):
        problems.append(
            _problem(
                "body",
                "a string",
                given,
                "return json.dumps(...) of the data as the body",
                "With a statusCode, API Gateway does not serialise the body for you; only a "
                "return value without statusCode is sent as JSON.",
            )
        )
    flag = value.get("isBase64Encoded")
    is_base64 = False if flag is None else _read_flag(flag, problems)
    ignored = tuple(key for key in value if key not in RESPONSE_KEYS)
    return HttpResult(status, tuple(pairs), body, is_base64, False, ignored, tuple(problems))


def _headers(value: Any, problems: list[Problem]) -> list[tuple[str, str]]:
    if value is None:
        return []
    if not isinstance(value, dict):
        fix = 'use a dict: "headers": {"content-type": "application/json"}'
        problems.append(_problem("headers", "a dict of header names to values", value, fix))
        return []
    pairs = []
    for name, item in value.items():
        text = _header_text("headers", name, item, problems)
        if text is not None:
            pairs.append((name, text))
    return pairs


def _cookies(value: Any, problems: list[Problem]) -> list[str]:
    if value is None:
        return []
    fix = 'a list of cookie strings: "cookies": ["id=42; HttpOnly"]'
    if not isinstance(value, list):
        if CHOICES_V2.bad_cookies_malformed:
            problems.append(_problem("cookies", "a list of strings", value, fix))
        return []
    cookies = []
    for index, cookie in enumerate(value):
        if not isinstance(cookie, str) or _UNSENDABLE.search(cookie):
            if CHOICES_V2.bad_cookies_malformed:
                problems.append(_problem(f"cookies[{index}]", "a one-line string", cookie, fix))
            continue
        cookies.append(cookie)
    return cookies


def build_http_api_response(result: HttpResult, request_id: str) -> HttpResponse:
    """The client's response for a valid `result` (its problems empty): the function's headers
    and cookies, a content type when it set none, `apigw-requestid`; a base64 body decoded.

    Raises `ValueError` when `isBase64Encoded` is true and the body is not base64."""
    pairs = [(name, text) for name, text in result.headers if name.lower() not in _CONNECTION]
    if not any(name.lower() == "content-type" for name, _ in pairs):
        pairs.append(("Content-Type", CHOICES_V2.default_content_type))
    pairs.append(("apigw-requestid", request_id))
    body = result.body.encode("utf-8", "replace")
    if result.is_base64:
        try:
            body = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError) as error:
            raise ValueError(str(error)) from None
    return HttpResponse(result.status, Headers(pairs), body)


def base64_problem(body: str) -> Problem:
    """The problem of a body flagged base64 that is not."""
    fix = "base64.b64encode(data).decode() the bytes you return as body"
    return _problem("body", "base64 text (isBase64Encoded is true)", body, fix)
