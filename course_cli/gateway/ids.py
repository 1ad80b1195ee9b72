"""The ids API Gateway gives one request: request id, extended request id, X-Ray trace ids.

Every id but the request id is derived from it, so an injected request id (tests, lessons)
gives the same ids every time, and a random one gives random ids.
"""

from __future__ import annotations

import binascii
import hashlib
import re
import uuid
from typing import Final, NamedTuple

_TRACE_PARTS: Final = {
    "root": re.compile(r"1-[0-9a-f]{8}-[0-9a-f]{24}"),
    "parent": re.compile(r"[0-9a-f]{16}"),
    "sampled": re.compile(r"[01?]"),
}

# base64's "+" and "/" as AWS's extended request ids spell them.
_URL_SAFE: Final = bytes.maketrans(b"+/", b"-_")


def new_request_id() -> str:
    """A fresh random (version 4) UUID, as AWS uses for request ids."""
    return str(uuid.uuid4())


class RequestIds(NamedTuple):
    """The ids of one request, derived from its request id. `extended_request_id` is also the
    `x-amz-apigw-id` header; trace roots follow X-Ray, `1-<8 hex epoch s>-<24 hex>`, and a
    client's own `X-Amzn-Trace-Id` is kept, as on AWS."""

    request_id: str
    extended_request_id: str
    trace_root: str
    trace_parent: str
    trace_sampled: str
    client_trace: str | None = None  # the client's X-Amzn-Trace-Id, when it sent a Root

    @classmethod
    def derive(cls, request_id: str, client_trace: str | None, now: float) -> RequestIds:
        """Ids for `request_id`, arriving at `now` with the client's `X-Amzn-Trace-Id` (or
        None); the same arguments always give the same ids."""
        digest = hashlib.blake2b(request_id.encode(), digest_size=31).digest()
        # 16 characters ending in "=", like AWS's "OhGcMGaQIAMF9yw=".
        extended = binascii.b2a_base64(digest[:11], newline=False).translate(_URL_SAFE).decode()
        parts: dict[str, str] = {}
        for item in (client_trace or "").split(";"):
            key, _, value = item.partition("=")
            key, value = key.strip().lower(), value.strip()
            pattern = _TRACE_PARTS.get(key)
            # Only well-formed parts are continued: they end up in our response headers.
            if pattern is not None and pattern.fullmatch(value):
                parts[key] = value
        root = parts.get("root") or f"1-{int(now) & 0xFFFFFFFF:08x}-{digest[11:23].hex()}"
        parent = parts.get("parent") or digest[23:31].hex()
        sampled = parts.get("sampled") or ("1" if "parent" in parts else "0")
        kept = client_trace if "root" in parts else None
        return cls(request_id, extended, root, parent, sampled, kept)

    @property
    def event_trace(self) -> str:
        """The `X-Amzn-Trace-Id` the function sees: the client's, or `Root=<root>`."""
        return self.client_trace or f"Root={self.trace_root}"

    @property
    def response_trace(self) -> str:
        """`X-Amzn-Trace-Id` on a response from the integration."""
        return f"Root={self.trace_root};Parent={self.trace_parent};Sampled={self.trace_sampled}"

    @property
    def error_trace(self) -> str:
        """`X-Amzn-Trace-Id` on an error API Gateway answers itself (recorded: Root only)."""
        return f"Root={self.trace_root}"
