"""The per-request line of `course serve`: exact text, even for targets that look like markup."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from course_cli.gateway.server import RequestRecord
from course_cli.local_api import api_for_handler, build_request
from course_cli.ui import console as console_module
from course_cli.ui.request_log import print_request


@pytest.fixture(params=[False, True], ids=["piped", "terminal"])
def out(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """What `print_request` writes, piped or to a terminal."""
    written = io.StringIO()
    fake = Console(
        file=written,
        force_terminal=request.param,
        color_system=None,
        width=200,
        theme=console_module.THEME,
    )
    monkeypatch.setattr("course_cli.ui.request_log.get_console", lambda: fake)
    return written


def test_line_is_printed_as_sent(out: io.StringIO) -> None:
    print_request(RequestRecord("GET", "/a?x[ok]=2&y=[b]", 502, 1.25, "127.0.0.1"))
    print_request(RequestRecord("POST", "/b", 200, 0.5, "127.0.0.1", error=ValueError("boom")))
    assert out.getvalue().splitlines() == [
        "GET /a?x[ok]=2&y=[b] 502 1.2 ms",
        "POST /b 200 0.5 ms",
        "  boom",
    ]


def test_what_the_function_printed_follows_its_line(out: io.StringIO, tmp_path: Path) -> None:
    handler = tmp_path / "talks.py"
    handler.write_text(
        "def handler(event, context):\n"
        "    print('saw', event['path'])\n"
        "    if event['path'] == '/boom':\n"
        "        raise KeyError('id')\n"
        "    return {'statusCode': 200, 'body': ''}\n"
    )
    api = api_for_handler(str(handler))
    for path in ("/a", "/boom"):
        invocation = api.send(build_request("GET", path))
        assert invocation.response is not None
        print_request(RequestRecord("GET", path, invocation.response.status, 1.0, "-", invocation))
    lines = out.getvalue().splitlines()
    assert lines[:3] == ["GET /a 200 1.0 ms", "  | saw /a", "GET /boom 502 1.0 ms"]
    assert lines[3] == "  | saw /boom"
    assert lines[4].startswith("  | [ERROR] KeyError: 'id'")  # the runtime's error lines too
    assert not any("RequestId:" in line for line in lines)  # no START, END or REPORT lines
    # Last, why the client got a 502, in plain words.
    assert lines[-1].startswith("  why: The function raised KeyError: 'id'.")


def test_a_failed_request_says_why_under_its_line(out: io.StringIO, tmp_path: Path) -> None:
    handler = tmp_path / "dict_body.py"
    handler.write_text("def handler(event, context):\n    return {'body': {'id': 1}}\n")
    api = api_for_handler(str(handler), ["/items"])
    for path in ("/items", "/other"):
        invocation = api.send(build_request("GET", path))
        assert invocation.response is not None
        print_request(RequestRecord("GET", path, invocation.response.status, 1.0, "-", invocation))
    lines = out.getvalue().splitlines()
    assert lines[0] == "GET /items 502 1.0 ms"
    assert lines[1].startswith("  why: ") and "`body` must be a string, but it is dict" in lines[1]
    assert lines[2] == "GET /other 403 1.0 ms"
    assert lines[3].startswith("  why: No resource of this API matches the path /other.")
    assert len(lines) == 4


def test_a_header_name_with_cr_lf_stays_on_its_why_line(out: io.StringIO, tmp_path: Path) -> None:
    handler = tmp_path / "split.py"
    handler.write_text(
        "def handler(event, context):\n"
        "    return {'statusCode': 200, 'headers': {'X-A\\r\\nSet-Cookie: x': '1'}, 'body': ''}\n"
    )
    invocation = api_for_handler(str(handler)).send(build_request("GET", "/"))
    assert invocation.response is not None
    print_request(RequestRecord("GET", "/", invocation.response.status, 1.0, "-", invocation))
    lines = out.getvalue().splitlines()
    assert lines[0] == "GET / 502 1.0 ms"
    assert lines[1].startswith("  why: ") and "X-A\\r\\nSet-Cookie" in lines[1]
    assert len(lines) == 2 and "\r" not in out.getvalue()
