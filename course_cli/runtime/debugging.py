"""`--debug`: a handler may stop in a debugger for as long as the learner needs.

`debug_session()` lifts every timeout (`timeouts.lifted`) and points `breakpoint()` at a pdb
that talks to the terminal itself, past the capture that collects a function's output for its
log (`logs`): otherwise pdb's prompt would land in the CloudWatch-style log, unseen. A
`PYTHONBREAKPOINT` the learner chose (ipdb, debugpy, 0) is left to Python.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from course_cli.runtime.timeouts import lifted


def _breakpoint_on_terminal(*args: Any, **kwargs: Any) -> Any:
    """`sys.breakpointhook` under `--debug`: pdb on the real stdin and stdout."""
    chosen = os.environ.get("PYTHONBREAKPOINT", "")
    if chosen not in ("", "pdb.set_trace"):
        return sys.__breakpointhook__(*args, **kwargs)
    import pdb

    debugger = pdb.Pdb(stdin=sys.__stdin__, stdout=sys.__stdout__)
    header = kwargs.get("header")
    if header is not None:
        debugger.message(header)
    debugger.set_trace(sys._getframe(1))
    return None


@contextmanager
def debug_session(enabled: bool = True) -> Iterator[None]:
    """While open (when `enabled`): no timeouts, and `breakpoint()` opens pdb on the terminal."""
    if not enabled:
        yield
        return
    previous_hook = sys.breakpointhook
    sys.breakpointhook = _breakpoint_on_terminal
    try:
        with lifted():
            yield
    finally:
        sys.breakpointhook = previous_hook
