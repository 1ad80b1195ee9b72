"""`InProcessRuntime`: what a caller of Lambda's Invoke API gets for everything a handler does."""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Callable
from decimal import Decimal

import pytest

from course_cli.errors import HandlerError
from course_cli.gateway.invoker import LambdaInvoker, LambdaResult, Outcome
from course_cli.runtime import InProcessRuntime
from tests.runtime.conftest import WriteHandler

RuntimeFor = Callable[..., InProcessRuntime]


def test_implements_the_gateways_contract(runtime_for: RuntimeFor) -> None:
    invoker: LambdaInvoker = runtime_for("def handler(e, c):\n    return e\n")
    result = invoker("fn", {"a": [1, 2]}, timeout_s=3.0, wait_s=29.0)
    assert isinstance(result, LambdaResult)
    assert result.outcome is Outcome.OK
    assert result.payload == '{"a": [1, 2]}'
    assert result.error is None
    assert result.value == {"a": [1, 2]}
    assert result.duration_ms > 0


def test_none_is_null(runtime_for: RuntimeFor) -> None:
    result = runtime_for("def handler(e, c):\n    pass\n")("fn", {})
    assert (result.outcome, result.payload, result.value) == (Outcome.OK, "null", None)


def test_handler_cannot_change_the_callers_event(runtime_for: RuntimeFor) -> None:
    runtime = runtime_for("def handler(e, c):\n    e['headers']['x'] = 'mine'\n    return e\n")
    event = {"headers": {"x": "theirs"}}
    result = runtime("fn", event)
    assert event == {"headers": {"x": "theirs"}}
    assert json.loads(result.payload) == {"headers": {"x": "mine"}}


def test_gateway_keeps_its_event_when_the_function_changes_its_own(
    runtime_for: RuntimeFor,
) -> None:
    # Through the gateway too, the function changes only its own copy.
    from course_cli.gateway.definition import single_route
    from course_cli.gateway.http import HttpRequest
    from course_cli.gateway.pipeline import handle_request

    runtime = runtime_for(
        "def handler(e, c):\n"
        "    e['headers']['Host'] = 'changed'\n"
        "    e['requestContext']['identity']['sourceIp'] = 'changed'\n"
        "    e['multiValueHeaders']['Host'].append('changed')\n"
        "    return {'statusCode': 200}\n"
    )
    request = HttpRequest.build("GET", "/x", headers=[("User-Agent", "test")])
    invocation = handle_request(single_route("fn"), request, runtime)
    assert invocation.response is not None and invocation.response.status == 200
    event = invocation.event
    assert event["headers"]["Host"] != "changed"
    assert event["requestContext"]["identity"]["sourceIp"] != "changed"
    assert "changed" not in event["multiValueHeaders"]["Host"]


def test_decimal_serialises_as_on_aws(runtime_for: RuntimeFor) -> None:
    # awslambdaric's encoder writes Decimals as numbers: DynamoDB items return fine as a
    # value; the classic crash is the handler's own json.dumps(item) (next test).
    runtime = runtime_for(
        "from decimal import Decimal\ndef handler(e, c):\n    return Decimal('9.99')\n"
    )
    result = runtime("fn", {})
    assert (result.outcome, result.payload, result.value) == (Outcome.OK, "9.99", Decimal("9.99"))


def test_handlers_own_json_dumps_of_a_decimal_is_a_function_error(runtime_for: RuntimeFor) -> None:
    runtime = runtime_for(
        """
        import json
        from decimal import Decimal

        def handler(event, context):
            item = {"price": Decimal("9.99")}
            return {"statusCode": 200, "body": json.dumps(item)}
        """
    )
    result = runtime("fn", {})
    assert result.outcome is Outcome.ERROR
    assert result.error is not None
    assert result.error["errorType"] == "TypeError"
    assert result.error["errorMessage"] == "Object of type Decimal is not JSON serializable"


