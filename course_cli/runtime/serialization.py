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
import json.scanner
import math
import secrets
from collections.abc import Callable
from decimal import Decimal
from typing import Any

# The Lambda Python runtime whose marshalling we copy (see module docstring).
EMULATED_PYTHON_RUNTIME = "python3.12"
_ENSURE_ASCII = EMULATED_PYTHON_RUNTIME in {"python3.8", "python3.9", "python3.10", "python3.11"}


def _refuse(obj: Any) -> Any:
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def _fast_codec() -> tuple[Callable[[Any], str], Callable[[str], Any]]:
    """`json`'s C encoder and scanner, built once and called directly.

    Every invocation encodes and decodes JSON twice; `json.dumps`/`json.loads` rebuild the C
    encoder and run two regular expressions per call, which costs more than the work itself
    for small events. Without the C accelerators (not CPython) the public functions are used.
    """
    c_make_encoder = getattr(json.encoder, "c_make_encoder", None)
    c_make_scanner = getattr(json.scanner, "c_make_scanner", None)
    quote = (
        json.encoder.encode_basestring_ascii if _ENSURE_ASCII else json.encoder.encode_basestring
    )
    if c_make_encoder is None or c_make_scanner is None:  # pragma: no cover - not CPython
        encoder = json.JSONEncoder(ensure_ascii=_ENSURE_ASCII, allow_nan=True)
        return encoder.encode, json.loads
    # No circular-reference markers: a cycle ends in RecursionError, and the slow path below
    # then reports it with the encoder's own message.
    chunks = c_make_encoder(None, _refuse, quote, None, ": ", ", ", False, False, True)
    scan = c_make_scanner(json.JSONDecoder())

    def encode(value: Any) -> str:
        return "".join(chunks(value, 0))

    def decode(text: str) -> Any:
        return scan(text, 0)[0]

    return encode, decode


_encode, _decode = _fast_codec()


class MarshalError(Exception):
    """The return value cannot be serialised; `str()` is Lambda's `errorMessage`."""


def copy_event(event: Any) -> Any:
    """A deep, independent copy of `event`, as the handler receives it from Lambda (JSON).

    Events made of plain JSON values (what the gateway builds) are copied structure by
    structure, several times faster than a JSON round trip, with the same result; anything
    else (tuples, non-string keys, other types) takes the round trip, as on Lambda.
    """
    try:
        return _copy_plain(event)
    except (_NotPlain, RecursionError):
        return _decode(_encode(event))


class _NotPlain(Exception):
    """The value holds something a JSON round trip would change (or refuse)."""


_ATOMS = frozenset({str, int, float, bool, type(None)})


def _copy_plain(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        return _copy_dict(value)
    if kind is list:
        return _copy_list(value)
    if kind in _ATOMS:
        return value
    raise _NotPlain


# The two helpers below run for every event; they are shaped for the gateway's events, whose
# values are mostly strings and None: `dict.copy()` copies those in C, and only nested
# containers are replaced by copies (twice as fast as type-checking every value in a loop).


def _copy_dict(value: dict[Any, Any]) -> dict[Any, Any]:
    copy = value.copy()
    for key, item in value.items():
        if type(key) is not str:
            raise _NotPlain
        kind = type(item)
        if kind is str or item is None:
            continue
        if kind is dict:
            copy[key] = _copy_dict(item)
        elif kind is list:
            copy[key] = _copy_list(item)
        elif kind not in _ATOMS:
            raise _NotPlain
    return copy


def _copy_list(value: list[Any]) -> list[Any]:
    for item in value:
        if type(item) is not str:
            return [item if type(item) in _ATOMS else _copy_plain(item) for item in value]
    return value[:]  # only strings (a multiValueHeaders entry): a shallow copy is a deep one


def marshal_response(value: Any) -> str:
    """`value` as the JSON text Lambda's Python runtime returns, or raise `MarshalError`.

    The message of the `MarshalError` is Lambda's, word for word:
    `Unable to marshal response: Object of type datetime is not JSON serializable`.
    """
    if type(value) is dict:  # the usual answer, tried before the checks for rarer ones
        try:
            return _encode(value)
        except (TypeError, ValueError, UnicodeDecodeError, RecursionError):
            return _marshal_slowly(value)
    if value is None:
        return "null"
    if isinstance(value, bytes | bytearray):
        # The runtime sends top-level bytes unchanged (content type application/unknown); our
        # payload is text, so decode it losslessly enough for the gateway to judge it.
        return bytes(value).decode("utf-8", errors="replace")
    try:
        return _encode(value)
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
