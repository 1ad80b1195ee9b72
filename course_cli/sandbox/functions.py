"""Lambda functions in the sandbox: registered in moto, run from the learner's handler files.

moto's Lambda runs no code without Docker, so the sandbox keeps which handler file a function
stands for: `create_function` registers it with moto (tagged with the file, for other
processes), `resolve_functions` maps names back, `SandboxInvoker` runs them in-process.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from course_cli.errors import CourseError
from course_cli.gateway.invoker import (
    DEFAULT_FUNCTION_TIMEOUT_S,
    FunctionNotFound,
    LambdaInvoker,
    LambdaResult,
)

if TYPE_CHECKING:
    from course_cli.runtime import InProcessRuntime
    from course_cli.runtime.node import RuntimeRouter
    from course_cli.sandbox.environment import SandboxAccount

# The tag that records a function's handler file, `path/to/file.py:function`.
HANDLER_TAG: Final = "course:handler"
ROLE_NAME: Final = "course-sandbox-lambda"
RUNTIME: Final = "python3.12"
_TRUST_POLICY: Final = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


@dataclass(frozen=True)
class SandboxFunction:
    """A Lambda function as the sandbox runs it: its handler file and Lambda settings."""

    name: str
    handler: str  # `file.py:function`
    timeout_s: float = DEFAULT_FUNCTION_TIMEOUT_S
    environment: Mapping[str, str] = field(default_factory=dict)


def zip_handler(path: Path) -> bytes:
    """A deployment package holding one handler file at its top level, as Lambda expects."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(path, arcname=path.name)
    return buffer.getvalue()


def ensure_role(sandbox: SandboxAccount) -> str:
    """The ARN of an execution role Lambda may assume (moto refuses functions without one)."""
    iam = sandbox.client("iam")
    try:
        return str(iam.get_role(RoleName=ROLE_NAME)["Role"]["Arn"])
    except iam.exceptions.NoSuchEntityException:
        role = iam.create_role(
            RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps(_TRUST_POLICY)
        )
        return str(role["Role"]["Arn"])


def create_function(
    sandbox: SandboxAccount,
    name: str,
    handler_file: Path,
    *,
    function: str = "handler",
    environment: Mapping[str, str] | None = None,
    timeout_s: float = DEFAULT_FUNCTION_TIMEOUT_S,
) -> str:
    """Register `handler_file` as Lambda function `name` with moto; returns the function ARN.

    Raises `CourseError` when the file does not exist (moto would accept an empty package).
    """
    path = handler_file.resolve()
    if not path.is_file():
        raise CourseError(f"no handler file {handler_file}", hint="give the path of a .py file")
    answer = sandbox.client("lambda").create_function(
        FunctionName=name,
        Runtime=RUNTIME,
        Role=ensure_role(sandbox),
        Handler=f"{path.stem}.{function}",
        Code={"ZipFile": zip_handler(path)},
        Timeout=max(1, round(timeout_s)),
        Environment={"Variables": dict(environment or {})},
        Tags={HANDLER_TAG: f"{path}:{function}"},
    )
    return str(answer["FunctionArn"])


def resolve_functions(
    sandbox: SandboxAccount, names: Iterable[str], code_dir: Path
) -> tuple[dict[str, SandboxFunction], list[str]]:
    """The functions among `names` that exist in moto, with their handler files, and the
    names that do not. The file is its `course:handler` tag's, else moto's code unpacked into
    `code_dir`, else the handler module in the working folder."""
    client = sandbox.client("lambda")
    found: dict[str, SandboxFunction] = {}
    missing: list[str] = []
    for name in sorted(set(names)):
        try:
            answer = client.get_function(FunctionName=name)
        except client.exceptions.ResourceNotFoundException:
            missing.append(name)
            continue
        config = answer["Configuration"]
        handler = _handler_file(sandbox, name, config, answer.get("Tags") or {}, code_dir)
        if handler is None:
            missing.append(name)
            continue
        variables = (config.get("Environment") or {}).get("Variables") or {}
        found[name] = SandboxFunction(
            name, handler, float(config.get("Timeout", DEFAULT_FUNCTION_TIMEOUT_S)), variables
        )
    return found, missing


def _handler_file(
    sandbox: SandboxAccount,
    name: str,
    config: Mapping[str, Any],
    tags: Mapping[str, str],
    code_dir: Path,
) -> str | None:
    tagged = tags.get(HANDLER_TAG)
    if tagged and Path(tagged.rsplit(":", 1)[0]).is_file():
        return tagged
    module, _, function = str(config.get("Handler", "")).rpartition(".")
    if not module or not function:
        return None
    code = sandbox.function_code(name)
    if code:
        folder = code_dir / name
        folder.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(io.BytesIO(code)) as archive:
            archive.extractall(folder)
        candidate = folder / f"{module.replace('.', '/')}.py"
        if candidate.is_file():
            return f"{candidate}:{function}"
    local = Path.cwd() / f"{module.replace('.', '/')}.py"
    return f"{local}:{function}" if local.is_file() else None


class SandboxInvoker(LambdaInvoker):
    """The gateway's `LambdaInvoker` for sandbox functions: their handler files, in-process,
    with the variables Lambda sets (the function's own, its credentials, its region)."""

    def __init__(
        self,
        functions: Mapping[str, SandboxFunction],
        credentials: Mapping[str, str],
        *,
        account_id: str,
        region: str,
    ) -> None:
        from course_cli.runtime.node.routing import runtime_for

        self.functions = dict(functions)
        # Each function sees its own variables and none of another's, only while it runs.
        environments = {
            name: {
                **credentials,
                "AWS_REGION": region,
                "AWS_DEFAULT_REGION": region,
                **fn.environment,
                "AWS_LAMBDA_FUNCTION_NAME": name,
            }
            for name, fn in self.functions.items()
        }
        # A function whose file is JavaScript runs in node, as `course invoke` runs it.
        self.runtime: InProcessRuntime | RuntimeRouter = runtime_for(
            {name: fn.handler for name, fn in self.functions.items()}, environments=environments
        )
        self._account_id = account_id
        self._region = region

    def invoke(
        self, function_name: str, event: Any, timeout_s: float, wait_s: float
    ) -> LambdaResult:
        """Run the function; an unknown name raises the gateway's `FunctionNotFound`."""
        if function_name not in self.functions:
            raise FunctionNotFound(
                function_name, "no function of that name was created in the sandbox"
            )
        return self.runtime.invoke(function_name, event, timeout_s, wait_s)