@pytest.mark.parametrize(
    ("expression", "type_name"),
    [("datetime.datetime(2024, 5, 1)", "datetime"), ("{'a', 'b'}", "set"), ("Thing()", "Thing")],
)
def test_unserialisable_return_is_a_marshal_error(
    runtime_for: RuntimeFor, expression: str, type_name: str
) -> None:
    runtime = runtime_for(
        f"import datetime\nclass Thing: pass\ndef handler(e, c):\n    return {expression}\n"
    )
    result = runtime("fn", {})
    assert result.outcome is Outcome.ERROR
    assert result.error == {
        "errorMessage": f"Unable to marshal response: Object of type {type_name} is not JSON "
        "serializable",
        "errorType": "Runtime.MarshalError",
        "requestId": result.request_id,
        "stackTrace": [],
    }
    assert json.loads(result.payload) == result.error
    assert "[ERROR] Runtime.MarshalError: Unable to marshal response" in result.logs


def test_exception_payload_has_lambdas_shape(
    runtime_for: RuntimeFor, write_handler: WriteHandler
) -> None:
    runtime = runtime_for(
        """
        def handler(event, context):
            return lookup(event)

        def lookup(event):
            return event["queryStringParameters"]["id"]
        """
    )
    result = runtime("fn", {"queryStringParameters": None})
    path = write_handler("handler.py", "").parent / "handler.py"
    assert result.outcome is Outcome.ERROR
    assert result.error == {
        "errorMessage": "'NoneType' object is not subscriptable",
        "errorType": "TypeError",
        "requestId": result.request_id,
        "stackTrace": [
            f'  File "{path}", line 3, in handler\n    return lookup(event)\n',
            f'  File "{path}", line 6, in lookup\n'
            '    return event["queryStringParameters"]["id"]\n',
        ],
    }
    assert json.loads(result.payload) == result.error
    assert "[ERROR] TypeError: 'NoneType' object is not subscriptable\n" in result.logs
    assert "Traceback (most recent call last):\n" in result.logs


def test_print_and_logging_are_captured_like_cloudwatch(
    runtime_for: RuntimeFor, capsys: pytest.CaptureFixture[str]
) -> None:
    runtime = runtime_for(
        """
        import logging
        import sys

        print("loading")
        logger = logging.getLogger()

        def handler(event, context):
            print("hello from print")
            print("to stderr", file=sys.stderr)
            logging.info("not shown: the root logger starts at WARNING, as on Lambda")
            logger.warning("careful")
            logger.setLevel(logging.INFO)
            logger.info("now shown")
            return 1
        """
    )
    first = runtime("fn", {})
    second = runtime("fn", {})
    assert capsys.readouterr() == ("", "")  # nothing leaked to the terminal
    rid = first.request_id
    lines = first.logs.splitlines()
    assert lines[0] == "loading"  # module output comes before START, on a cold start only
    assert lines[1] == f"START RequestId: {rid} Version: $LATEST"
    assert lines[2:4] == ["hello from print", "to stderr"]
    assert lines[4].startswith("[WARNING]\t") and lines[4].endswith(f"Z\t{rid}\tcareful")
    assert lines[5].startswith("[INFO]\t") and lines[5].endswith(f"\t{rid}\tnow shown")
    assert lines[6] == f"END RequestId: {rid}"
    assert lines[7].startswith(f"REPORT RequestId: {rid}\tDuration: ")
    assert "\tBilled Duration: " in lines[7] and "\tMemory Size: 128 MB\t" in lines[7]
    assert "\tInit Duration: " in lines[7]
    assert len(lines) == 8
    assert second.logs.startswith(f"START RequestId: {second.request_id}")
    assert "Init Duration" not in second.logs


