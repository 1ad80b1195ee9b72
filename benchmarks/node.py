"""Warm Node.js invocations per second through the gateway pipeline, beside the Python
runtime's in the same run, and what a cold start costs each.

Run by hand: `.venv/bin/python benchmarks/node.py [--requests 3000]`. The same users handler
in both languages (`examples/node/users.mjs` and its Python twin, written to a temp folder):
`GET /users/1` through `LocalApi.send` (route, event, invoke, proxy-response check, response),
and the runtime alone (the invoker called with a ready event). Node.js runs in its own process,
spoken to over pipes; Python runs in this process.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from course_cli.local_api import LocalApi, api_for_handler, build_request  # noqa: E402

PYTHON_TWIN = """\
import json

USERS = {"1": {"id": "1", "name": "Ada Lovelace"}, "2": {"id": "2", "name": "Grace Hopper"}}


def handler(event, context):
    user_id = (event.get("pathParameters") or {}).get("id") or event["path"].split("/")[-1]
    user = USERS.get(user_id)
    if user is None:
        return {"statusCode": 404, "headers": {"Content-Type": "application/json"},
                "body": json.dumps({"message": f"User {user_id} not found"})}
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
            "body": json.dumps(user)}
"""


def per_second(call: Callable[[], object], count: int) -> tuple[float, float, float]:
    """(calls/s, median ms, p95 ms) over `count` calls."""
    times = []
    started = time.perf_counter()
    for _ in range(count):
        before = time.perf_counter()
        call()
        times.append((time.perf_counter() - before) * 1000)
    elapsed = time.perf_counter() - started
    times.sort()
    return count / elapsed, statistics.median(times), times[int(len(times) * 0.95)]


def measure(label: str, local: LocalApi, count: int) -> list[str]:
    request = build_request("GET", "/users/1")
    started = time.perf_counter()
    first = local.send(request)  # the cold start: process (Node.js) or import (Python)
    cold_ms = (time.perf_counter() - started) * 1000
    assert first.response is not None and first.response.status == 200, first.log.lines
    assert first.event is not None
    event = first.event
    name = next(iter(local.runtime.functions))
    gateway = per_second(lambda: local.send(request), count)
    runtime = per_second(lambda: local.runtime(name, event), count)
    return [
        f"| {label} | {cold_ms:,.1f} | {gateway[0]:,.0f} | {gateway[1]:.3f} | {gateway[2]:.3f} "
        f"| {runtime[0]:,.0f} | {runtime[1]:.3f} |"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=3000, help="warm requests per row")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        twin = Path(tmp) / "users.py"
        twin.write_text(PYTHON_TWIN)
        rows = [
            "| runtime | cold first request ms | gateway req/s | median ms | p95 ms "
            "| runtime alone inv/s | median ms |",
            "|---|---|---|---|---|---|---|",
        ]
        node = api_for_handler(str(REPO / "examples" / "node" / "users.mjs"))
        rows += measure("Node.js (`users.mjs`, its own process)", node, args.requests)
        python = api_for_handler(str(twin))
        rows += measure("Python (`users.py`, in-process)", python, args.requests)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
