"""The API `course serve` serves from a route table: re-read when the file changes."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from course_cli.errors import CourseError
from course_cli.gateway.invoker import LambdaInvoker, LambdaResult

if TYPE_CHECKING:
    from course_cli.gateway.definition import ApiDefinition
    from course_cli.local_api import LocalApi


class LiveApi(LambdaInvoker):
    """The API `course serve` serves, and the invoker of its current functions: a route table
    that changes is re-read (handler files reload by themselves)."""

    def __init__(self, local: LocalApi) -> None:
        self.local = local
        self._stamp = self._file_stamp()

    def _file_stamp(self) -> tuple[int, int] | None:
        source = self.local.source
        with contextlib.suppress(OSError):
            if source is not None:
                info = source.stat()
                return info.st_mtime_ns, info.st_size
        return None

    def invoke(
        self, function_name: str, event: Any, timeout_s: float, wait_s: float
    ) -> LambdaResult:
        """Invoke through the current API's runtime (which copies `event`)."""
        return self.local.runtime.invoke(function_name, event, timeout_s, wait_s)

    def reload_check(self) -> ApiDefinition | None:
        stamp = self._file_stamp()
        if stamp == self._stamp or self.local.source is None:
            return None
        self._stamp = stamp
        from course_cli.local_api import api_from_file
        from course_cli.ui.console import print_warning

        try:
            fresh = api_from_file(self.local.source, stage=self.local.definition.stage)
        except CourseError as exc:
            print_warning(f"{exc.message} — still serving the previous version")
            return None
        print_warning(f"reloaded {self.local.source.name}")
        self.local = fresh
        return fresh.definition
