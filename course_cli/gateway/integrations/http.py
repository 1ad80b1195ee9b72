"""HTTP: a web backend behind request templates and integration responses (custom).

The backend is called with `http.client`, on loopback only: nothing leaves the machine.
`requestParameters` fill the URI's `{name}` parts, query and headers; the backend's status
selects the integration response.
"""

from __future__ import annotations

import http.client
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode, urlsplit

from course_cli.gateway.errors import IntegrationFailure, IntegrationTimeout
from course_cli.gateway.http import Headers, HttpResponse, is_loopback_url
from course_cli.gateway.integrations.custom import (
    build_response,
    integration_request_body,
    map_request_parameter,
    select_response,
)

if TYPE_CHECKING:
    from course_cli.gateway.context import Invocation
    from course_cli.gateway.invoker import LambdaInvoker

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "host", "content-length"}


def check_loopback(url: str) -> None:
    """Raise `IntegrationFailure` unless `url` is http(s) on a loopback host."""
    if not is_loopback_url(url):
        host = urlsplit(url).hostname
        raise IntegrationFailure(
            f"Invalid endpoint address {url}",
            f"course only calls HTTP backends on this machine (127.0.0.1 or localhost), not "
            f"{host or url!r}: nothing you send through the emulator leaves your computer. "
            "Run the backend locally and point the integration's uri at it.",
        )


def backend_url(invocation: Invocation) -> str:
    """The integration URI with `{name}` parts and querystring parameters filled in."""
    integration = invocation.integration
    url = integration.uri
    query: list[tuple[str, str]] = []
    for target, source in integration.request_parameters.items():
        value = map_request_parameter(invocation, source)
        if value is None:
            continue
        if target.startswith("integration.request.path."):
            name = target.removeprefix("integration.request.path.")
            url = url.replace("{" + name + "}", quote(value, safe="/"))
            url = url.replace("{" + name + "+}", quote(value, safe="/"))
        elif target.startswith("integration.request.querystring."):
            query.append((target.removeprefix("integration.request.querystring."), value))
    if query:
        url += ("&" if "?" in url else "?") + urlencode(query)
    return url


def mapped_headers(invocation: Invocation) -> list[tuple[str, str]]:
    """Headers from `integration.request.header.X` parameter mappings."""
    pairs = []
    for target, source in invocation.integration.request_parameters.items():
        if target.startswith("integration.request.header."):
            value = map_request_parameter(invocation, source)
            if value is not None:
                pairs.append((target.removeprefix("integration.request.header."), value))
    return pairs


def call_backend(
    method: str, url: str, headers: list[tuple[str, str]], body: bytes, timeout_s: float
) -> HttpResponse:
    """One request over loopback; a timeout is AWS's 504, a refused connection its 500."""
    check_loopback(url)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(parts.hostname or "127.0.0.1", parts.port, timeout=timeout_s)
    try:
        connection.putrequest(method, target, skip_accept_encoding=True)
        for name, value in headers:
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        answer = connection.getresponse()
        data = answer.read()
        return HttpResponse(answer.status, Headers(answer.getheaders()), data)
    except TimeoutError:
        raise IntegrationTimeout(timeout_s) from None
    except (OSError, http.client.HTTPException) as error:
        raise IntegrationFailure(  # "an integration failed error" (AWS's type table)
            f"Network error communicating with endpoint {url}",
            f"The HTTP backend at {url} could not be reached ({error}). Is it running?",
            response_type="INTEGRATION_FAILURE",
        ) from None
    finally:
        connection.close()


def record(
    invocation: Invocation, method: str, url: str, headers: list[tuple[str, str]], body: bytes
) -> None:
    """Keep what the backend received, for the learner (`event` in `course invoke --json`)."""
    invocation.event = {
        "method": method,
        "url": url,
        "headers": dict(headers),
        "body": body.decode("utf-8", "replace"),
    }


def call_recorded(invocation: Invocation, body: bytes) -> int:
    """Send the request `record` kept, with `body`; keep the answer and its timing, and return
    the latency in whole milliseconds (as AWS logs it)."""
    sent = invocation.event
    started = invocation.clock()
    answer = call_backend(
        sent["method"],
        sent["url"],
        list(sent["headers"].items()),
        body,
        invocation.integration.integration_timeout_s,
    )
    latency = max(0, round((invocation.clock() - started) * 1000))
    invocation.timings["integration_ms"] = latency
    invocation.custom["backend"] = answer
    invocation.result = {
        "statusCode": answer.status,
        "body": answer.body.decode("utf-8", "replace"),
    }
    return latency


class HttpIntegration:
    """A custom HTTP integration: templates in, the backend, selection on its status out."""

    def integration_request(self, invocation: Invocation) -> None:
        """Render the request template and build the backend request."""
        integration = invocation.integration
        body = integration_request_body(invocation).encode("utf-8")
        method = integration.http_method
        if method == "ANY":
            method = invocation.request.method
        headers = [("Content-Type", "application/json"), *mapped_headers(invocation)]
        record(invocation, method, backend_url(invocation), headers, body)
        invocation.note(
            f"Endpoint request URI: {invocation.event['url']}",
            f"Endpoint request body after transformations: {body.decode('utf-8', 'replace')}",
        )

    def integrate(self, invocation: Invocation, invoker: LambdaInvoker) -> None:
        """Call the backend."""
        latency = call_recorded(invocation, invocation.event["body"].encode("utf-8"))
        status, text = invocation.result["statusCode"], invocation.result["body"]
        invocation.note(
            f"Received response. Status: {status}, Integration latency: {latency} ms",
            f"Endpoint response body before transformations: {text}",
        )

    def integration_response(self, invocation: Invocation) -> None:
        """Select by the backend's status code; render the response template."""
        answer: HttpResponse = invocation.custom["backend"]
        selected = select_response(invocation, str(answer.status), answer.status)
        text = answer.body.decode("utf-8", "replace")
        invocation.response = build_response(invocation, selected, text, answer.headers)


INTEGRATION = HttpIntegration()
