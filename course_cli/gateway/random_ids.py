"""Random ids spelled as AWS spells them, made in batches: UUIDs, extended request ids, and
the random parts of X-Ray trace ids.

Every request needs fresh ids: API Gateway's request id, extended request id and trace id,
and Lambda's request id. Formatting them one at a time in Python (slicing hex digits, joining
the UUID's groups) cost a tenth of a trivial request through the whole pipeline. Here a batch
of ids is drawn and spelled at once by a few C-level operations over one buffer (`translate`
and strided slice assignment), and each request takes the next id from a list.

The generator is private: a learner's handler calling `random.seed()` in-process must not
make ids repeat. It is not `os.urandom` (a system call, costly on a VM): these ids name
requests, they guard nothing. In a forked child the generator is reseeded and the batches
already drawn are dropped, so parent and child never hand out the same ids.
"""

from __future__ import annotations

import os
import random
from typing import Final

_random = random.Random()

# How many ids one batch makes: enough to make the batch's cost per id small, few enough that
# the request that draws a batch is not noticeably slower than the others.
BATCH: Final = 256

_HEX: Final = b"0123456789abcdef"
_BASE64_URL: Final = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# Tables from a random byte to a random character: 256 is a multiple of 16 and of 64, so every
# character is equally likely.
_BYTE_TO_HEX: Final = bytes(_HEX[byte % 16] for byte in range(256))
_BYTE_TO_BASE64: Final = bytes(_BASE64_URL[byte % 64] for byte in range(256))
# A UUID's variant digit (10xx in binary): one of 8, 9, a, b, from any hex digit.
_VARIANT: Final = bytes.maketrans(_HEX, b"88889999aaaabbbb")
# The last character before "=" in the base64 of 11 bytes carries 4 bits (the 2 below are
# zero): one of the 16 characters A, E, I, ..., 4, 8 - from any base64 character.
_LAST_OF_ELEVEN_BYTES: Final = bytes.maketrans(
    _BASE64_URL, bytes(_BASE64_URL[index // 4 * 4] for index in range(64))
)


def _draw(count: int, width: int, table: bytes) -> bytearray:
    """`count` records of `width` random characters from `table`, each followed by a space."""
    stride = width + 1
    text = bytearray(_random.randbytes(count * stride).translate(table))
    text[width::stride] = b" " * count
    return text


def _uuid_text(count: int) -> bytearray:
    """`count` random (version 4) UUIDs, lower-case as AWS writes them, space-separated."""
    text = _draw(count, 36, _BYTE_TO_HEX)
    for dash in (8, 13, 18, 23):
        text[dash::37] = b"-" * count
    text[14::37] = b"4" * count  # the version
    text[19::37] = text[19::37].translate(_VARIANT)
    return text


def _extended_text(count: int) -> bytearray:
    """`count` extended request ids: the URL-safe base64 of 11 random bytes (16 characters
    ending in "=", like AWS's "OhGcMGaQIAMF9yw="), space-separated."""
    text = _draw(count, 16, _BYTE_TO_BASE64)
    text[14::17] = text[14::17].translate(_LAST_OF_ELEVEN_BYTES)
    text[15::17] = b"=" * count
    return text


def _uuid_batch() -> list[str]:
    return _uuid_text(BATCH).decode("ascii").split()


def _gateway_batch() -> list[tuple[str, ...]]:
    columns = (
        _uuid_text(BATCH),
        _extended_text(BATCH),
        _draw(BATCH, 24, _BYTE_TO_HEX),  # a trace root's random part
        _draw(BATCH, 16, _BYTE_TO_HEX),  # a trace parent
    )
    return list(zip(*(column.decode("ascii").split() for column in columns), strict=True))


_uuids: list[str] = []
_gateway_ids: list[tuple[str, ...]] = []


def uuid4() -> str:
    """A fresh random (version 4) UUID, such as `c0ffee00-1234-4abc-9def-0123456789ab`."""
    try:
        return _uuids.pop()
    except IndexError:
        # Two threads may both refill: the list then holds two batches, all of them fresh.
        _uuids.extend(_uuid_batch())
        return _uuids.pop()


def gateway_ids() -> tuple[str, ...]:
    """Fresh (request id, extended request id, trace root's 24 hex digits, trace parent's 16
    hex digits) for one API Gateway request."""
    try:
        return _gateway_ids.pop()
    except IndexError:
        _gateway_ids.extend(_gateway_batch())
        return _gateway_ids.pop()


def random_bytes(count: int) -> bytes:
    """`count` random bytes from the same private generator."""
    return _random.randbytes(count)


def _start_afresh_after_fork() -> None:
    _random.seed()
    _uuids.clear()
    _gateway_ids.clear()


os.register_at_fork(after_in_child=_start_afresh_after_fork)
