"""The offline AWS every example and exercise runs in: moto behind fake credentials.

`Sandbox` (in `session.py`) starts moto in this process, optionally with its server on
127.0.0.1; `rest_api.py` reads the REST API a learner built into our gateway's
`ApiDefinition`; `openapi.py` does the same for an OpenAPI 3 document; `functions.py` maps
Lambda functions to handler files; `crud.py` deploys topic 5's products API.

Nothing here imports boto3 or moto at module level: `course --help` must stay fast.
"""

from __future__ import annotations

from course_cli.sandbox.session import Sandbox, SandboxError

__all__ = ["Sandbox", "SandboxError"]
