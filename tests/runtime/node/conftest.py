"""Fixtures for the Node.js runtime tests: the handler files, and runtimes that end their
`node` processes when the test is over. Every test here starts a real `node` (18 or newer)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from course_cli.runtime.node import NodeRuntime, node_handler_spec

HANDLERS = Path(__file__).resolve().parent / "handlers"
REPO = Path(__file__).resolve().parents[3]
LESSON_HANDLER = REPO / "examples" / "node" / "users.mjs"

MakeRuntime = Callable[..., NodeRuntime]


@pytest.fixture
def handlers(tmp_path: Path) -> Path:
    """A copy of the handler files, free to edit."""
    copy = tmp_path / "handlers"
    shutil.copytree(HANDLERS, copy)
    return copy


@pytest.fixture
def node_runtime(handlers: Path) -> Iterator[MakeRuntime]:
    """`make(name=spec, ...)`: a `NodeRuntime` for handler specs relative to `handlers`."""
    made: list[NodeRuntime] = []

    def make(**functions: str) -> NodeRuntime:
        specs = {}
        for name, text in functions.items():
            spec = node_handler_spec(text, handlers)
            assert spec is not None, text
            specs[name] = spec
        runtime = NodeRuntime(specs)
        made.append(runtime)
        return runtime

    yield make
    for runtime in made:
        runtime.close()