def test_concurrent_invocations_keep_their_output_apart(runtime_for: RuntimeFor) -> None:
    runtime = runtime_for(
        """
        import time

        def handler(event, context):
            for i in range(50):
                print(event["who"], i)
                time.sleep(0.0005)
            return event["who"]
        """
    )
    results: dict[str, LambdaResult] = {}

    def call(who: str) -> None:
        results[who] = runtime("fn", {"who": who})

    threads = [threading.Thread(target=call, args=(who,)) for who in ("ann", "bob", "cy")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for who, result in results.items():
        printed = [
            line
            for line in result.logs.splitlines()
            if not line.startswith(("START", "END", "REPORT"))
        ]
        assert printed == [f"{who} {i}" for i in range(50)]


def test_edits_reload_the_handler(runtime_for: RuntimeFor, write_handler: WriteHandler) -> None:
    runtime = runtime_for("def handler(e, c):\n    return 1\n")
    assert runtime("fn", {}).payload == "1"
    write_handler("handler.py", "def handler(e, c):\n    return 'two'\n")
    assert runtime("fn", {}).payload == '"two"'


def test_module_state_lives_on_between_warm_invocations(runtime_for: RuntimeFor) -> None:
    runtime = runtime_for(
        "count = 0\ndef handler(e, c):\n    global count\n    count += 1\n    return count\n"
    )
    assert [runtime("fn", {}).payload for _ in range(3)] == ["1", "2", "3"]


def test_sys_exit_is_a_runtime_exit_error(runtime_for: RuntimeFor) -> None:
    runtime = runtime_for("import sys\ndef handler(e, c):\n    sys.exit(e['code'])\n")
    result = runtime("fn", {"code": 3})
    assert result.outcome is Outcome.ERROR
    rid = result.request_id
    assert result.error == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {rid} Error: Runtime exited with error: exit status 3",
    }
    assert json.loads(result.payload) == result.error
    assert (
        f"RequestId: {rid} Error: Runtime exited with error: exit status 3\nRuntime.ExitError\n"
        in result.logs
    )
    clean = runtime("fn", {"code": None})
    assert clean.error is not None
    assert clean.error["errorMessage"].endswith("Error: Runtime exited without providing a reason")
    worded = runtime("fn", {"code": "giving up"})
    assert worded.error is not None
    assert worded.error["errorMessage"].endswith("exit status 1")
    assert "giving up\n" in worded.logs


def test_keyboard_interrupt_raised_by_the_handler_is_an_exit_error(runtime_for: RuntimeFor) -> None:
    runtime = runtime_for("def handler(e, c):\n    raise KeyboardInterrupt\n")
    result = runtime("fn", {})
    assert result.error is not None
    assert result.error["errorMessage"].endswith(
        "Error: Runtime exited with error: signal: interrupt"
    )


def test_ctrl_c_from_the_user_still_stops_the_caller(runtime_for: RuntimeFor) -> None:
    runtime = runtime_for(
        """
        import os
        import signal

        def handler(event, context):
            try:
                os.kill(os.getpid(), signal.SIGINT)  # what pressing Ctrl-C delivers
                while True:
                    pass
            except BaseException:
                return "swallowed"
        """
    )
    with pytest.raises(KeyboardInterrupt):
        runtime("fn", {})


def test_ctrl_c_still_wins_after_a_kernel_resets_sigint_between_calls(
    runtime_for: RuntimeFor,
) -> None:
    # A notebook's kernel sets SIGINT's handler around each cell, after our first call.
    runtime = runtime_for(
        """
        import os
        import signal

        def handler(event, context):
            if not event.get("interrupt"):
                return "fine"
            try:
                os.kill(os.getpid(), signal.SIGINT)
                while True:
                    pass
            except BaseException:
                return "swallowed"
        """
    )
    assert runtime("fn", {}).payload == '"fine"'
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            runtime("fn", {"interrupt": True})
    finally:
        signal.signal(signal.SIGINT, previous)


