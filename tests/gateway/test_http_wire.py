"""Reading requests off the wire for `course serve`: the head as sent, and what is refused.

The server's tests send these over real sockets; here the head parser is called directly.
"""

from __future__ import annotations

import io

import pytest

from course_cli.gateway.http_wire import HttpError, read_body, read_head
from course_cli.gateway.http_wire import parse_head as parse


def refused(head: bytes) -> int:
    with pytest.raises(HttpError) as caught:
        parse(head)
    return caught.value.status


@pytest.mark.parametrize("extra", [b"", b"\r\nX-Name: caf\xc3\xa9", b"\r\nX-Name: caf\xe9"])
def test_a_head_is_read_as_sent(extra: bytes) -> None:
    # Header values are UTF-8 when they can be, else latin-1, byte for byte.
    head = parse(
        b"POST /a%20b?x=1#frag HTTP/1.1\r\nHost: h\r\nx-TRACE:  \t one two \t \r\nEmpty: \t "
        b"\r\nConnection: Keep-Alive, TE\r\nCONTENT-length: 003\r\nExpect: 100-Continue" + extra
    )
    assert head.method == "POST" and head.target == "/a%20b?x=1#frag"
    assert (head.path, head.query, head.version) == ("/a%20b", "x=1", "HTTP/1.1")
    assert head.headers[:5] == [
        ("Host", "h"),
        ("x-TRACE", "one two"),
        ("Empty", ""),
        ("Connection", "Keep-Alive, TE"),
        ("CONTENT-length", "003"),
    ]
    assert head.headers[6:] == ([("X-Name", "café")] if extra else [])
    assert head.keep_alive and not head.chunked
    assert head.content_length == 3 and head.expects_continue


@pytest.mark.parametrize("extra", [b"", b"\r\nX-Name: caf\xc3\xa9"])
@pytest.mark.parametrize(
    ("fields", "status"),
    [
        (b"X: a\rb", 400),  # a bare CR, LF or NUL in a value
        (b"X: a\nb", 400),
        (b"X: a\x00b", 400),
        (b"X: a\r\n\r\nY: b", 400),  # an empty line among the fields
        (b"X : a", 400),
        (b"X: a\r\n b", 400),
        (b"Content-Length: \xd9\xa1", 400),  # ARABIC-INDIC DIGIT ONE: not a length
        (b"Content-Length: 1\r\nContent-Length: 2", 400),
        (b"Transfer-Encoding: chunked, gzip", 400),
    ],
)
def test_bad_fields_are_refused(fields: bytes, status: int, extra: bytes) -> None:
    assert refused(b"GET /x HTTP/1.1\r\n" + fields + extra) == status


@pytest.mark.parametrize(
    ("head", "status"),
    [
        (b"GET /x HTTP/1.2", 505),
        (b"GET /x HTTP/2", 400),
        (b"GET /\x7f HTTP/1.1", 400),
        (b"GET /\xe9\x01 HTTP/1.1", 400),
        (b"GET  /x HTTP/1.1", 400),
        (b"GET /x HTTP/1.1\r\n", 400),
    ],
)
def test_bad_request_lines_are_refused(head: bytes, status: int) -> None:
    assert refused(head) == status


def test_connection_tokens_and_http_10() -> None:
    assert not parse(b"GET / HTTP/1.1\r\nConnection: CLOSE").keep_alive
    assert not parse(b"GET / HTTP/1.1\r\nConnection: keep-alive,close").keep_alive
    assert not parse(b"GET / HTTP/1.0").keep_alive
    assert parse(b"GET / HTTP/1.0\r\nConnection: Keep-Alive").keep_alive
    chunked = parse(b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, Chunked\r\nContent-Length: 9")
    assert chunked.chunked and chunked.content_length is None and not chunked.keep_alive
    assert parse(b"GET /\xe9 HTTP/1.1").target == "/\xe9"  # latin-1, byte for byte


def test_stray_crlfs_before_a_request_are_skipped_and_the_head_ends_at_the_blank_line() -> None:
    stream = io.BytesIO(b"\r\n\r\nGET /x HTTP/1.1\r\nHost: h\r\n\r\nrest")
    assert read_head(stream) == b"GET /x HTTP/1.1\r\nHost: h"
    assert stream.read() == b"rest"
    assert read_head(io.BytesIO(b"")) is None  # the client closed between requests


def test_a_head_cut_short_or_too_long_is_refused() -> None:
    with pytest.raises(HttpError) as cut:
        read_head(io.BytesIO(b"GET /x HTTP/1.1\r\nHost: h\r\n"))
    assert cut.value.status == 400
    with pytest.raises(HttpError) as long:
        read_head(io.BytesIO(b"GET /x HTTP/1.1\r\nX: " + b"a" * 70_000 + b"\r\n\r\n"))
    assert long.value.status == 431


def test_the_head_limit_is_api_gateways_10240_bytes() -> None:
    line = b"GET /x HTTP/1.1\r\nX: "
    at_limit = line + b"a" * (10_240 - len(line))
    assert read_head(io.BytesIO(at_limit + b"\r\n\r\n")) == at_limit
    with pytest.raises(HttpError) as over:
        read_head(io.BytesIO(at_limit + b"a\r\n\r\n"))
    assert over.value.status == 431


def test_a_chunked_body_over_the_limit_is_413() -> None:
    head = parse(b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked")
    with pytest.raises(HttpError) as caught:
        read_body(io.BytesIO(b"5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n"), head, limit=8)
    assert caught.value.status == 413
