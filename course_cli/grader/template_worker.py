"""A learner's mapping templates rendered in a worker, never in the grading process.

A template is code, and the VTL limits are an in-process check, while the grading process
holds every learner's grade: behind `course grade`'s wall each template renders in a worker
of its own, and only its output, warnings and `$context` come back as JSON. A worker that
does not answer in time is ended and the render is a template error.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from course_cli.gateway.vtl import Rendered, TemplateData
    from course_cli.runtime.worker.functions import IsolatedRuntime
    from course_cli.runtime.worker.process import Limits

# Beyond the render's own limit (`vtl_limits.RENDER_SECONDS`): a worker's start and import.
_START_S = 10.0


class TemplateWorker:
    """Renders templates (`vtl.render_template`'s contract) in one isolated worker."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._folder: Path | None = None
        self._runtime: IsolatedRuntime | None = None

    def __call__(self, text: str, data: TemplateData) -> Rendered:
        """What rendering `text` against `data` gives; `TemplateError` as the engine raises
        it, or `TemplateLimitError` when the worker does not answer."""
        from course_cli.gateway.vtl import Rendered, TemplateError, TemplateLimitError
        from course_cli.gateway.vtl.limits import RENDER_SECONDS

        message = {
            "op": "render",
            "id": secrets.token_hex(16),
            "text": text,
            "data": _plain({field.name: getattr(data, field.name) for field in fields(data)}),
        }
        reply = self._worker().exchange(message, RENDER_SECONDS + _START_S)
        rendered = reply.get("rendered") if reply is not None else None
        if isinstance(rendered, dict):
            output, warnings, context = (rendered.get(k) for k in ("output", "warnings", "context"))
            if isinstance(output, str) and isinstance(warnings, list) and isinstance(context, dict):
                return Rendered(output, [str(w) for w in warnings], context)
        problem = reply.get("template_error") if reply is not None else None
        if isinstance(problem, dict):
            hint = problem.get("hint")
            kind = TemplateLimitError if problem.get("limit") is True else TemplateError
            raise kind(
                str(problem.get("reason", "the template failed")),
                _number(problem.get("line")),
                _number(problem.get("column")),
                str(hint) if hint is not None else None,
            )
        raise TemplateLimitError(
            "the template did not finish rendering (its worker ran out of time or ended)",
            1,
            1,
            "look for a loop that never ends, or work that grows with every step",
        )

    def _worker(self) -> IsolatedRuntime:
        from course_cli.runtime.worker.functions import IsolatedRuntime

        if self._runtime is None:
            self._folder = Path(tempfile.mkdtemp(prefix="course-templates-"))
            self._runtime = IsolatedRuntime({}, limits=self.limits, workdir=self._folder)
        return self._runtime

    def close(self) -> None:
        """End the worker (the next render starts a fresh one)."""
        if self._runtime is not None:
            self._runtime.close()
            self._runtime = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None


def _plain(value: Any) -> Any:
    """`value` with its mappings as dicts and sequences as lists (for the JSON frame)."""
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _number(value: Any) -> int:
    return value if isinstance(value, int) and value > 0 else 1
