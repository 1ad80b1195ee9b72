"""The process environment a sandbox runs in: fake credentials, a fixed region, nothing real.

`isolated_environment` closes every place boto3 finds credentials, a region or an endpoint
while the sandbox runs, so a learner's real AWS account is out of reach from inside.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final, Protocol

REGION: Final = "us-east-1"


class SandboxAccount(Protocol):
    """What the sandbox's functions and APIs are read from: a started `Sandbox`."""

    account_id: str
    work_dir: Path

    @property
    def region(self) -> str: ...

    def client(self, service: str) -> Any: ...

    def variables(self) -> dict[str, str]: ...

    def function_code(self, name: str) -> bytes | None: ...


# moto's own convention for credentials that are obviously not real.
FAKE_ACCESS_KEY_ID: Final = "testing"
FAKE_SECRET_ACCESS_KEY: Final = "testing"

# Every variable that could make boto3 or the AWS CLI use something other than what we set:
# credentials, profiles, config files, endpoints, metadata services, proxies, moto's own
# account override. Removed on entry (some are then set to our values).
_CLEARED_PREFIXES: Final = ("AWS_ENDPOINT_URL",)
_CLEARED: Final = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_CA_BUNDLE",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "MOTO_ACCOUNT_ID",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


def sandbox_variables(
    access_key_id: str, secret_access_key: str, endpoint_url: str | None
) -> dict[str, str]:
    """The variables a process (or a learner's shell) needs to talk to this sandbox."""
    variables = {
        "AWS_ACCESS_KEY_ID": access_key_id,
        "AWS_SECRET_ACCESS_KEY": secret_access_key,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }
    if endpoint_url is not None:
        variables["AWS_ENDPOINT_URL"] = endpoint_url
    return variables


@contextmanager
def isolated_environment(variables: Mapping[str, str]) -> Iterator[Path]:
    """Inside: only `variables` decide where AWS calls go (config files empty, in the folder
    yielded; no proxies, no instance metadata). On exit the environment is restored exactly."""
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="course-sandbox-") as folder:
        home = Path(folder)
        config, credentials = home / "config", home / "credentials"
        config.write_text("", encoding="utf-8")
        credentials.write_text("", encoding="utf-8")
        try:
            for name in list(os.environ):
                if name in _CLEARED or name.startswith(_CLEARED_PREFIXES):
                    del os.environ[name]
            os.environ.update(
                {
                    "AWS_CONFIG_FILE": str(config),
                    "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
                    # The instance metadata service is not on loopback: never ask it.
                    "AWS_EC2_METADATA_DISABLED": "true",
                    "NO_PROXY": "127.0.0.1,localhost,::1",
                    "no_proxy": "127.0.0.1,localhost,::1",
                }
            )
            os.environ.update(variables)
            _forget_default_session()
            yield home
        finally:
            os.environ.clear()
            os.environ.update(saved)
            _forget_default_session()


def _forget_default_session() -> None:
    """boto3's default session caches the credentials it found first: drop it, so that
    `boto3.client(...)` re-reads the environment (ours inside, the learner's outside)."""
    import sys

    boto3 = sys.modules.get("boto3")
    if boto3 is not None:
        boto3.DEFAULT_SESSION = None  # type: ignore[attr-defined]
