"""JSON in and out of a Lambda function, exactly as the Python runtime does it.

As awslambdaric's marshaller: the event arrives freshly parsed (the handler never changes the
caller's copy); a `Decimal` serialises as its exact text; nested `bytes` are UTF-8, top-level
bytes pass raw; non-ASCII is written as is (python3.12 on); NaN and Infinity are the invalid
words; anything else unknown (`datetime`, `set`, a coroutine) is `Runtime.MarshalError`,
"Unable to marshal response: Object of type set is not JSON serializable". Known difference,
too rare to pay for: simplejson writes a namedtuple as an object, `json` as a list.
"""

from __future__ import annotations

import json
import math
import secrets
from decimal import Decimal
from typing import Any, Final

# python3.12's runtime writes non-ASCII as is (before it, it escaped them).
_ENSURE_ASCII = False


class MarshalError(Exception):
    """The return value cannot be serialised; `str()` is Lambda's `errorMessage`."""


def copy_event(event: Any) -> Any:
    """A deep, independent copy of `event`, as the handler receives it from Lambda: equal to
    what a JSON round trip gives. Raises `TypeError` for an event JSON cannot hold."""
    try:
        # Cheaper than the round trip for a plain event, with the same result.
        return _copy_json_values(event)
    except _NotPlainJson:
        return json.loads(json.dumps(event))


class _NotPlainJson(Exception):
    """The value holds something a JSON round trip would change or refuse."""


_SCALARS: Final = frozenset({str, int, float, bool, type(None)})


def _copy_json_values(value: Any) -> Any:
    """A copy of a value made of dicts with string keys, lists and JSON's scalars (immutable,
    so shared); `_NotPlainJson` for anything else."""
    kind = type(value)
    if kind is dict:
        copy = {}
        for key, item in value.items():
            if type(key) is not str:
                raise _NotPlainJson
            copy[key] = item if type(item) in _SCALARS else _copy_json_values(item)
        return copy
    if kind is list:
        return [item if type(item) in _SCALARS else _copy_json_values(item) for item in value]
    if kind in _SCALARS:
        return value
    raise _NotPlainJson


def marshal_response(value: Any) -> str:
    """`value` as the JSON text Lambda's Python runtime returns, or raise `MarshalError`
    with Lambda's message, word for word."""
    if isinstance(value, bytes | bytearray):
        # Sent unchanged by the runtime; our payload is text, enough for the gateway to judge.
        return bytes(value).decode("utf-8", errors="replace")
    try:
        return json.dumps(value, ensure_ascii=_ENSURE_ASCII)
    except (TypeError, ValueError, UnicodeDecodeError, RecursionError):
        pass  # the plain encoder's refusal: try again with the runtime's own rules
    try:
        return _encode_like_lambda(value)
    except (TypeError, ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise MarshalError(f"Unable to marshal response: {exc}") from None


def _encode_like_lambda(value: Any) -> str:
    """Encode with Lambda's extra rules: a Decimal keeps its exact text, nested bytes are UTF-8."""
    # Placeholders replaced by each Decimal's text: `json` cannot emit raw JSON.
    nonce = secrets.token_hex(8)
    raw_numbers: list[str] = []

    def default(obj: Any) -> Any:
        if isinstance(obj, Decimal):
            if obj.is_nan():
                return math.nan
            raw_numbers.append(str(obj))
            return f"\x00{nonce}:{len(raw_numbers) - 1}\x00"
        if isinstance(obj, bytes | bytearray):
            return bytes(obj).decode("utf-8")
        raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")

    encoder = json.JSONEncoder(ensure_ascii=_ENSURE_ASCII, allow_nan=True, default=default)
    text = encoder.encode(value)
    for index, number in enumerate(raw_numbers):
        text = text.replace(f'"\\u0000{nonce}:{index}\\u0000"', number, 1)
    return text
