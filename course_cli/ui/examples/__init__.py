"""Live examples: a step's `example` id names a function here that runs it and returns a view.

Each example runs the real thing (the gateway, the runtime, the sandbox) and returns a Rich
renderable; each module of this package lists its runners in `RUNNERS`. A step whose example
is not here shows its code only, and pressing `r` says the live run is not available.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from rich.console import RenderableType
from rich.text import Text

ExampleRunner = Callable[[], RenderableType]


@cache
def _runners() -> dict[str, ExampleRunner]:
    # Imported on first use: they import the gateway, the runtime and the sandbox.
    from course_cli.ui.examples import (
        beyond,
        crud,
        gateway_responses,
        integrations,
        proxy,
        vtl,
    )

    modules = (beyond, crud, gateway_responses, integrations, proxy, vtl)
    return {name: runner for module in modules for name, runner in module.RUNNERS.items()}


def available_examples() -> set[str]:
    """Ids of the examples that can run live in this version."""
    return set(_runners())


def run_example(example_id: str) -> RenderableType:
    """Run the example and return its view; a learner-friendly note if it cannot run."""
    runner = _runners().get(example_id)
    if runner is None:
        return Text(
            f"The live run of example '{example_id}' is not available in this version; "
            "its code is shown in the step above.",
            style="muted",
        )
    return runner()
