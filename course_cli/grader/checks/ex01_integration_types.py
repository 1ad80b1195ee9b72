"""Checks for 01-integration-types: one case per scenario (a wrong choice shows why the right
one fits), and the MOCK health check sent through the gateway."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course_cli.grader.cases import Case, CaseFailed, expect, expect_status
from course_cli.grader.runner import SubmissionRunner

EXERCISE = "01-integration-types"
TYPES = ("AWS_PROXY", "AWS", "HTTP_PROXY", "HTTP", "MOCK")

# Scenario -> (right type, why it fits: the line shown for a wrong choice).
SCENARIOS: dict[str, tuple[str, str]] = {
    "new-orders-function": (
        "AWS_PROXY",
        "a new function that can read the request itself needs nothing reshaped: AWS_PROXY "
        "hands it the whole request and lets it own the answer",
    ),
    "legacy-billing-function": (
        "AWS",
        "a function whose input is fixed needs a request template to build that input: "
        "only the AWS (custom) integration runs one",
    ),
    "partner-weather-service": (
        "HTTP_PROXY",
        "an existing web service published as it is: HTTP_PROXY forwards request and answer "
        "unchanged",
    ),
    "inventory-service-renamed-fields": (
        "HTTP",
        "a web service whose fields must be renamed on the way needs templates: the HTTP "
        "(custom) integration has them, HTTP_PROXY does not",
    ),
    "menu-prototype": (
        "MOCK",
        "with no backend at all, MOCK answers from the integration response's template",
    ),
    "stable-contract-function": (
        "AWS",
        "templates between client and function keep the public contract fixed while the "
        "function changes: that is the AWS (custom) integration",
    ),
}


@dataclass
class Answers:
    choices: dict[str, Any]
    health_check: Any
    runner: SubmissionRunner


@contextmanager
def session(folder: Path, runner: SubmissionRunner) -> Iterator[Answers]:
    names = runner.run_file(folder / "answers.py")
    choices = names.get("CHOICES")
    yield Answers(choices if isinstance(choices, dict) else {}, names.get("HEALTH_CHECK"), runner)


def _scenario_case(scenario: str) -> Case:
    right, why = SCENARIOS[scenario]

    def run(answers: Answers) -> None:
        chosen = answers.choices.get(scenario)
        if chosen not in TYPES:
            raise CaseFailed(
                f"CHOICES[{scenario!r}] is {chosen!r}; write one of {', '.join(TYPES)}"
            )
        expect(chosen == right, f"{chosen} is not the best fit: {why}")

    return Case(
        f"scenario {scenario}",
        1,
        "ask: is there a backend, and must anything be reshaped on the way?",
        run,
    )


def _health(answers: Answers) -> Any:
    from course_cli.errors import CourseError
    from course_cli.grader.lesson_api import graded_api

    integration = answers.health_check
    if not isinstance(integration, dict):
        raise CaseFailed(f"HEALTH_CHECK must be a dict, got {type(integration).__name__}")
    table = {
        "name": "health",
        "routes": [{"resource": "/health", "method": "GET", "integration": integration}],
    }
    try:
        api = graded_api(table, answers.runner)
    except CourseError as error:
        raise CaseFailed(f"API Gateway would refuse HEALTH_CHECK: {error.message}") from None
    return api.send("GET", "/health")


def health_is_mock(answers: Answers) -> None:
    integration = answers.health_check if isinstance(answers.health_check, dict) else {}
    kind = integration.get("type")
    expect(
        kind == "MOCK", f"HEALTH_CHECK's type is {kind!r}; a health check with no backend is MOCK"
    )


def health_answers_200(answers: Answers) -> None:
    expect_status(_health(answers), 200, "GET /health")


def health_template_sets_status(answers: Answers) -> None:
    reply = _health(answers)
    chosen = reply.invocation.result
    expect(
        isinstance(chosen, dict) and chosen.get("statusCode") == 200,
        'the request template must render {"statusCode": 200}: for MOCK it chooses the '
        f"integration response; it rendered {reply.invocation.event!r}",
    )


def health_body(answers: Answers) -> None:
    reply = _health(answers)
    body = reply.json()
    expect(body == {"status": "ok"}, f'expected the body {{"status": "ok"}}, got {reply.text!r}')


CASES = (
    *(_scenario_case(scenario) for scenario in SCENARIOS),
    Case("health check is MOCK", 1, "no backend: which type answers by itself?", health_is_mock),
    Case(
        "request template picks status 200",
        1,
        'the MOCK request template is JSON with a statusCode, e.g. {"statusCode": 200}',
        health_template_sets_status,
    ),
    Case(
        "GET /health answers 200",
        1,
        "the 200 integration response must be selected",
        health_answers_200,
    ),
    Case(
        'GET /health body is {"status": "ok"}',
        1,
        "the 200 integration response's template writes the body",
        health_body,
    ),
)
