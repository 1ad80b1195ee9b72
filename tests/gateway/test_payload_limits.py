"""The two payload limits a proxy call meets: API Gateway's 10 MB for the request (413, before
any function runs) and Lambda's 6 MB for a synchronous response (502).

Lambda's side, as AWS records it (moto's AWS-verified test_invoke_function_large_response and
AWS's own error text): a payload over 6,291,556 bytes is replaced by the error document
`{"errorMessage": "Response payload size exceeded maximum allowed payload size (6291556
bytes).", "errorType": "Function.ResponseSizeTooLarge"}`, with Invoke's status still 200 and
`X-Amz-Function-Error` set; API Gateway answers it like any customer function error.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from course_cli.gateway.http_wire import MAX_BODY_BYTES, HttpError, parse_head, read_body
from course_cli.gateway.integrations.aws_proxy import (
    MAX_RESPONSE_BYTES,
    RESPONSE_TOO_LARGE,
    within_response_limit,
)
from course_cli.gateway.invoker import LambdaResult, Outcome
from course_cli.gateway.pipeline import invocation_to_json

AWS_ERROR = {
    "errorMessage": "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
    "errorType": "Function.ResponseSizeTooLarge",
}
EMPTY_ANSWER = {"statusCode": 200, "body": ""}


def answer_of_size(size: int) -> dict[str, Any]:
    """A proxy response whose JSON (as the Python runtime writes it) is `size` bytes."""
    padding = size - len(json.dumps(EMPTY_ANSWER))
    return {"statusCode": 200, "body": "x" * padding}


def test_the_limit_is_lambdas_number() -> None:
    assert MAX_RESPONSE_BYTES == 6_291_556  # 6 MiB + 100: AWS's number, not 6 * 1024 * 1024
    assert RESPONSE_TOO_LARGE == AWS_ERROR


@pytest.mark.parametrize(
    ("size", "status"), [(MAX_RESPONSE_BYTES, 200), (MAX_RESPONSE_BYTES + 1, 502)]
)
def test_an_answer_up_to_the_limit_passes_and_one_byte_more_is_a_502(
    kit: Any, size: int, status: int
) -> None:
    value = answer_of_size(size)
    assert len(json.dumps(value)) == size
    invocation = kit.run(kit.api({}), kit.request({"path": "/report"}), kit.returning(value))
    assert invocation.response.status == status


def test_too_large_is_answered_as_aws_does(kit: Any) -> None:
    value = answer_of_size(7_000_000)
    invocation = kit.run(kit.api({}), kit.request({"path": "/report"}), kit.returning(value))
    response = invocation.response
    assert response.status == 502
    assert response.body == b'{"message": "Internal server error"}'
    assert response.headers.get("x-amzn-ErrorType") == "InternalServerErrorException"
    # What Lambda handed API Gateway is its error, not the function's answer.
    assert invocation.result == AWS_ERROR
    assert invocation.lambda_result.outcome is Outcome.ERROR
    log = invocation.log.lines
    assert any("X-Amz-Function-Error=Unhandled" in line for line in log)
    assert any(
        line.endswith(f"Endpoint response body before transformations: {json.dumps(AWS_ERROR)}")
        for line in log
    )
    failed = (
        "Lambda execution failed with status 200 due to customer function error: Response "
        "payload size exceeded maximum allowed payload size (6291556 bytes).. Lambda request id: "
    )
    assert any(failed in line for line in log)
    assert log[-1].endswith("Method completed with status: 502")


def test_bytes_are_counted_not_characters() -> None:
    # 3.2 million "é" are 3.2 million characters but 6.4 million bytes of UTF-8.
    payload = json.dumps({"statusCode": 200, "body": "é" * 3_200_000}, ensure_ascii=False)
    assert len(payload) < MAX_RESPONSE_BYTES < len(payload.encode())
    result = within_response_limit(LambdaResult(Outcome.OK, payload, request_id="r1"))
    assert result.outcome is Outcome.ERROR
    assert json.loads(result.payload) == AWS_ERROR
    assert result.request_id == "r1"


def test_errors_and_small_answers_are_left_alone() -> None:
    small = LambdaResult(Outcome.OK, '{"statusCode": 200}')
    assert within_response_limit(small) is small
    failed = LambdaResult(Outcome.ERROR, "x" * (MAX_RESPONSE_BYTES + 1))
    assert within_response_limit(failed) is failed


def test_the_learner_is_told_the_size_and_what_to_do(course_home: Path, tmp_path: Path) -> None:
    from course_cli.local_api import api_for_handler, build_request

    handler = tmp_path / "report.py"
    handler.write_text(
        'def handler(event, context):\n    return {"statusCode": 200, "body": "x" * 7_000_000}\n'
    )
    document = invocation_to_json(
        api_for_handler(str(handler)).send(build_request("GET", "/report"))
    )
    assert document["response"]["statusCode"] == 502
    assert document["result"] == AWS_ERROR
    (explanation,) = document["explanations"]
    assert "7,000,031 bytes" in explanation
    assert "6,291,556" in explanation
    assert "raised" not in explanation  # the function did not fail; its answer was too big


# --- the request: API Gateway's 10 MB ---------------------------------------------------------


def test_a_request_body_over_10_mb_is_refused_before_it_is_read() -> None:
    head = parse_head(
        b"POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: %d" % (MAX_BODY_BYTES + 1)
    )
    with pytest.raises(HttpError) as refused:
        read_body(io.BytesIO(b""), head)
    assert refused.value.status == 413
    assert MAX_BODY_BYTES == 10 * 1024 * 1024
