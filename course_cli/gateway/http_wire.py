"""HTTP/1.1 on the wire for `course serve`: reading requests strictly, writing responses.

A request is read as the client sent it: the raw target, and the header fields in their order
and casing. What we accept is deliberately narrow (what curl, browsers, `requests`,
`http.client` and httpie send); anything else is refused with `HttpError` and its status,
before the gateway sees it. API Gateway's limits apply: 10 MB of body (413).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus
from io import BufferedIOBase
from typing import Final

from course_cli.gateway.http import Headers, HttpResponse

# API Gateway refuses payloads over 10 MB with 413.
MAX_BODY_BYTES: Final = 10 * 1024 * 1024
# Request line and header fields together: API Gateway's quota ("total combined size of
# request line and header values", 10,240 bytes, on its quotas page). Past it: 431.
MAX_HEAD_BYTES: Final = 10_240
INTERNAL_ERROR_BODY: Final = b'{"message": "Internal server error"}'

_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_VERSION = re.compile(rb"HTTP/1\.[01]")
_HEX = re.compile(rb"[0-9A-Fa-f]+")


class HttpError(Exception):
    """A request we refuse before the gateway sees it, with the status to answer."""

    def __init__(self, status: int, method: str = "", target: str = "") -> None:
        super().__init__(status)
        self.status = status
        self.method = method
        self.target = target


@dataclass(slots=True)
class RequestHead:
    """A request line and its header fields, as sent, with what they say about framing."""

    method: str
    target: str
    path: str
    query: str
    version: str
    headers: list[tuple[str, str]]
    keep_alive: bool
    chunked: bool
    content_length: int | None
    expects_continue: bool

    @property
    def has_body(self) -> bool:
        return self.chunked or bool(self.content_length)


def read_head(stream: BufferedIOBase) -> bytes | None:
    """The request line and header fields (CRLF-separated, without the blank line that ends
    them), or None when the client closed the connection before a request began."""
    head = bytearray()
    while True:
        # Room for the limit, its last CRLF and the blank line: a byte more is over it.
        line = stream.readline(MAX_HEAD_BYTES + 4 - len(head))
        if not line:
            if head:
                raise HttpError(400)  # the client stopped in the middle of a request
            return None
        if line == b"\r\n":
            if head:
                return bytes(head[:-2])
            continue  # stray CRLFs between requests are allowed (RFC 9112 §2.2)
        head += line
        if len(head) > MAX_HEAD_BYTES + 2:
            raise HttpError(431)


def parse_head(head: bytes) -> RequestHead:
    """Check and split a head from `read_head`; `HttpError` (400, or 505) if we refuse it."""
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ")
    if len(parts) != 3 or not _TOKEN.fullmatch(parts[0]) or not parts[1]:
        raise HttpError(400)
    raw_method, raw_target, raw_version = parts
    method = raw_method.decode("ascii")
    target = raw_target.decode("latin-1")
    if not _VERSION.fullmatch(raw_version):
        status = 505 if raw_version.startswith(b"HTTP/") and len(raw_version) == 8 else 400
        raise HttpError(status, method, target)
    if any(byte <= 0x20 or byte == 0x7F for byte in raw_target):
        raise HttpError(400, method, target)
    version = raw_version.decode("ascii")

    headers: list[tuple[str, str]] = []
    connection: set[str] = set()
    transfer_encoding: list[str] = []
    lengths: set[str] = set()
    expects_continue = False
    for line in lines[1:]:
        raw_name, colon, raw_value = line.partition(b":")
        # No obsolete line folding, no space before the colon (RFC 9112 §5.1, §5.2).
        if not colon or not _TOKEN.fullmatch(raw_name):
            raise HttpError(400, method, target)
        raw_value = raw_value.strip(b" \t")
        if b"\r" in raw_value or b"\n" in raw_value or b"\x00" in raw_value:
            raise HttpError(400, method, target)
        name, value = raw_name.decode("ascii"), _decode_header_value(raw_value)
        headers.append((name, value))
        lowered = name.lower()
        if lowered == "content-length":
            lengths.add(value)
        elif lowered == "transfer-encoding":
            transfer_encoding += [t.strip().lower() for t in value.split(",") if t.strip()]
        elif lowered == "connection":
            connection.update(t.strip().lower() for t in value.split(","))
        elif lowered == "expect":
            expects_continue = value.lower() == "100-continue"

    chunked = False
    content_length: int | None = None
    if transfer_encoding:
        if transfer_encoding[-1] != "chunked":
            raise HttpError(400, method, target)  # a body whose end we cannot find
        chunked = True
        # Both framings at once is how request smuggling starts: answer, then close.
        connection.add("close")
    elif lengths:
        # ASCII digits only (`str.isdigit` alone also passes other scripts' digits).
        if len(lengths) > 1 or not all(n.isascii() and n.isdigit() for n in lengths):
            raise HttpError(400, method, target)
        content_length = int(next(iter(lengths)))

    if version == "HTTP/1.1":
        keep_alive = "close" not in connection
    else:
        keep_alive = "keep-alive" in connection and "close" not in connection

    # Clients never send a #fragment; if one does, it is not part of the path or query.
    path, _, query = target.partition("#")[0].partition("?")
    if not path.startswith("/"):
        path = _origin_path(path)
    return RequestHead(
        method=method,
        target=target,
        path=path,
        query=query,
        version=version,
        headers=headers,
        keep_alive=keep_alive,
        chunked=chunked,
        content_length=content_length,
        expects_continue=expects_continue and version == "HTTP/1.1",
    )


def _origin_path(path: str) -> str:
    """The path of an absolute-form target (`http://host/path`); `*` stays as it is."""
    if path == "*":
        return path
    scheme, sep, rest = path.partition("://")
    if not sep or scheme.lower() not in ("http", "https"):
        raise HttpError(400)
    slash = rest.find("/")
    return rest[slash:] if slash >= 0 else "/"


def _decode_header_value(value: bytes) -> str:
    # Clients send UTF-8 today; a value that is not UTF-8 is shown byte for byte (latin-1).
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def read_body(
    stream: BufferedIOBase, head: RequestHead, limit: int = MAX_BODY_BYTES
) -> bytes | None:
    """The request's body (None without one); `HttpError` 413 past `limit` bytes, 400 if the
    framing is broken or the client stops early."""
    if head.chunked:
        return _read_chunked(stream, head, limit)
    if head.content_length is None:
        return None  # no framing: a request without a body
    if head.content_length > limit:
        raise HttpError(413, head.method, head.target)
    return _read_exact(stream, head.content_length)


def _read_chunked(stream: BufferedIOBase, head: RequestHead, limit: int) -> bytes:
    body = bytearray()
    while True:
        size_text = _read_line(stream).split(b";", 1)[0].strip(b" \t")
        if not _HEX.fullmatch(size_text) or len(size_text) > 16:
            raise HttpError(400, head.method, head.target)
        size = int(size_text, 16)
        if size == 0:
            break
        if len(body) + size > limit:
            raise HttpError(413, head.method, head.target)
        body += _read_exact(stream, size)
        if _read_exact(stream, 2) != b"\r\n":
            raise HttpError(400, head.method, head.target)
    while _read_line(stream):  # trailer fields, ignored, up to the blank line
        pass
    return bytes(body)


def _read_line(stream: BufferedIOBase) -> bytes:
    """One CRLF-terminated line (chunk sizes, trailers), without the CRLF."""
    line = stream.readline(MAX_HEAD_BYTES + 1)
    if not line.endswith(b"\r\n"):
        raise HttpError(400)
    return line[:-2]


def _read_exact(stream: BufferedIOBase, count: int) -> bytes:
    data = stream.read(count)
    if len(data) != count:
        raise HttpError(400)
    return data


# --- writing responses ------------------------------------------------------------------------

# Framing is ours to decide: whatever the gateway put in these is replaced.
_FRAMING_HEADERS: Final = frozenset({"content-length", "transfer-encoding", "connection"})
_REASONS: Final = {status.value: status.phrase for status in HTTPStatus}


def encode_response(response: HttpResponse, *, head_only: bool, keep_alive: bool) -> bytes:
    """The whole answer in one piece (one write: no Nagle stall between head and body)."""
    status = response.status
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}\r\n".encode("ascii")]
    has_date = False
    for name, value in response.headers:
        lowered = name.lower()
        if lowered in _FRAMING_HEADERS:
            continue
        has_date = has_date or lowered == "date"
        # A CR or LF in a value would end the header early (response splitting).
        clean = value.replace("\r", " ").replace("\n", " ")
        lines.append(f"{name}: {clean}\r\n".encode())
    if not has_date:
        lines.append(f"Date: {formatdate(usegmt=True)}\r\n".encode("ascii"))
    body = response.body
    no_body = status < 200 or status in (204, 304)
    if not no_body:
        lines.append(b"Content-Length: %d\r\n" % len(body))
    lines.append(b"Connection: keep-alive\r\n\r\n" if keep_alive else b"Connection: close\r\n\r\n")
    if not head_only and not no_body:
        lines.append(body)
    return b"".join(lines)


def error_response(status: int) -> bytes:
    """Our answer to a request refused before the gateway: `{"message": reason}`, then close."""
    reason = _REASONS.get(status, "Bad Request")
    body = f'{{"message": "{reason}"}}'.encode()
    response = HttpResponse(status, Headers([("Content-Type", "application/json")]), body)
    return encode_response(response, head_only=False, keep_alive=False)
