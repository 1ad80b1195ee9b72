"""MOCK: API Gateway answers by itself - no backend, no Lambda, no bill.

The request template prints `{"statusCode": N}`; N selects the integration response. AWS is
lenient about that JSON (`{statusCode: 200}` works, recorded by LocalStack): a pattern reads it.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from course_cli.gateway.errors import IntegrationFailure
from course_cli.gateway.integrations.custom import (
    build_response,
    integration_request_body,
    select_response,
)

if TYPE_CHECKING:
    from course_cli.gateway.context import Invocation
    from course_cli.gateway.invoker import LambdaInvoker

_STATUS = re.compile(r"""["']?statusCode["']?\s*:\s*["']?(\d{3})""")


def mock_status(rendered: str) -> int | None:
    """The status code a MOCK request template printed; 200 for an empty template, None when
    there is none to read."""
    if not rendered.strip():
        return 200
    try:
        document = json.loads(rendered)
    except ValueError:
        found = _STATUS.search(rendered)
        return int(found.group(1)) if found else None
    if isinstance(document, dict) and isinstance(document.get("statusCode"), int | str):
        try:
            return int(document["statusCode"])
        except ValueError:
            return None
    return None


class MockIntegration:
    """Renders the request template, reads its statusCode, answers from the chosen response."""

    def integration_request(self, invocation: Invocation) -> None:
        """Render the request template (or take the body when none matches)."""
        rendered = integration_request_body(invocation)
        invocation.event = rendered
        invocation.note(f"Endpoint request body after transformations: {rendered}")

    def integrate(self, invocation: Invocation, invoker: LambdaInvoker) -> None:
        """Read the status code the template chose; nothing is called."""
        status = mock_status(invocation.event or "")
        if status is None:
            raise IntegrationFailure(
                "Unable to parse statusCode. It should be an integer that is defined in the "
                "request template.",
                'A MOCK request template must print a JSON object like {"statusCode": 200}; '
                "this one did not, so API Gateway answered 500.",
            )
        invocation.custom["backend_status"] = status
        invocation.result = {"statusCode": status}
        invocation.note(f"Received response. Status: {status}, Integration latency: 0 ms")

    def integration_response(self, invocation: Invocation) -> None:
        """Select by the status code and render the response template."""
        status = invocation.custom["backend_status"]
        selected = select_response(invocation, str(status), status)
        invocation.response = build_response(invocation, selected, "")


INTEGRATION = MockIntegration()
