"""`NodeRuntime` as Lambda's Node.js runtime behaves: results, errors, context, the log,
timeouts, a process that dies, and edits picked up. Each test starts a real `node`."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

from course_cli.errors import HandlerError
from course_cli.gateway.invoker import Outcome
from tests.runtime.node.conftest import MakeRuntime

EVENT = {"path": "/x", "pathParameters": None}
TIMESTAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


def test_an_async_handler_answers_with_its_json(node_runtime: MakeRuntime) -> None:
    runtime = node_runtime(users="common.cjs")
    result = runtime("users", EVENT)
    assert result.outcome is Outcome.OK
    assert json.loads(result.payload) == {"statusCode": 200, "body": "cjs"}
    assert result.value == {"statusCode": 200, "body": "cjs"}


@pytest.mark.parametrize("spec", ["common.js", "common.cjs", "esm-folder/index.js"])
def test_commonjs_and_esm_in_js_files(node_runtime: MakeRuntime, spec: str) -> None:
    result = node_runtime(fn=spec)("fn", EVENT)
    assert result.outcome is Outcome.OK, result.payload
    assert json.loads(result.payload)["statusCode"] == 200


def test_lambdas_index_handler_form(node_runtime: MakeRuntime) -> None:
    result = node_runtime(fn="esm-folder/index.handler")("fn", EVENT)
    assert json.loads(result.payload)["body"] == "esm in a .js file"


def test_callback_style(node_runtime: MakeRuntime) -> None:
    result = node_runtime(fn="callback_style.js")("fn", EVENT)
    assert result.outcome is Outcome.OK
    assert json.loads(json.loads(result.payload)["body"]) == {"remaining": True}


def test_callback_with_an_error(node_runtime: MakeRuntime) -> None:
    result = node_runtime(fn="callback_error.js")("fn", EVENT)
    assert result.outcome is Outcome.ERROR
    assert result.error is not None
    assert (result.error["errorType"], result.error["errorMessage"]) == ("Error", "no such user")


def test_a_thrown_error_has_lambdas_node_shape(node_runtime: MakeRuntime) -> None:
    result = node_runtime(fn="throws.mjs")("fn", EVENT)
    assert result.outcome is Outcome.ERROR
    error = json.loads(result.payload)
    assert list(error) == ["errorType", "errorMessage", "trace"]
    assert error["errorType"] == "TypeError"
    assert error["errorMessage"] == "user.name is undefined"
    assert error["trace"][0] == "TypeError: user.name is undefined"
    assert "throws.mjs:2" in error["trace"][1]
    assert not any("bootstrap.mjs" in line for line in error["trace"])
    # The runtime logs it too, as Lambda's does.
    logged = re.search(
        rf"^{TIMESTAMP}\t{result.request_id}\tERROR\tInvoke Error \t(.*)$", result.logs, re.M
    )
    assert logged, result.logs
    assert json.loads(logged[1])["errorMessage"] == "user.name is undefined"


def test_a_thrown_string(node_runtime: MakeRuntime) -> None:
    result = node_runtime(fn="throws_string.mjs")("fn", EVENT)
    assert json.loads(result.payload) == {
        "errorType": "string",
        "errorMessage": "plain text",
        "trace": [],
    }


def test_undefined_is_null(node_runtime: MakeRuntime) -> None:
    result = node_runtime(fn="returns_undefined.mjs")("fn", EVENT)
    assert (result.outcome, result.payload) == (Outcome.OK, "null")


def test_the_context_object(node_runtime: MakeRuntime) -> None:
    result = node_runtime(orders="context.mjs")("orders", EVENT, timeout_s=5)
    context = json.loads(json.loads(result.payload)["body"])
    assert context["awsRequestId"] == result.request_id
    assert context["functionName"] == "orders"
    assert context["functionVersion"] == "$LATEST"
    assert context["memoryLimitInMB"] == "128"
    assert context["logGroupName"] == "/aws/lambda/orders"
    assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", context["logStreamName"])
    assert context["invokedFunctionArn"].endswith(":function:orders")
    assert 4000 < context["remaining"] <= 5000
    assert context["waits"] is True


def test_console_lines_in_lambdas_node_format(node_runtime: MakeRuntime) -> None:
    result = node_runtime(fn="logs.mjs")("fn", EVENT)
    lines = result.logs.splitlines()
    request_id = result.request_id
    # What the module logged while loading: before START, request id "undefined".
    assert re.fullmatch(rf"{TIMESTAMP}\tundefined\tINFO\tloading the module", lines[0])
    assert lines[1].startswith(f"START RequestId: {request_id}")
    expected = [
        ("INFO", "hello from /x"),
        ("INFO", "an info line"),
        ("WARN", "a warning"),
        ("ERROR", "an error line"),
        ("DEBUG", "a debug line"),
        ("INFO", '{"type":"result","payload":"null"}'),
    ]
    for line, (level, message) in zip(lines[2:8], expected, strict=True):
        assert re.fullmatch(rf"{TIMESTAMP}\t{request_id}\t{level}\t{re.escape(message)}", line)
    assert lines[8] == f"END RequestId: {request_id}"
    # A console line that looks like a reply changed nothing.
    assert json.loads(json.loads(result.payload)["body"]) == {"id": request_id}


@pytest.mark.slow
def test_warm_then_cold_after_a_timeout(node_runtime: MakeRuntime) -> None:
    runtime = node_runtime(fn="infinite_loop.mjs")
    first = runtime("fn", {"path": "/a"}, timeout_s=0.5)
    assert "Init Duration" in first.logs
    second = runtime("fn", {"path": "/a"}, timeout_s=0.5)
    assert json.loads(second.payload)["body"] == '{"calls":2}'  # the same process, warm
    assert "Init Duration" not in second.logs
    started = time.monotonic()
    stuck = runtime("fn", {"path": "/loop"}, timeout_s=0.5)
    assert time.monotonic() - started < 3
    assert stuck.outcome is Outcome.TIMEOUT
    assert stuck.error == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {stuck.request_id} Error: Task timed out after 0.50 seconds",
    }
    assert f"{stuck.request_id} Task timed out after 0.50 seconds" in stuck.logs
    # The environment was replaced: the next request is a cold start, and it works.
    after = runtime("fn", {"path": "/a"}, timeout_s=0.5)
    assert after.outcome is Outcome.OK
    assert json.loads(after.payload)["body"] == '{"calls":1}'
    assert "Init Duration" in after.logs


def test_a_process_that_exits_is_an_exit_error(node_runtime: MakeRuntime) -> None:
    runtime = node_runtime(fn="exits.mjs", other="common.cjs")
    result = runtime("fn", EVENT)
    assert result.outcome is Outcome.ERROR
    assert result.error == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {result.request_id} Error: Runtime exited with error: "
        "exit status 3",
    }
    assert runtime("other", EVENT).outcome is Outcome.OK


def test_an_edit_is_picked_up_on_the_next_request(
    node_runtime: MakeRuntime, handlers: Path
) -> None:
    runtime = node_runtime(fn="common.cjs")
    assert json.loads(runtime("fn", EVENT).payload)["body"] == "cjs"
    path = handlers / "common.cjs"
    path.write_text(path.read_text().replace('"cjs"', '"edited"'))
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 1_000_000))  # a new mtime for sure
    edited = runtime("fn", EVENT)
    assert json.loads(edited.payload)["body"] == "edited"
    assert "Init Duration" in edited.logs


def test_load_reports_a_broken_module_in_one_line(node_runtime: MakeRuntime) -> None:
    runtime = node_runtime(missing="no_export.mjs", broken="syntax_error.mjs")
    with pytest.raises(HandlerError) as missing:
        runtime.load("missing")
    assert missing.value.message == (
        "loading "
        f"{runtime.spec('missing').path} failed: Runtime.HandlerNotFound: "
        "no_export.handler is undefined or not exported"
    )
    with pytest.raises(HandlerError, match=r"\(line 2\) failed: Runtime.UserCodeSyntaxError"):
        runtime.load("broken")


def test_an_init_error_is_the_invocations_error(node_runtime: MakeRuntime) -> None:
    result = node_runtime(fn="no_export.mjs")("fn", EVENT)
    assert result.outcome is Outcome.ERROR
    assert result.error is not None
    assert result.error["errorType"] == "Runtime.HandlerNotFound"
    # Logged before START, as Lambda logs a failed init.
    assert result.logs.index("Uncaught Exception") < result.logs.index("START RequestId")


@pytest.mark.slow
def test_callback_waits_for_the_empty_event_loop_unless_told_not_to(
    node_runtime: MakeRuntime,
) -> None:
    runtime = node_runtime(fn="callback_with_timer.js")
    waited = runtime("fn", {"waits": True})
    assert waited.outcome is Outcome.OK
    assert waited.duration_ms >= 290
    assert "\tINFO\ttimer done" in waited.logs
    early = runtime("fn", {"waits": False})
    assert early.outcome is Outcome.OK
    assert early.duration_ms < 250
    assert "timer done" not in early.logs


@pytest.mark.slow
def test_an_init_past_its_limit(node_runtime: MakeRuntime, monkeypatch: pytest.MonkeyPatch) -> None:
    from course_cli.runtime.node import runtime as node_runtime_module

    monkeypatch.setattr(node_runtime_module, "INIT_TIMEOUT_S", 0.5)
    runtime = node_runtime(fn="top_level_loop.mjs")
    with pytest.raises(HandlerError, match=r"took longer than 0.5 s"):
        runtime.load("fn")
    result = runtime("fn", EVENT, timeout_s=3, wait_s=29)
    assert result.outcome is Outcome.TIMEOUT
    assert result.error is not None
    assert result.error["errorMessage"].endswith("Task timed out after 3.00 seconds")


def test_output_larger_than_a_pipe_stays_in_its_own_invocation(
    node_runtime: MakeRuntime,
) -> None:
    runtime = node_runtime(fn="loud.mjs")
    for _ in range(2):
        result = runtime("fn", EVENT)
        printed = result.function_output.splitlines()
        assert len([line for line in printed if "\tINFO\t" in line]) == 300
        assert printed[-1] == "raw tail"


def test_an_uncaught_exception_ends_the_process(node_runtime: MakeRuntime) -> None:
    runtime = node_runtime(fn="throws_in_a_timer.mjs")
    result = runtime("fn", {"boom": True})
    assert result.outcome is Outcome.ERROR
    assert result.error is not None
    assert (result.error["errorType"], result.error["errorMessage"]) == (
        "RangeError",
        "thrown from a timer",
    )
    assert "\tERROR\tUncaught Exception \t" in result.logs
    # A fresh process answers the next request: its module state starts over.
    after = runtime("fn", EVENT)
    assert json.loads(after.payload)["body"] == "1"