def test_broken_handler_files_are_lambda_init_errors(write_handler: WriteHandler) -> None:
    ok = write_handler("ok.py", "def handler(e, c):\n    return 1\n")
    broken = write_handler("broken.py", "def handler(e, c)\n    return 1\n")
    runtime = InProcessRuntime(
        {
            "ok": str(ok),
            "broken": str(broken),
            "missing": str(ok.parent / "gone.py"),
            "nameless": f"{ok}:hander",
        }
    )
    syntax = runtime("broken", {})
    assert syntax.outcome is Outcome.ERROR and syntax.error is not None
    assert syntax.error["errorType"] == "Runtime.UserCodeSyntaxError"
    assert syntax.error["requestId"] == ""
    assert syntax.logs.startswith(
        "[ERROR] Runtime.UserCodeSyntaxError: Syntax error in module 'broken'"
    )
    missing = runtime("missing", {})
    assert missing.error is not None and missing.error["errorType"] == "Runtime.ImportModuleError"
    nameless = runtime("nameless", {})
    assert nameless.error is not None
    assert nameless.error["errorMessage"] == "Handler 'hander' missing on module 'ok'"
    assert runtime("ok", {}).payload == "1"


def test_load_reports_a_broken_handler_as_one_line(write_handler: WriteHandler) -> None:
    broken = write_handler("broken.py", "def handler(e, c)\n    return 1\n")
    runtime = InProcessRuntime({"fn": str(broken)})
    with pytest.raises(HandlerError) as caught:
        runtime.load("fn")
    assert "\n" not in caught.value.message and "line 1" in caught.value.message


def test_unknown_function_name_is_a_usage_error(runtime_for: RuntimeFor) -> None:
    with pytest.raises(HandlerError, match="no Lambda function named 'other' \\(known: fn\\)"):
        runtime_for("def handler(e, c): pass\n")("other", {})


def test_unknown_function_through_the_gateway_is_aws_500(runtime_for: RuntimeFor) -> None:
    """The runtime speaks the gateway's contract: an unknown name is `FunctionNotFound`."""
    from course_cli.gateway.definition import single_route
    from course_cli.gateway.http import HttpRequest
    from course_cli.gateway.pipeline import handle_request

    runtime = runtime_for("def handler(e, c): pass\n")
    invocation = handle_request(single_route("missing"), HttpRequest.build("GET", "/x"), runtime)
    assert invocation.response is not None and invocation.response.status == 500
    assert "Function not found: arn:aws:lambda:" in "\n".join(invocation.log.lines)


def test_each_result_keeps_its_own_log_whenever_it_is_read(runtime_for: RuntimeFor) -> None:
    # The log text is put together when first read, from what the invocation left behind.
    runtime = runtime_for("import time\ndef handler(e, c):\n    print(e['say'])\n")
    first = runtime("fn", {"say": "one"})
    second = runtime("fn", {"say": "two"})
    assert second.logs.count("\ntwo\n") == 1 and "one" not in second.logs
    lines = first.logs.splitlines()
    assert lines[0] == f"START RequestId: {first.request_id} Version: $LATEST"
    assert lines[1:3] == ["one", f"END RequestId: {first.request_id}"]
    assert lines[3].startswith(f"REPORT RequestId: {first.request_id}\t")
    assert f"Duration: {first.duration_ms:.2f} ms" in lines[3]
    assert "Init Duration" in lines[3] and "Init Duration" not in second.logs
    assert first.logs == first.logs and isinstance(first, LambdaResult)


def test_function_output_is_the_log_without_lambda_s_own_lines(runtime_for: RuntimeFor) -> None:
    runtime = runtime_for(
        "print('init')\n"
        "def handler(event, context):\n"
        "    print('one')\n"
        "    raise ValueError('two')\n"
    )
    result = runtime("fn", {})
    before_reading = result.function_output  # from the parts, the log text not yet written
    lines = result.logs.splitlines(keepends=True)
    assert lines[0] == "init\n" and lines[1].startswith("START RequestId: ")
    kept = [line for line in lines if not line.startswith(("START ", "END ", "REPORT "))]
    assert before_reading == "".join(kept) == result.function_output
    assert before_reading.startswith("init\none\n[ERROR] ValueError: two")
    plain = LambdaResult(Outcome.OK, "1", logs="START RequestId: x\nhi\nEND RequestId: x\n")
    assert plain.function_output == "hi\n"
