"""The `context` object a Python Lambda handler receives: awslambdaric's `LambdaContext`,
same attribute names and types (`memory_limit_in_mb` is a string, `"128"`)."""

from __future__ import annotations

import secrets
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
FUNCTION_VERSION = "$LATEST"
MEMORY_SIZE_MB = 128


def function_arn(function_name: str) -> str:
    """The ARN Lambda reports for an unqualified invocation of `function_name`."""
    return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{function_name}"


def new_log_stream_name() -> str:
    """A fresh log stream name, `2024/03/04/[$LATEST]<32 hex digits>` (one per environment)."""
    day = datetime.now(UTC).strftime("%Y/%m/%d")
    return f"{day}/[{FUNCTION_VERSION}]{secrets.token_hex(16)}"


def new_request_id() -> str:
    """A fresh request id: a random (version 4) UUID, as Lambda's are."""
    return str(uuid.uuid4())


@dataclass(slots=True, eq=False)
class CognitoIdentity:
    """`context.identity`: who called through Amazon Cognito (both ids `None` otherwise)."""

    cognito_identity_id: str | None = None
    cognito_identity_pool_id: str | None = None

    def __repr__(self) -> str:
        return (
            f"CognitoIdentity([cognito_identity_id={self.cognito_identity_id},"
            f"cognito_identity_pool_id={self.cognito_identity_pool_id}])"
        )


class LambdaContext:
    """What the handler's second argument offers, as on AWS."""

    __slots__ = (
        "_deadline",
        "aws_request_id",
        "client_context",
        "function_name",
        "function_version",
        "identity",
        "invoked_function_arn",
        "log_group_name",
        "log_stream_name",
        "memory_limit_in_mb",
        "tenant_id",
    )

    def __init__(
        self,
        *,
        function_name: str,
        aws_request_id: str,
        log_stream_name: str,
        timeout_s: float,
        started: float | None = None,
    ) -> None:
        self.function_name = function_name
        self.function_version = FUNCTION_VERSION
        self.invoked_function_arn = function_arn(function_name)
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.memory_limit_in_mb = str(MEMORY_SIZE_MB)  # read from an environment variable on AWS
        self.aws_request_id = aws_request_id
        self.log_stream_name = log_stream_name
        self.identity = CognitoIdentity()
        self.client_context: object | None = None
        self.tenant_id: str | None = None
        self._deadline = (time.monotonic() if started is None else started) + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        """Whole milliseconds left before the function's timeout; 0 once it has passed."""
        remaining = int((self._deadline - time.monotonic()) * 1000)
        return remaining if remaining > 0 else 0

    def log(self, msg: object) -> None:
        """Write `msg` to the invocation's log, as `context.log` does on AWS (no newline added)."""
        sys.stdout.write(str(msg))

    def __repr__(self) -> str:
        shown = ",".join(f"{name}={getattr(self, name)}" for name in _REPR_FIELDS)
        return f"LambdaContext([{shown}])"


# awslambdaric's `LambdaContext.__repr__`, in its order.
_REPR_FIELDS: Final = (
    "aws_request_id log_group_name log_stream_name function_name memory_limit_in_mb "
    "function_version invoked_function_arn client_context identity tenant_id"
).split()
