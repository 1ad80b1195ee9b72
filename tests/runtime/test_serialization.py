"""The return value as the Python runtime serialises it (awslambdaric's marshaller)."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

import pytest

from course_cli.runtime import MarshalError, copy_event, marshal_response


@pytest.mark.parametrize(
    ("value", "payload"),
    [
        (None, "null"),
        ({"statusCode": 200, "body": "ok"}, '{"statusCode": 200, "body": "ok"}'),
        ("text", '"text"'),
        ([1, 2.5, True], "[1, 2.5, true]"),
        ((1, 2), "[1, 2]"),
        ({"price": "£1.00"}, '{"price": "£1.00"}'),  # python3.12+: not escaped
        (float("nan"), "NaN"),
        # Lambda's encoder writes a Decimal as the number it is (simplejson RawJSON(str(d))).
        ({"price": Decimal("19.99"), "stock": Decimal("5")}, '{"price": 19.99, "stock": 5}'),
        ([Decimal("1.10"), Decimal("1E+2"), Decimal("NaN")], "[1.10, 1E+2, NaN]"),
        ({"raw": b"bytes"}, '{"raw": "bytes"}'),  # nested bytes are decoded as UTF-8
    ],
)
def test_payloads(value: Any, payload: str) -> None:
    assert marshal_response(value) == payload


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            {"created": datetime.datetime(2024, 1, 1)},
            "Unable to marshal response: Object of type datetime is not JSON serializable",
        ),
        (
            {"tags": {"a"}},
            "Unable to marshal response: Object of type set is not JSON serializable",
        ),
        (object(), "Unable to marshal response: Object of type object is not JSON serializable"),
        (
            {"bad": b"\xff"},
            "Unable to marshal response: 'utf-8' codec can't decode byte 0xff in position 0: "
            "invalid start byte",
        ),
    ],
)
def test_unserialisable_values_fail_with_lambdas_message(value: Any, message: str) -> None:
    with pytest.raises(MarshalError) as caught:
        marshal_response(value)
    assert str(caught.value) == message


def test_a_cycle_is_a_marshal_error() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(MarshalError, match="Circular reference detected"):
        marshal_response(loop)


def test_copy_event_is_deep_and_independent() -> None:
    event = {"headers": {"a": "1"}, "list": [1, {"x": None}], "tuple": (1, 2)}
    copy = copy_event(event)
    assert copy == {"headers": {"a": "1"}, "list": [1, {"x": None}], "tuple": [1, 2]}
    copy["headers"]["a"] = "changed"
    copy["list"][1]["x"] = 1
    assert event["headers"]["a"] == "1" and event["list"][1] == {"x": None}


def test_copy_event_copies_string_lists_and_matches_a_json_round_trip() -> None:
    event: dict[str, Any] = {
        "multiValueHeaders": {"Accept": ["a", "b"]},
        "mixed": ["s", 1, 2.5, True, None, {"k": ["v"]}, [["x"]]],
        "identity": {"sourceIp": "127.0.0.1", "user": None, "n": 0, "flag": False},
        "body": None,
    }
    copy = copy_event(event)
    assert copy == json.loads(json.dumps(event))
    copy["multiValueHeaders"]["Accept"].append("c")
    copy["mixed"][5]["k"].append("w")
    copy["mixed"][6][0].append("y")
    assert event["multiValueHeaders"]["Accept"] == ["a", "b"]
    assert event["mixed"][5] == {"k": ["v"]} and event["mixed"][6] == [["x"]]
    # What JSON would change takes the round trip, nested as deep as it is.
    assert copy_event({"a": [{"b": (1,)}], "c": {1: "x"}}) == {"a": [{"b": [1]}], "c": {"1": "x"}}
