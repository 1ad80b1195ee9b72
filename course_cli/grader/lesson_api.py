"""An API for the checks, built the way the lesson builds its live examples: a route table
(`course_cli.gateway.route_table`) through the real gateway pipeline, with the functions run
by the submission runner."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from course_cli.grader.cases import Reply, answered

if TYPE_CHECKING:
    from course_cli.gateway.context import TemplateRenderer
    from course_cli.gateway.definition import ApiDefinition
    from course_cli.gateway.invoker import LambdaInvoker
    from course_cli.grader.runner import SubmissionRunner, SubmittedFunction


@dataclass
class GradedApi:
    """A deployed stage the cases send requests to."""

    definition: ApiDefinition
    invoker: LambdaInvoker
    # Who renders the learner's templates (`SubmissionRunner.template_renderer`).
    renderer: TemplateRenderer | None = None

    def send(
        self,
        method: str,
        path: str,
        *,
        query: Iterable[tuple[str, str]] = (),
        headers: Iterable[tuple[str, str]] = (),
        body: str | None = None,
    ) -> Reply:
        """One request to `path` on the stage (the stage prefix is added here)."""
        from course_cli.gateway.pipeline import handle_request
        from course_cli.local_api import build_request

        request = build_request(
            method, f"/{self.definition.stage}{path}", query=query, headers=headers, body=body
        )
        return answered(
            handle_request(self.definition, request, self.invoker, renderer=self.renderer)
        )


def graded_api(
    table: dict[str, Any],
    runner: SubmissionRunner,
    functions: Mapping[str, SubmittedFunction] | None = None,
) -> GradedApi:
    """The API of route table `table`, its `functions` run by `runner`; `ApiDefinitionError`
    when AWS would refuse the table."""
    from course_cli.gateway.route_table import load_route_table

    functions = dict(functions or {})
    table = {
        **table,
        "functions": {
            name: {"handler": f.handler, "timeout": f.timeout_s} for name, f in functions.items()
        },
    }
    return GradedApi(
        load_route_table(table, source="the exercise's API"),
        runner.invoker(functions),
        runner.template_renderer(),
    )
