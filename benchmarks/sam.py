"""`course serve -t` on the products SAM template: how long a request takes, start to answer.

Serves `examples/sam/products/template.yaml` (one Python function, five routes, a DynamoDB
table in the sandbox) with `course serve -t` in a subprocess, creates one product, then reads
it back over one keep-alive HTTP connection (`GET /products/{id}`: the handler, boto3, and
the sandbox's DynamoDB over loopback) and creates more (`POST /products`). Prints the time to
the first answer, then per route the median and p95 latency and the requests per second.

SAM CLI cannot run here (it needs a Docker engine), so its row is the figures its users and
maintainers report (see `benchmarks/README.md`), not a measurement. `--template` serves
another template with the same routes: `examples/sam/products-node/template.yaml` (Node.js
and the AWS SDK v3; run `npm install` in its `src/` first) for the JavaScript build.

    .venv/bin/python benchmarks/sam.py [--requests 2000] [--template T.yaml]
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = REPO / "examples" / "sam" / "products" / "template.yaml"


def start_server(template: Path) -> tuple[subprocess.Popen[str], str, float]:
    """`course serve -t` on a free port: the process, its base URL, seconds until ready."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "course_cli", "serve", "-t", str(template), "--port", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        if "Ctrl-C stops" in line:
            break
    else:
        raise SystemExit(f"course serve -t ended early:\n{''.join(seen)}")
    url = re.search(r"http://127\.0\.0\.1:(\d+)", "".join(seen))
    assert url is not None, seen
    # Drain the request log so the server never blocks on a full pipe.
    threading.Thread(target=process.stdout.read, daemon=True).start()
    return process, url[1], time.perf_counter() - started


def timed(
    connection: http.client.HTTPConnection, method: str, path: str, body: Any = None
) -> tuple[float, int, Any]:
    """One request on `connection`: (seconds, status, decoded JSON body)."""
    data = None if body is None else json.dumps(body)
    began = time.perf_counter()
    connection.request(method, path, body=data, headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    text = response.read()
    elapsed = time.perf_counter() - began
    return elapsed, response.status, json.loads(text) if text else None


def measure(
    connection: http.client.HTTPConnection, method: str, path: str, count: int, body: Any = None
) -> dict[str, float]:
    """Median and p95 latency (ms) and requests/s of `count` requests, one after another."""
    latencies = []
    began = time.perf_counter()
    for _ in range(count):
        elapsed, status, _ = timed(connection, method, path, body)
        assert status < 300, (method, path, status)
        latencies.append(elapsed * 1000)
    wall = time.perf_counter() - began
    latencies.sort()
    return {
        "median": statistics.median(latencies),
        "p95": latencies[int(0.95 * (len(latencies) - 1))],
        "rate": count / wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per route")
    parser.add_argument("--template", type=Path, default=TEMPLATE, help="the template to serve")
    args = parser.parse_args()
    template = args.template.resolve()
    process, port, ready_s = start_server(template)
    try:
        connection = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30)
        first_s, status, created = timed(
            connection, "POST", "/products", {"name": "pen", "price": 2}
        )
        assert status == 201, created
        item = f"/products/{created['id']}"
        measure(connection, "GET", item, 50)  # warm the client and the server's caches
        rows = {
            f"GET {item[:10]}{{id}}": measure(connection, "GET", item, args.requests),
            "POST /products": measure(
                connection, "POST", "/products", args.requests, {"name": "ink", "price": 1}
            ),
        }
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)

    console = Console()
    shown = template.relative_to(REPO) if template.is_relative_to(REPO) else template
    console.print(
        f"course serve -t {shown}: ready in {ready_s:.2f} s, "
        f"first request (cold function) {first_s * 1000:.0f} ms"
    )
    table = Table("route", "median ms", "p95 ms", "requests/s", title="keep-alive, one client")
    for route, row in rows.items():
        table.add_row(route, f"{row['median']:.2f}", f"{row['p95']:.2f}", f"{row['rate']:,.0f}")
    table.add_row("sam local start-api (reported)", "1,000 to 2,000", "-", "0.5 to 1", style="dim")
    console.print(table)


if __name__ == "__main__":
    main()
