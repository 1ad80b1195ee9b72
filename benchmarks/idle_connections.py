"""`course serve` with a crowd of idle connections: what it holds, and whether others get in.

A crowd of half-open connections (a request head begun and never finished, as a slow or
hostile client leaves them) is opened against `course serve`, and then a well-behaved client
sends requests, each on a new connection. For each crowd size the table shows the server's
threads and memory, how many of the crowd it still holds open, and the well-behaved client's
rate and slowest answer. The anchor is the same server with no crowd. The server runs with
`ulimit -n 256` by default, as in issue 19's report.

Run by hand:

    .venv/bin/python benchmarks/idle_connections.py [--crowds 0,100,300,500] [--nofile 256]
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

HANDLER = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n"
REQUEST = b"GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(folder: Path, nofile: int) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    (folder / "app.py").write_text(HANDLER)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

    process = subprocess.Popen(
        [sys.executable, "-m", "course_cli", "serve", str(folder / "app.py"), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=limit,
        env={**os.environ, "COURSE_HOME": str(folder / "home")},
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("course serve did not start") from None
            time.sleep(0.05)


def status_of(pid: int) -> tuple[int, float]:
    """The process's threads and resident memory (MB), from /proc."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return int(fields["Threads"]), int(fields["VmRSS"].split()[0]) / 1024


def open_crowd(port: int, size: int) -> list[socket.socket]:
    crowd = []
    for _ in range(size):
        connection = socket.create_connection(("127.0.0.1", port), timeout=5)
        connection.sendall(b"GET / HTTP/1.1\r\nX: ")
        crowd.append(connection)
    return crowd


def still_open(crowd: list[socket.socket]) -> int:
    """How many of the crowd the server still holds: nothing to read yet (a closed one reads
    as the end, or as the 400 the server sent on closing it)."""
    count = 0
    for connection in crowd:
        connection.setblocking(False)
        try:
            connection.recv(1, socket.MSG_PEEK)
        except BlockingIOError:
            count += 1
        except OSError:
            pass
    return count


def polite_client(port: int, requests: int) -> tuple[float, float]:
    """Requests/s of sequential requests on new connections, and the slowest in ms."""
    slowest = 0.0
    started = time.perf_counter()
    for _ in range(requests):
        began = time.perf_counter()
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            connection.sendall(REQUEST)
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
        if not answer.startswith(b"HTTP/1.1 200 "):
            raise RuntimeError(f"answered {answer[:40]!r}")
        slowest = max(slowest, time.perf_counter() - began)
    return requests / (time.perf_counter() - started), slowest * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crowds", default="0,100,300,500")
    parser.add_argument("--nofile", type=int, default=256)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    crowds = [int(n) for n in args.crowds.split(",")]
    # Our own side needs a descriptor per crowd member too.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, max(crowds) + 256)), hard))

    table = Table(
        title=f"course serve (ulimit -n {args.nofile}) with a crowd of half-open connections"
    )
    for column in (
        "crowd",
        "held open",
        "server threads",
        "server RSS MB",
        "polite req/s",
        "slowest ms",
    ):
        table.add_column(column, justify="right")
    with tempfile.TemporaryDirectory() as tmp:
        for size in crowds:
            process, port = start_server(Path(tmp), args.nofile)
            try:
                crowd = open_crowd(port, size)
                time.sleep(0.5)
                rate, slowest = polite_client(port, args.requests)
                threads, rss = status_of(process.pid)
                table.add_row(
                    f"{size:,}" + (" (anchor)" if size == 0 else ""),
                    f"{still_open(crowd):,}",
                    f"{threads:,}",
                    f"{rss:.0f}",
                    f"{rate:,.0f}",
                    f"{slowest:.1f}",
                )
                for connection in crowd:
                    connection.close()
            finally:
                process.terminate()
                process.wait(timeout=10)
    Console().print(table)


if __name__ == "__main__":
    main()
