"""Integration types: one small class per type behind the shared `Integration` protocol.

Each type owns the integration request, integration and integration response stages; the
registry finds a type by name (`AWS_PROXY` is `aws_proxy.INTEGRATION`, and so on).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Final, Protocol

from course_cli.gateway.definition import INTEGRATION_TYPES

if TYPE_CHECKING:
    from course_cli.gateway.context import Invocation
    from course_cli.gateway.invoker import LambdaInvoker

# The integration types API Gateway has, each run by the module of its lower-case name.
KNOWN_TYPES: Final = INTEGRATION_TYPES


class Integration(Protocol):
    """The integration stages of one type: each fills the `Invocation` or raises a
    `GatewayError`."""

    def integration_request(self, invocation: Invocation) -> None:
        """Build what is sent to the backend (the proxy event, a rendered template...)."""

    def integrate(self, invocation: Invocation, invoker: LambdaInvoker) -> None:
        """Call the backend and record its raw answer."""

    def integration_response(self, invocation: Invocation) -> None:
        """Turn the backend's answer into `invocation.response`."""


def integration_for(kind: str) -> Integration | None:
    """The implementation of integration type `kind`, or None if it is not one of AWS's."""
    if kind not in KNOWN_TYPES:
        return None
    # Imported on first use (the import system caches it): each module is `kind.lower()`.
    implementation: Integration = importlib.import_module(f"{__name__}.{kind.lower()}").INTEGRATION
    return implementation
