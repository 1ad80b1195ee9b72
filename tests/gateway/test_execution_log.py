"""The execution log (spec §4) from `cases/log.json`, and its formatting helpers."""

from __future__ import annotations

import re
from typing import Any

from course_cli.gateway.execution_log import (
    MESSAGE_LIMIT,
    ExecutionLog,
    format_log_time,
    format_request_time,
    java_map,
    truncate,
)

CASE_FILE = "log"


def matches(expected: Any, message: str) -> bool:
    if isinstance(expected, str):
        return message == expected
    if "startswith" in expected:
        return message.startswith(expected["startswith"])
    return re.search(expected["regex"], message) is not None


def test_log_case(kit: Any, case: dict[str, Any]) -> None:
    invocation = kit.run(kit.api(case["api"]), kit.request(case["request"]), kit.handler_for(case))
    messages = invocation.log.messages
    if "expect_messages" in case:
        assert len(messages) == len(case["expect_messages"]), messages
        for expected, message in zip(case["expect_messages"], messages, strict=True):
            assert matches(expected, message), (expected, message)
    if "expect_tail" in case:
        tail = messages[-len(case["expect_tail"]) :]
        for expected, message in zip(case["expect_tail"], tail, strict=True):
            assert matches(expected, message), (expected, message)
    for forbidden in case.get("never", []):
        assert forbidden not in messages
    for prefix in case.get("truncated", []):
        (message,) = [m for m in messages if m.startswith(prefix)]
        assert message.endswith(" [TRUNCATED]")
        assert len(message) == MESSAGE_LIMIT + len(" [TRUNCATED]")
    # The learner's explanations are never mixed into AWS's lines.
    for explanation in invocation.log.explanations:
        assert explanation not in messages


def test_lines_carry_test_invoke_timestamps(kit: Any) -> None:
    api = kit.api({"resource": "/x", "methods": ["GET"]})
    invocation = kit.run(api, kit.request({"path": "/x"}))
    first = invocation.log.lines[0]
    assert first == (
        "Fri May 15 06:01:09 UTC 2020 : Starting execution for request: "
        "c0ffee00-0000-4000-8000-000000000001"
    )
    assert str(invocation.log).splitlines() == invocation.log.lines
    assert len(invocation.log) == len(invocation.log.lines)


def test_missing_route_explains_but_logs_nothing(kit: Any) -> None:
    api = kit.api({"resource": "/x", "methods": ["GET"]})
    invocation = kit.run(api, kit.request({"path": "/y"}))
    assert invocation.log.lines == []
    (explanation,) = invocation.log.explanations
    assert "Missing Authentication Token" in explanation


def test_time_formats_use_english_names() -> None:
    # 15 May 2020 06:01:09 UTC was a Friday, whatever the machine's locale.
    assert format_log_time(1589522469.9) == "Fri May 15 06:01:09 UTC 2020"
    assert format_request_time(1589522469.9) == "15/May/2020:06:01:09 +0000"
    assert format_request_time(1589522470) == "15/May/2020:06:01:10 +0000"


def test_java_map() -> None:
    assert java_map([]) == "{}"
    assert java_map([("userId", "123"), ("x", None), ("n", 1)]) == "{userId=123, x=null, n=1}"


def test_truncate_at_aws_limit() -> None:
    assert truncate("x" * MESSAGE_LIMIT) == "x" * MESSAGE_LIMIT
    assert truncate("x" * (MESSAGE_LIMIT + 1)) == "x" * MESSAGE_LIMIT + " [TRUNCATED]"


def test_lazy_messages_render_when_read() -> None:
    rendered = []
    log = ExecutionLog(at=1589522469)

    def late() -> str:
        rendered.append(True)
        return "rendered late"

    log.add("now", late)
    log.explain("for the learner")
    assert rendered == []
    assert log.messages == ["now", "rendered late"]
    assert log.explanations == ["for the learner"]
