"""Fixtures for the runtime tests: handler files written to tmp_path, the root logger kept."""

from __future__ import annotations

import logging
import os
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from course_cli.gateway.invoker import LambdaResult
from course_cli.runtime import InProcessRuntime

WriteHandler = Callable[[str, str], Path]


def in_thread(call: Callable[[], LambdaResult]) -> LambdaResult:
    """Run `call` on a fresh thread (as `course serve` does) and return its result."""
    results: list[LambdaResult] = []
    thread = threading.Thread(target=lambda: results.append(call()))
    thread.start()
    thread.join(10)
    assert results, "the invocation did not return"
    return results[0]


@pytest.fixture
def write_handler(tmp_path: Path) -> WriteHandler:
    """Write `source` (dedented) to `tmp_path/name` and return its path."""

    def write(name: str, source: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        existed = path.exists()
        old_mtime = path.stat().st_mtime_ns if existed else 0
        path.write_text(textwrap.dedent(source))
        if existed:
            # Make the edit visible even within the file system's timestamp granularity.
            os.utime(path, ns=(old_mtime + 10**9, old_mtime + 10**9))
        return path

    return write


@pytest.fixture
def runtime_for(write_handler: WriteHandler) -> Callable[[str], InProcessRuntime]:
    """A runtime with one function `fn` whose handler file has `source`."""

    def make(source: str, spec_suffix: str = "") -> InProcessRuntime:
        path = write_handler("handler.py", source)
        return InProcessRuntime({"fn": f"{path}{spec_suffix}"})

    return make


@pytest.fixture(autouse=True)
def keep_root_logger() -> Iterator[None]:
    """Handlers raise the root logger's level, as Lambda code does; give it back after."""
    level = logging.root.level
    yield
    logging.root.setLevel(level)
