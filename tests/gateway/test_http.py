"""HTTP value objects: headers, requests, responses, media-type matching."""

from __future__ import annotations

import dataclasses

import pytest

from course_cli.gateway.http import (
    Headers,
    HttpRequest,
    HttpResponse,
    first_accept_type,
    matches_media_types,
    media_type,
)


def test_headers_are_case_insensitive_and_keep_casing_and_order() -> None:
    headers = Headers([("Cookie", "a=1"), ("X-Tag", "x"), ("cookie", "b=2")])
    assert headers.get("COOKIE") == "b=2"  # the last value
    assert headers.get_all("cookie") == ["a=1", "b=2"]
    assert headers.get("missing") is None
    assert headers.get("missing", "d") == "d"
    assert headers.get_all("missing") == []
    assert list(headers) == [("Cookie", "a=1"), ("X-Tag", "x"), ("cookie", "b=2")]
    assert "x-tag" in headers and "nope" not in headers and 3 not in headers
    assert len(headers) == 3 and headers and not Headers()


def test_headers_are_immutable_values() -> None:
    headers = Headers({"A": "1"})
    added = Headers([("A", "1"), ("B", "2")])
    assert headers == Headers([("A", "1")])
    assert Headers(added) == added
    assert hash(added) == hash(Headers([("A", "1"), ("B", "2")]))
    assert headers != {"A": "1"}
    assert "Headers(" in repr(headers)


def test_request_build_splits_query_and_encodes_like_a_browser() -> None:
    request = HttpRequest.build("get", "users/1?x=1#frag", headers={"Host": "h"}, body="é")
    assert request.method == "GET"
    assert request.path == "/users/1"
    assert request.query_string == "x=1"
    assert request.headers.get("host") == "h"
    assert request.body == "é".encode()
    pairs = HttpRequest.build(path="/s", query=[("q", "red lamp"), ("p", "a+b")])
    assert pairs.query_string == "q=red+lamp&p=a%2Bb"
    assert HttpRequest.build(query={"a": "1"}).query_string == "a=1"
    assert HttpRequest.build(query="?raw=%41").query_string == "raw=%41"
    assert HttpRequest.build().body is None


def test_request_and_response_are_frozen() -> None:
    request = HttpRequest.build()
    with pytest.raises(dataclasses.FrozenInstanceError):
        request.path = "/x"  # type: ignore[misc]
    response = HttpResponse(200, Headers([("A", "1")]), b"ok")
    assert response.header("a") == "1"
    assert response.header("b") is None


def test_media_types() -> None:
    assert media_type("Image/PNG; charset=x") == "image/png"
    assert media_type(None) == ""
    assert first_accept_type("text/html, image/png;q=0.9") == "text/html"
    assert first_accept_type(None) == ""
    assert matches_media_types("image/png", ["image/png"])
    assert matches_media_types("image/png", ["image/*"])
    assert matches_media_types("image/png", ["*/*"])
    assert not matches_media_types("image/png", ["image/jpeg", "text/*"])
    assert not matches_media_types("", ["*/*"])
    assert not matches_media_types("imagery/png", ["image/*"])
