"""Runs learners' Lambda handlers: in-process for their own code (fast, faithful to Lambda).

`InProcessRuntime` implements the gateway's `LambdaInvoker` contract
(`course_cli.gateway.invoker`); the other names are for commands and notebooks that load a
handler or build a context themselves.
"""

from __future__ import annotations

from course_cli.runtime.handler_loader import (
    HandlerCache,
    HandlerLoadError,
    HandlerSpec,
    LoadedHandler,
    load_handler,
    parse_handler_spec,
)
from course_cli.runtime.inprocess import INIT_TIMEOUT_S, InProcessRuntime
from course_cli.runtime.lambda_context import CognitoIdentity, LambdaContext
from course_cli.runtime.serialization import MarshalError, copy_event, marshal_response

__all__ = [
    "INIT_TIMEOUT_S",
    "CognitoIdentity",
    "HandlerCache",
    "HandlerLoadError",
    "HandlerSpec",
    "InProcessRuntime",
    "LambdaContext",
    "LoadedHandler",
    "MarshalError",
    "copy_event",
    "load_handler",
    "marshal_response",
    "parse_handler_spec",
]
