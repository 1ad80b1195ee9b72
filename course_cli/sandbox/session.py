"""A sandbox: moto's AWS in this process, with fake credentials and nothing real reachable.

```python
with Sandbox() as sandbox:                 # in-process: boto3 calls are answered by moto
    sandbox.client("dynamodb").create_table(...)
with Sandbox(server=True) as sandbox:      # and moto's server on 127.0.0.1, for other processes
    print(sandbox.endpoint_url)
```

Inside, any boto3 client in the process reaches moto (`mock_aws` stays on in server mode
too, so a real AWS host is answered by moto). Several sandboxes at once are separate moto
accounts, each with its own access key.
"""

from __future__ import annotations

import functools
import itertools
import tempfile
import threading
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from course_cli.errors import CourseError, UsageError
from course_cli.gateway.http import is_loopback_url
from course_cli.sandbox.environment import (
    FAKE_ACCESS_KEY_ID,
    FAKE_SECRET_ACCESS_KEY,
    REGION,
    isolated_environment,
    sandbox_variables,
)

if TYPE_CHECKING:
    from course_cli.sandbox.moto_server import MotoServer
    from course_cli.sandbox.rest_api import SandboxApi

DEFAULT_ACCOUNT_ID: Final = "123456789012"  # moto's default, and the lesson's
_lock = threading.Lock()
_active: list[Sandbox] = []
_extra_accounts = itertools.count(210000000001)


class SandboxError(CourseError):
    """Something the learner asked of the sandbox does not exist or cannot be done."""


