"""Finding the `node` executable that runs Node.js handlers, and checking it is new enough.

Lambda's oldest Node.js runtime still offered is nodejs18.x, so 18 is the floor here too.
Without a suitable `node`, any command given a Node.js handler stops with one line (exit 2).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache

from course_cli.errors import UsageError

MIN_NODE_MAJOR = 18
NODE_NEEDED = f"Node.js handlers need node {MIN_NODE_MAJOR} or newer on PATH"
_VERSION = re.compile(r"v?(\d+)\.(\d+)\.(\d+)")


class NodeUnavailableError(UsageError):
    """No `node` on PATH, or one older than `MIN_NODE_MAJOR`."""


def find_node() -> str:
    """The path of a `node` of version 18 or newer on PATH; `NodeUnavailableError` if none."""
    return _find_node(shutil.which("node"))[0]


def node_version() -> tuple[int, int, int]:
    """The version of `find_node()`'s node; `NodeUnavailableError` as it."""
    return _find_node(shutil.which("node"))[1]


@cache
def _find_node(executable: str | None) -> tuple[str, tuple[int, int, int]]:
    if executable is None:
        raise NodeUnavailableError(NODE_NEEDED)
    try:
        done = subprocess.run(
            [executable, "--version"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        raise NodeUnavailableError(f"{NODE_NEEDED} ({executable} does not run)") from None
    found = _VERSION.match(done.stdout.strip())
    if found is None:
        raise NodeUnavailableError(f"{NODE_NEEDED} ({executable} gave no version)")
    if int(found.group(1)) < MIN_NODE_MAJOR:
        raise NodeUnavailableError(f"{NODE_NEEDED} (found {done.stdout.strip()})")
    major, minor, patch = (int(part) for part in found.groups())
    return executable, (major, minor, patch)
