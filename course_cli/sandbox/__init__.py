"""The offline AWS every example and exercise runs in: moto behind fake credentials.

`Sandbox` (in `session.py`) starts it; the other modules read what a learner built there (or
in an OpenAPI document) into the gateway's `ApiDefinition`, and run its Lambda functions.

Nothing here imports boto3 or moto at module level: `course --help` must stay fast.
"""

from __future__ import annotations

from course_cli.sandbox.session import Sandbox, SandboxError

__all__ = ["Sandbox", "SandboxError"]
