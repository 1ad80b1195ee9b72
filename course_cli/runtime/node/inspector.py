"""`--debug` for a Node.js handler: its `node` waits for a debugger, on 127.0.0.1 only.

Python handlers stop in pdb on the terminal (`runtime.debugging`); node has no such prompt, so
under `--debug` each `node` is started with `--inspect-brk` and waits until a debugger attaches
(VS Code's "Attach to Node Process", Chrome's chrome://inspect, or `node inspect HOST:PORT`),
as `sam local invoke -d` starts it. Node's usual port is taken when it is free, so a default
attach configuration finds it; otherwise any free one, and the line printed says which.
"""

from __future__ import annotations

import contextlib
import socket
import sys
from typing import Final

HOST: Final = "127.0.0.1"
DEFAULT_PORT: Final = 9229  # node's own default, what editors' attach settings expect


def inspector_address() -> str:
    """`127.0.0.1:PORT` for a new node's inspector: node's default port when it is free."""
    for port in (DEFAULT_PORT, 0):
        with contextlib.suppress(OSError), socket.socket() as probe:
            probe.bind((HOST, port))
            return f"{HOST}:{probe.getsockname()[1]}"
    raise OSError("no free port on 127.0.0.1 for node's inspector")


def announce(address: str, function_name: str) -> None:
    """Tell the learner, on the terminal itself (past any output capture), where node waits."""
    print(
        f"debug: node for {function_name} waits for a debugger on {address}: attach one "
        f"(VS Code: Attach to Node Process; Chrome: chrome://inspect; or `node inspect "
        f"{address}`), then continue past its first stop; a `debugger;` statement in the "
        "handler stops there",
        file=sys.__stderr__,
        flush=True,
    )
