"""The AWS SDK for JavaScript v3 that Node.js handlers may import without bundling it, as
Lambda's nodejs18.x and newer runtimes have it built in.

`course` downloads nothing by itself: the SDK is installed once, by the command `install_command`
names, into `sdk_folder()` (`$COURSE_NODE_SDK`, else the user's cache folder). When it is there,
every `node` the Node runtime starts finds it after the handler's own `node_modules` (through
NODE_PATH, which `bootstrap.mjs` extends to ES module imports), and an isolated worker sees it
read-only (`runtime.worker.isolation`).
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

# What the lesson's JavaScript imports (exercise 06, examples/sam/products-node).
SDK_PACKAGES = ("@aws-sdk/client-dynamodb", "@aws-sdk/lib-dynamodb")
SDK_VERSION = "3"


def sdk_folder() -> Path:
    """Where the SDK is (to be) installed: `$COURSE_NODE_SDK`, else `<user cache>/course/node-sdk`
    (it can always be downloaded again; `npm install --prefix` puts it in `node_modules/`)."""
    override = os.environ.get("COURSE_NODE_SDK")
    if override:
        return Path(override).expanduser().resolve()
    import platformdirs

    return Path(platformdirs.user_cache_dir("course", appauthor=False)) / "node-sdk"


def installed_sdk() -> Path | None:
    """The SDK's `node_modules` folder when every package of `SDK_PACKAGES` is in it."""
    modules = sdk_folder() / "node_modules"
    if all((modules / name / "package.json").is_file() for name in SDK_PACKAGES):
        return modules
    return None


def install_command() -> str:
    """The one npm command that installs the SDK where `installed_sdk` looks for it."""
    packages = " ".join(f"{name}@{SDK_VERSION}" for name in SDK_PACKAGES)
    return f"npm install --prefix {shlex.quote(str(sdk_folder()))} {packages}"


def missing_sdk_hint(message: str) -> str | None:
    """For a module error naming an SDK v3 package while the SDK is not installed: what to
    run, in one sentence; else None."""
    if "@aws-sdk/" not in message or installed_sdk() is not None:
        return None
    return (
        "the AWS SDK v3, which Lambda's Node.js runtime has built in, is not installed for "
        f"course: run `{install_command()}` once"
    )
