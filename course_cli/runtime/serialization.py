"""JSON in and out of a Lambda function, exactly as the Python runtime does it.

What the real runtime (awslambdaric, `lambda_runtime_marshaller.py`) does, and so we do:

- The event reaches the handler as freshly parsed JSON, so the handler can never change the
  caller's copy: `copy_event` is a JSON round trip.
- The return value is encoded with simplejson and an encoder whose `default` turns a `Decimal`
  into a JSON number (its exact text, NaN for a NaN) — so **a `Decimal` does serialise on AWS**.
  Anything else the encoder does not know (`datetime`, `set`, a class instance, a coroutine
  from an `async def` handler) fails with `Runtime.MarshalError` and the message
  `Unable to marshal response: Object of type set is not JSON serializable`.
- `bytes` nested in the value are decoded as UTF-8 (simplejson's `encoding="utf-8"`); bytes
  returned at the top level are passed through raw, as `application/unknown`.
- From python3.12 on, non-ASCII characters are written as they are (`ensure_ascii=False`);
  python3.11 and older escape them. We emulate `EMULATED_PYTHON_RUNTIME`.
- NaN and Infinity are written as the (invalid JSON) words `NaN` / `Infinity`.

We use the standard library's `json` (no simplejson dependency). Known difference, kept on
purpose as too rare to pay for: simplejson writes a namedtuple as an object, `json` as a list.
"""

from __future__ import annotations

import json
import math
import secrets
from decimal import Decimal
from typing import Any, Final

# The Lambda Python runtime whose marshalling we copy (see module docstring).
EMULATED_PYTHON_RUNTIME = "python3.12"
_ENSURE_ASCII = EMULATED_PYTHON_RUNTIME in {"python3.8", "python3.9", "python3.10", "python3.11"}


class MarshalError(Exception):
    """The return value cannot be serialised; `str()` is Lambda's `errorMessage`."""


def copy_event(event: Any) -> Any:
    """A deep, independent copy of `event`, as the handler receives it from Lambda: equal to
    what a JSON round trip gives. Raises `TypeError` for an event JSON cannot hold."""
    try:
        # Every invocation copies its event: copying the containers of a plain one is several
        # times cheaper than the round trip, with the same result.
        return _copy_json_values(event)
    except _NotPlainJson:
        return json.loads(json.dumps(event))


class _NotPlainJson(Exception):
    """The value holds something a JSON round trip would change (a tuple, a non-string key, a
    subclass) or refuse."""


_SCALARS: Final = frozenset({str, int, float, bool, type(None)})


def _copy_json_values(value: Any) -> Any:
    """A copy of a value made of dicts with string keys, lists and JSON's scalars (immutable,
    so shared); `_NotPlainJson` for anything else."""
    kind = type(value)
    if kind is dict:
        if not all(type(key) is str for key in value):
            raise _NotPlainJson
        return {
            key: item if type(item) in _SCALARS else _copy_json_values(item)
            for key, item in value.items()
        }
    if kind is list:
        return [item if type(item) in _SCALARS else _copy_json_values(item) for item in value]
    if kind in _SCALARS:
        return value
    raise _NotPlainJson


def marshal_response(value: Any) -> str:
    """`value` as the JSON text Lambda's Python runtime returns, or raise `MarshalError`.

    The message of the `MarshalError` is Lambda's, word for word:
    `Unable to marshal response: Object of type datetime is not JSON serializable`.
    """
    if isinstance(value, bytes | bytearray):
        # The runtime sends top-level bytes unchanged (content type application/unknown); our
        # payload is text, so decode it losslessly enough for the gateway to judge it.
        return bytes(value).decode("utf-8", errors="replace")
    try:
        return json.dumps(value, ensure_ascii=_ENSURE_ASCII)
    except (TypeError, ValueError, UnicodeDecodeError, RecursionError):
        return _marshal_slowly(value)


def _marshal_slowly(value: Any) -> str:
    """`marshal_response` for a value the plain encoder rejected: teach it what the runtime's
    encoder knows (Decimal, nested bytes) and report anything else as Lambda does."""
    try:
        return _encode_like_lambda(value)
    except (TypeError, ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise MarshalError(f"Unable to marshal response: {exc}") from None


def _encode_like_lambda(value: Any) -> str:
    """Encode with Lambda's extra rules: a Decimal keeps its exact text, nested bytes are UTF-8."""
    # Each Decimal becomes a unique placeholder string, replaced by the number's text after
    # encoding: the standard encoder has no way to emit raw JSON (simplejson's RawJSON).
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
