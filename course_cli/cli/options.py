"""Parsing the curl-like request options the commands share (`--header 'Name: value'`,
`--query key=value`); a malformed one is a `BadOptionError` showing the expected form."""

from __future__ import annotations

from course_cli.errors import BadOptionError

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def parse_header(raw: str) -> tuple[str, str]:
    """`'Accept: application/json'` → `("Accept", "application/json")`."""
    name, sep, value = raw.partition(":")
    name = name.strip()
    if not sep or not name or any(c.isspace() for c in name):
        raise BadOptionError(
            f"malformed --header {raw!r}: expected 'Name: value'",
            hint="for example --header 'Accept: application/json'",
        )
    return name, value.strip()


def parse_pair(raw: str, option: str) -> tuple[str, str]:
    """`'include=orders'` → `("include", "orders")`; `'flag='` gives an empty value."""
    key, sep, value = raw.partition("=")
    if not sep or not key:
        raise BadOptionError(
            f"malformed {option} {raw!r}: expected key=value",
            hint=f"for example {option} include=orders (repeat {option} for more)",
        )
    return key, value


def parse_method(raw: str) -> str:
    """An HTTP method, upper-cased; anything else is a `BadOptionError`."""
    method = raw.upper()
    if method not in HTTP_METHODS:
        raise BadOptionError(
            f"unknown HTTP method {raw!r}", hint=f"use one of {', '.join(HTTP_METHODS)}"
        )
    return method


def parse_path(raw: str, option: str = "--path") -> str:
    """A request path; it must start with `/`."""
    if not raw.startswith("/"):
        raise BadOptionError(
            f"{option} must start with '/', got {raw!r}", hint=f"for example {option} /users/123"
        )
    return raw
