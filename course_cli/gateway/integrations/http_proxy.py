"""HTTP_PROXY: the request forwarded to an HTTP backend, its answer returned unchanged.

The request goes through (the client's method for ANY, path parameters mapped into the URI);
the backend's answer comes back as it is. Loopback backends only (`integrations/http.py`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from course_cli.gateway.http import Headers, HttpResponse
from course_cli.gateway.integrations.http import (
    _HOP_BY_HOP,
    backend_url,
    call_recorded,
    mapped_headers,
    record,
)

if TYPE_CHECKING:
    from course_cli.gateway.context import Invocation
    from course_cli.gateway.invoker import LambdaInvoker


class HttpProxyIntegration:
    """Forward the request; return the backend's response."""

    def integration_request(self, invocation: Invocation) -> None:
        """The client's request, re-addressed to the backend."""
        integration = invocation.integration
        request = invocation.request
        method = request.method if integration.http_method == "ANY" else integration.http_method
        url = backend_url(invocation)
        if request.query_string:
            url += ("&" if "?" in url else "?") + request.query_string
        headers = [
            (name, value) for name, value in request.headers if name.lower() not in _HOP_BY_HOP
        ]
        headers += mapped_headers(invocation)
        record(invocation, method, url, headers, request.body or b"")
        invocation.note(f"Endpoint request URI: {url}")

    def integrate(self, invocation: Invocation, invoker: LambdaInvoker) -> None:
        """Call the backend."""
        latency = call_recorded(invocation, invocation.request.body or b"")
        status = invocation.result["statusCode"]
        invocation.note(f"Received response. Status: {status}, Integration latency: {latency} ms")

    def integration_response(self, invocation: Invocation) -> None:
        """The backend's answer, unchanged, plus AWS's request-id headers."""
        answer: HttpResponse = invocation.custom["backend"]
        kept = [(n, v) for n, v in answer.headers if n.lower() not in _HOP_BY_HOP - {"host"}]
        ids = invocation.ids
        kept += [("x-amzn-RequestId", ids.request_id), ("x-amz-apigw-id", ids.extended_request_id)]
        invocation.response = HttpResponse(answer.status, Headers(kept), answer.body)


INTEGRATION = HttpProxyIntegration()
