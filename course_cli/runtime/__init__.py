"""Runs learners' Lambda handlers as Lambda's Python runtime does.

Here, in this process: `InProcessRuntime`, the gateway's `LambdaInvoker` for the learner's own
code. In `worker/`: the same runtime in a child process behind limits and walls, for grading.
"""

from __future__ import annotations

from course_cli.runtime.handler_loader import HandlerCache, HandlerLoadError, load_handler
from course_cli.runtime.handler_spec import parse_handler_spec
from course_cli.runtime.inprocess import InProcessRuntime
from course_cli.runtime.lambda_context import LambdaContext
from course_cli.runtime.serialization import MarshalError, copy_event, marshal_response

__all__ = [
    "HandlerCache",
    "HandlerLoadError",
    "InProcessRuntime",
    "LambdaContext",
    "MarshalError",
    "copy_event",
    "load_handler",
    "marshal_response",
    "parse_handler_spec",
]
