"""The per-request line of `course serve`: exact text, even for targets that look like markup."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from course_cli.gateway.server import RequestRecord
from course_cli.ui import console as console_module
from course_cli.ui.request_log import print_request


@pytest.mark.parametrize("terminal", [False, True])
def test_line_is_printed_as_sent(monkeypatch: pytest.MonkeyPatch, terminal: bool) -> None:
    out = io.StringIO()
    fake = Console(
        file=out, force_terminal=terminal, color_system=None, width=200, theme=console_module.THEME
    )
    monkeypatch.setattr("course_cli.ui.request_log.get_console", lambda: fake)
    print_request(RequestRecord("GET", "/a?x[ok]=2&y=[b]", 502, 1.25, "127.0.0.1"))
    print_request(RequestRecord("POST", "/b", 200, 0.5, "127.0.0.1", error=ValueError("boom")))
    assert out.getvalue().splitlines() == [
        "GET /a?x[ok]=2&y=[b] 502 1.2 ms",
        "POST /b 200 0.5 ms",
        "  boom",
    ]
