"""Small pieces every command module shares: the progress store and JSON output."""

from __future__ import annotations

import json
import sys
from typing import Any

from course_cli.progress import ProgressStore


def open_store() -> ProgressStore:
    """The learner's progress store at its standard place."""
    return ProgressStore.default()


def flush_warnings(store: ProgressStore) -> None:
    """Print (once) whatever the store wants the learner to know, on stderr."""
    if store.warnings:
        from course_cli.ui.console import print_warning

        for warning in store.warnings:
            print_warning(warning)
        store.warnings.clear()


def print_json(document: Any) -> None:
    """Exactly one JSON document on stdout, for `--json`."""
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def stop_on_sigterm() -> None:
    """Treat SIGTERM (a supervisor, a test, `kill`) like Ctrl-C: long-running commands stop
    cleanly and flush their output."""
    import signal

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
