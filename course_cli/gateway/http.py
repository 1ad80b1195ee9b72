"""HTTP value objects: headers, a request as the gateway receives it, a response as it sends it.

Nothing here knows about API Gateway; these are the plain HTTP nouns the pipeline talks in.
`Headers` is immutable, case-insensitive for look-ups, multi-valued, and keeps the client's
casing and order, because the proxy event shows the learner exactly what their client sent.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

HeaderInput = Iterable[tuple[str, str]] | Mapping[str, str]


class Headers:
    """An immutable list of (name, value) pairs, looked up case-insensitively; iteration
    yields the pairs in the order and casing they were given."""

    __slots__ = ("_index", "_pairs")

    def __init__(self, pairs: HeaderInput | None = None) -> None:
        if pairs is None:
            items: tuple[tuple[str, str], ...] = ()
        elif isinstance(pairs, Headers):
            items = pairs._pairs
        elif isinstance(pairs, Mapping):
            items = tuple(pairs.items())
        else:
            items = tuple(pairs)
        self._pairs: tuple[tuple[str, str], ...] = items
        self._index: dict[str, tuple[str, list[str]]] | None = None

    def groups(self) -> Mapping[str, tuple[str, list[str]]]:
        """Lower-case name -> (the casing first sent, every value in order), in first-seen
        order. Shared, not copied: do not modify."""
        index = self._index
        if index is None:
            index = {}
            for name, value in self._pairs:
                lower = name.lower()
                group = index.get(lower)
                if group is None:
                    index[lower] = (name, [value])
                else:
                    group[1].append(value)
            self._index = index
        return index

    def get(self, name: str, default: str | None = None) -> str | None:
        """The last value sent for `name` (any casing), or `default`."""
        group = self.groups().get(name.lower())
        return group[1][-1] if group else default

    def get_all(self, name: str) -> list[str]:
        """Every value sent for `name` (any casing), in order; empty if none."""
        group = self.groups().get(name.lower())
        return list(group[1]) if group else []

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self.groups()

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._pairs)

    def __len__(self) -> int:
        return len(self._pairs)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Headers):
            return self._pairs == other._pairs
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._pairs)

    def __repr__(self) -> str:
        return f"Headers({list(self._pairs)!r})"


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """One HTTP request as it reached the gateway.

    `path` is the raw request path (percent-encoding kept, stage prefix included if the client
    sent one); `query_string` is the raw text after `?`; `body` is None when there is none.
    """

    method: str
    path: str
    query_string: str = ""
    headers: Headers = field(default_factory=Headers)
    body: bytes | None = None
    source_ip: str = "127.0.0.1"
    protocol: str = "HTTP/1.1"

    @classmethod
    def build(
        cls,
        method: str = "GET",
        path: str = "/",
        *,
        query: Iterable[tuple[str, str]] | Mapping[str, str] | str | None = None,
        headers: HeaderInput | None = None,
        body: bytes | str | None = None,
        source_ip: str = "127.0.0.1",
    ) -> HttpRequest:
        """A request from friendly parts, for the CLI, notebooks and tests.

        `path` may carry `?query` (used when `query` is None) and loses any `#fragment`, as a
        client would. `query` pairs are form-encoded the way browsers do (space → `+`, `+` →
        `%2B`); a string is taken as the raw query. A `str` body is encoded as UTF-8. The
        method is upper-cased: people type `get`, clients send `GET`.
        """
        path = path.split("#", 1)[0]
        if query is None and "?" in path:
            path, raw_query = path.split("?", 1)
        elif isinstance(query, str):
            raw_query = query.removeprefix("?")
        elif query is None:
            raw_query = ""
        else:
            pairs = query.items() if isinstance(query, Mapping) else query
            raw_query = urlencode(list(pairs))
        if not path.startswith("/"):
            path = "/" + path
        return cls(
            method=method.upper(),
            path=path,
            query_string=raw_query,
            headers=Headers(headers),
            body=body.encode("utf-8") if isinstance(body, str) else body,
            source_ip=source_ip,
        )


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """What the gateway sends back: a status, headers in order, and the body bytes."""

    status: int
    headers: Headers = field(default_factory=Headers)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """The last value of header `name`, or None."""
        return self.headers.get(name)


def with_user_agent(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """`headers`, with our own User-Agent added unless one is there: what `course` sends as a
    client, as curl sends its own."""
    pairs = list(headers)
    if "user-agent" not in {name.lower() for name, _ in pairs}:
        pairs.append(("User-Agent", "course/0.1"))
    return pairs


def media_type(content_type: str | None) -> str:
    """The bare media type of a Content-Type or Accept entry: lower-case, parameters dropped."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def first_accept_type(accept: str | None) -> str:
    """The first media type listed in an Accept header (API Gateway looks at no other)."""
    return media_type((accept or "").split(",", 1)[0])


def matches_media_types(media: str, patterns: Iterable[str]) -> bool:
    """Whether `media` matches one of `patterns` (binaryMediaTypes): exactly, as `type/*`, or
    as `*/*`."""
    if not media:
        return False
    for pattern in patterns:
        pattern = pattern.strip().lower()
        if pattern in ("*/*", media):
            return True
        if pattern.endswith("/*") and media.startswith(pattern[:-1]):
            return True
    return False


def is_loopback_url(url: str) -> bool:
    """Whether `url` is http(s) on this machine: `localhost` or a loopback address."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    return parts.scheme in ("http", "https") and loopback
