"""Random ids made in batches: their spelling, their randomness, and forked children."""

from __future__ import annotations

import base64
import os
import random
import re
import uuid
from collections import Counter

import pytest

from course_cli.gateway import random_ids

# More than one batch, so that refills are part of every test.
COUNT = random_ids.BATCH * 3 + 7


def test_uuids_are_version_4_lower_case_and_never_repeat() -> None:
    ids = [random_ids.uuid4() for _ in range(COUNT)]
    assert len(set(ids)) == COUNT
    for value in ids:
        parsed = uuid.UUID(value)
        assert str(parsed) == value  # lower case, dashes where a UUID has them
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
    # Every hex digit the variant allows (8, 9, a, b) turns up: the variant digit is random.
    assert {value[19] for value in ids} == set("89ab")


def test_gateway_ids_are_spelled_as_aws_spells_them() -> None:
    batch = [random_ids.gateway_ids() for _ in range(COUNT)]
    for request_id, extended, root, parent in batch:
        assert uuid.UUID(request_id).version == 4
        # The URL-safe base64 of 11 bytes, as AWS's extended request ids ("OhGcMGaQIAMF9yw=").
        assert re.fullmatch(r"[A-Za-z0-9_-]{15}=", extended)
        decoded = base64.urlsafe_b64decode(extended)
        assert len(decoded) == 11 and base64.urlsafe_b64encode(decoded).decode() == extended
        assert re.fullmatch(r"[0-9a-f]{24}", root)
        assert re.fullmatch(r"[0-9a-f]{16}", parent)
    for column in range(4):
        assert len({ids[column] for ids in batch}) == COUNT
    # The character before "=" carries 4 bits: all 16 values turn up, none more than its share
    # allows by chance (about 49 expected each).
    last = Counter(ids[1][14] for ids in batch)
    assert set(last) == set("AEIMQUYcgkosw048")
    assert max(last.values()) < 100


def test_reseeding_the_random_module_does_not_repeat_ids() -> None:
    random.seed(3)
    first = [random_ids.uuid4() for _ in range(COUNT)]
    random.seed(3)
    second = [random_ids.uuid4() for _ in range(COUNT)]
    assert not set(first) & set(second)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_a_forked_child_never_hands_out_its_parents_ids() -> None:
    random_ids.uuid4()
    random_ids.gateway_ids()  # both batches drawn: the child inherits what is left of them
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its next ids and leave at once
        try:
            line = f"{random_ids.uuid4()} {random_ids.gateway_ids()[0]}\n"
            os.write(write, line.encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child_ids = set(pipe.read().split())
    os.waitpid(pid, 0)
    assert len(child_ids) == 2
    parent_ids = {random_ids.uuid4() for _ in range(COUNT)}
    parent_ids |= {random_ids.gateway_ids()[0] for _ in range(COUNT)}
    assert not child_ids & parent_ids
