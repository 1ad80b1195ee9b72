"""Integration types: one small class per type behind the shared `Integration` protocol.

Each type owns the integration request, integration and integration response stages; the
registry finds a type by name (`AWS_PROXY` is `aws_proxy.INTEGRATION`, and so on).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Final, Protocol

if TYPE_CHECKING:
    from course_cli.gateway.context import Invocation
    from course_cli.gateway.invoker import LambdaInvoker

# The integration types API Gateway has; the registry only ever imports these modules.
KNOWN_TYPES: Final = ("AWS_PROXY", "AWS", "HTTP_PROXY", "HTTP", "MOCK")


class Integration(Protocol):
    """The integration stages of one type: each fills the `Invocation` or raises a
    `GatewayError`."""

    def integration_request(self, invocation: Invocation) -> None:
        """Build what is sent to the backend (the proxy event, a rendered template...)."""

    def integrate(self, invocation: Invocation, invoker: LambdaInvoker) -> None:
        """Call the backend and record its raw answer."""

    def integration_response(self, invocation: Invocation) -> None:
        """Turn the backend's answer into `invocation.response`."""


REGISTRY: dict[str, Integration] = {}


def integration_for(kind: str) -> Integration | None:
    """The implementation of integration type `kind`, or None if course cannot run it yet."""
    found = REGISTRY.get(kind)
    if found is not None or kind not in KNOWN_TYPES:
        return found
    module_name = f"{__name__}.{kind.lower()}"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:  # a broken import inside the module is a bug: surface it
            raise
        return None
    implementation: Integration = module.INTEGRATION
    REGISTRY[kind] = implementation
    return implementation


def supported_types() -> list[str]:
    """The integration types course can run, in AWS's order."""
    return [kind for kind in KNOWN_TYPES if integration_for(kind) is not None]