class Sandbox:
    """moto's AWS for one learner or one test: fake credentials, region us-east-1.

    `server=True` also serves moto on 127.0.0.1 (`port`, 0 for a free one).
    `endpoint_url` instead connects to a sandbox another process serves (`course sandbox up`);
    it must be a loopback URL. A context manager; `start()`/`close()` for longer lives.
    """

    region: Final = REGION

    def __init__(
        self, *, server: bool = False, port: int = 0, endpoint_url: str | None = None
    ) -> None:
        if endpoint_url is not None:
            check_loopback(endpoint_url)
        self._want_server = server
        self._port = port
        self.endpoint_url: str | None = endpoint_url
        self.account_id = DEFAULT_ACCOUNT_ID
        self.access_key_id = FAKE_ACCESS_KEY_ID
        self.secret_access_key = FAKE_SECRET_ACCESS_KEY
        self.server: MotoServer | None = None
        self._stack = ExitStack()
        self._clients: dict[str, Any] = {}
        self._session: Any = None
        self.work_dir = Path()
        self.started = False

    # --- life ---

    def start(self) -> Sandbox:
        """Start moto (and its server), take an account, and isolate the environment."""
        from moto import mock_aws

        try:
            mock = mock_aws()
            mock.start()
            self._stack.callback(mock.stop)
            with _lock:
                connected = self.endpoint_url is not None
                if _active and not connected:
                    self._new_account()
                _active.append(self)
            self._stack.callback(_active.remove, self)
            if self._want_server:
                from course_cli.sandbox.moto_server import MotoServer

                self.server = MotoServer(self._port)
                self._stack.callback(self.server.stop)
                self.endpoint_url = self.server.endpoint_url
            self._stack.enter_context(isolated_environment(self.variables()))
            self.work_dir = Path(self._stack.enter_context(tempfile.TemporaryDirectory()))
        except BaseException:
            self._stack.close()
            raise
        self.started = True
        return self

    def close(self) -> None:
        """Stop everything `start` began; moto forgets this sandbox's data with the last one."""
        self._clients.clear()
        self._session = None
        self.started = False
        self._stack.close()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _new_account(self) -> None:
        """A fresh moto account with its own access key: moto maps the key to the account."""
        from moto.iam.models import iam_backends

        self.account_id = str(next(_extra_accounts))
        iam = iam_backends[self.account_id]["aws"]
        iam.create_user(REGION, "course-sandbox")
        key = iam.create_access_key("course-sandbox")
        self.access_key_id = key.access_key_id
        self.secret_access_key = key.secret_access_key

    # --- talking to it ---

    def variables(self) -> dict[str, str]:
        """The variables that point boto3 or the AWS CLI at this sandbox (to export)."""
        return sandbox_variables(self.access_key_id, self.secret_access_key, self.endpoint_url)

    def client(self, service: str) -> Any:
        """A boto3 client for `service` in this sandbox's account (cached)."""
        client = self._clients.get(service)
        if client is None:
            client = self._clients[service] = self.session().client(service, **self._where())
        return client

    def resource(self, service: str) -> Any:
        """A boto3 resource (e.g. `dynamodb`) in this sandbox's account."""
        return self.session().resource(service, **self._where())

    def _where(self) -> dict[str, Any]:
        """Where this process's clients send their calls: straight to moto when its server
        runs in this process (no HTTP round trip), else to `endpoint_url`."""
        if self.server is None:
            return {"endpoint_url": self.endpoint_url}
        from botocore.config import Config  # type: ignore[import-untyped]

        # AWS_ENDPOINT_URL is set for the learner's code; this process's own calls skip it.
        return {"config": Config(ignore_configured_endpoint_urls=True)}

    def session(self) -> Any:
        """A boto3 session with this sandbox's fake credentials and region, nothing else."""
        if not self.started:
            raise SandboxError("the sandbox is not running", hint="use it inside `with Sandbox():`")
        if self._session is None:
            self._session = _boto3_session(self.access_key_id, self.secret_access_key, self.region)
        return self._session

    def function_code(self, name: str) -> bytes | None:
        """The zip moto holds for function `name`, when moto's state lives in this process."""
        if self.endpoint_url is not None and self.server is None:
            return None  # connected to another process: its moto holds the code
        from moto.awslambda.models import lambda_backends

        try:
            function = lambda_backends[self.account_id][self.region].get_function(name)
        except Exception:  # moto's own not-found error; the caller falls back
            return None
        code = getattr(function, "code_bytes", b"")
        return bytes(code) or None

    # --- what the learner built ---

    def api(self, api_id: str | None = None, stage: str | None = None) -> SandboxApi:
        """The REST API the learner created here, ready for our gateway (see `rest_api`)."""
        from course_cli.sandbox.rest_api import load_sandbox_api

        return load_sandbox_api(self, api_id, stage)

    def tables(self) -> list[str]:
        """The DynamoDB tables in this sandbox."""
        return list(self.client("dynamodb").list_tables()["TableNames"])

    def scan(self, table: str) -> list[dict[str, Any]]:
        """Every item of `table` (all pages), as the boto3 resource API returns them."""
        client = self.client("dynamodb")
        if table not in self.tables():
            known = ", ".join(self.tables()) or "none"
            raise SandboxError(
                f"no DynamoDB table {table!r} in the sandbox (tables: {known})",
                hint="create it with create_table, or deploy the reference with --crud",
            )
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"TableName": table}
        from boto3.dynamodb.types import TypeDeserializer  # type: ignore[import-untyped]

        deserialize = TypeDeserializer().deserialize
        while True:
            page = client.scan(**kwargs)
            items += [{k: deserialize(v) for k, v in item.items()} for item in page["Items"]]
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


@functools.cache
def _boto3_session(access_key_id: str, secret_access_key: str, region: str) -> Any:
    """One boto3 session per set of fake credentials, for the life of the process: it keeps
    the parsed service models, and no AWS state (moto's backends hold that)."""
    import boto3  # type: ignore[import-untyped]

    return boto3.Session(
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
        region_name=region,
    )


def check_loopback(url: str) -> None:
    """Raise `UsageError` unless `url` is http(s) on a loopback address: the sandbox never
    talks to anything else."""
    if not is_loopback_url(url):
        raise UsageError(
            f"the sandbox endpoint {url!r} is not on this machine",
            hint="the sandbox only talks to 127.0.0.1; start one with `course sandbox up`",
        )
