"""Live examples: a step's `example` id names a function here that runs it and returns a view.

Each example runs the real thing (the gateway, the runtime, the sandbox) and returns a Rich
renderable. Examples whose machinery is not built yet are simply absent: the step's Markdown
already shows their code, and pressing `r` says the live run is not available.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import RenderableType
from rich.text import Text

ExampleRunner = Callable[[], RenderableType]

# Filled in by the modules that implement examples (see `_register_builtin_examples`).
EXAMPLES: dict[str, ExampleRunner] = {}


def example(example_id: str) -> Callable[[ExampleRunner], ExampleRunner]:
    """Register the decorated function as the runner of `example_id`."""

    def register(func: ExampleRunner) -> ExampleRunner:
        EXAMPLES[example_id] = func
        return func

    return register


def available_examples() -> set[str]:
    """Ids of the examples that can run live in this version."""
    _register_builtin_examples()
    return set(EXAMPLES)


def run_example(example_id: str) -> RenderableType:
    """Run the example and return its view; a learner-friendly note if it cannot run."""
    _register_builtin_examples()
    runner = EXAMPLES.get(example_id)
    if runner is None:
        return Text(
            f"The live run of example '{example_id}' is not available in this version; "
            "its code is shown in the step above.",
            style="muted",
        )
    return runner()


def _register_builtin_examples() -> None:
    """Import the modules that register examples (deferred: they import the gateway)."""
    # Each registers its examples on import.
    import course_cli.content.crud_examples
    import course_cli.content.gateway_response_examples
    import course_cli.content.integration_examples
    import course_cli.content.proxy_examples
    import course_cli.content.vtl_examples  # noqa: F401
