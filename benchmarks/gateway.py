"""Gateway throughput against its floors, printed side by side in one run.

1. In-process: requests per second through the full pipeline (route → event → in-process
   Lambda runtime → proxy-response check → response → execution log) for a trivial handler,
   the median of several runs. Floor: 10,000/s. Next to it, the two halves measured apart:
   the pipeline with an in-memory invoker (the gateway alone) and the runtime invoked alone.
2. Over loopback: `course serve` against `chalice local` serving the same trivial handler,
   called by the same client: one keep-alive connection, then a new connection per request;
   a bounded number of requests. Both servers run side by side and are measured in turns,
   three rounds, judged on the medians. Floor: course at least 1.0x chalice, both ways.

   The judged client is a lean one (`lean_rate`: a raw socket, one prepared request, just
   enough parsing to find the end of each answer), as wrk or ab would be. `http.client`
   costs about as much CPU a request as the servers do, so its rates measure the client as
   much as the servers; its new-connection rates are printed too.

Run by hand (chalice is in the `bench` extra):

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/gateway.py [--requests 10000] [--repeats 11] [--http-requests 2000]

The in-process rows are the median (the verdict) and the best of `--repeats` runs, measured
after a one-second warm-up, each pinned to the core that ran a short sample fastest just
before it (on a VM the host's other guests slow the cores unevenly). Many short runs rather
than a few long ones: a spell of the host's load then spoils a few runs, not the median.
Results and commands are kept in `benchmarks/README.md`.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from rich.console import Console
from rich.table import Table

TRIVIAL_HANDLER = """
def handler(event, context):
    return {"statusCode": 200, "body": '{"hello": "world"}'}
"""

CHALICE_APP = """
from chalice import Chalice

app = Chalice(app_name="bench")


@app.route("/hello")
def hello():
    return {"hello": "world"}
"""


REPEATS = 11
WARM_UP_S = 1.0
# The floors (issue 20): requests/s in-process, and course serve's rate over chalice local's.
PIPELINE_FLOOR = 10_000
SERVE_FLOOR = 1.0


def warm_up(folder: Path, seconds: float = WARM_UP_S) -> Callable[[int], None]:
    """Run the full pipeline for `seconds` before measuring: a VM's core ramps up its clock
    (and the process's caches fill) during the first second, as pyperf's warm-up allows for.
    Returns a function that sends that many more requests the same way."""
    from course_cli.local_api import api_for_handler, build_request

    handler = folder / "trivial.py"
    handler.write_text(TRIVIAL_HANDLER)
    api = api_for_handler(str(handler), ["/hello"])
    request = build_request("GET", "/hello")

    def send(count: int) -> None:
        for _ in range(count):
            api.send(request)

    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        send(100)
    return send


CALIBRATION_REQUESTS = 400


def quickest_core(cores: list[int], send: Callable[[int], None]) -> int:
    """The core among `cores` that sends `CALIBRATION_REQUESTS` requests fastest right now;
    this process is left pinned to it."""
    best_core, best_time = cores[0], float("inf")
    for core in cores:
        os.sched_setaffinity(0, {core})
        send(50)  # first let this core's caches fill
        started = time.perf_counter()
        send(CALIBRATION_REQUESTS)
        elapsed = time.perf_counter() - started
        if elapsed < best_time:
            best_core, best_time = core, elapsed
    os.sched_setaffinity(0, {best_core})
    return best_core


def reference_loop_ms() -> float:
    """How long a fixed pure-Python loop takes here (best of 3): the machine's speed right now,
    printed next to the rates so that runs on a drifting VM can be told apart."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for number in range(2_000_000):
            total += number
        best = min(best, time.perf_counter() - started)
    return best * 1000


def in_process_rates(
    folder: Path, count: int, repeats: int = REPEATS
) -> list[tuple[float, float, float]]:
    """`in_process_rate` `repeats` times after a warm-up: one row per repeat.

    Each run is pinned to one core: unpinned, the scheduler moves the process between cores
    mid-run and each move costs its caches. The core is the one that ran a short sample of
    the same requests fastest just before: on a VM the host's other guests slow its cores
    down unevenly and in turns, and the floor is about this code's speed, not theirs.
    """
    pinnable = hasattr(os, "sched_getaffinity")
    allowed = sorted(os.sched_getaffinity(0)) if pinnable else []
    try:
        send = warm_up(folder)
        rows = []
        for _ in range(repeats):
            if pinnable:
                quickest_core(allowed, send)
            rows.append(in_process_rate(folder, count))
        return rows
    finally:
        if pinnable:
            os.sched_setaffinity(0, allowed)  # the loopback part uses every core again


def in_process_rate(folder: Path, count: int) -> tuple[float, float, float]:
    """Requests (or invocations) per second, measured one after the other in this process:

    - the full pipeline with the real in-process Lambda runtime (the target row);
    - the same pipeline with a trivial in-memory invoker that returns the handler's answer
      without running anything: the gateway's own cost;
    - the runtime invoked alone with the gateway's event: the Lambda side's cost.
    """
    from course_cli.gateway.invoker import LambdaInvoker, LambdaResult, Outcome
    from course_cli.gateway.pipeline import handle_request
    from course_cli.local_api import api_for_handler, build_request

    handler = folder / "trivial.py"
    handler.write_text(TRIVIAL_HANDLER)
    api = api_for_handler(str(handler), ["/hello"])
    request = build_request("GET", "/hello")
    for _ in range(500):  # warm-up: handler loaded, routes compiled
        api.send(request)
    started = time.perf_counter()
    for _ in range(count):
        api.send(request)
    pipeline = count / (time.perf_counter() - started)

    answer = api.send(request)
    event, result = answer.event, answer.lambda_result
    assert result is not None and result.outcome is Outcome.OK
    canned = LambdaResult(Outcome.OK, result.payload, request_id=result.request_id)

    class InMemory(LambdaInvoker):
        def invoke(
            self, function_name: str, event: Any, timeout_s: float, wait_s: float
        ) -> LambdaResult:
            return canned

    in_memory = InMemory()

    definition = api.definition
    for _ in range(500):
        handle_request(definition, request, in_memory)
    started = time.perf_counter()
    for _ in range(count):
        handle_request(definition, request, in_memory)
    gateway = count / (time.perf_counter() - started)

    started = time.perf_counter()
    for _ in range(count):
        api.runtime("trivial", event)
    runtime = count / (time.perf_counter() - started)
    return pipeline, gateway, runtime


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


def http_rate(port: int, path: str, count: int, *, keep_alive: bool) -> float:
    """Requests/s for `count` sequential GETs from `http.client`: one keep-alive connection, or
    a new connection per request (`Connection: close`)."""
    headers = {} if keep_alive else {"Connection": "close"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def one() -> None:
        if not keep_alive:
            connection.close()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status}")

    try:
        return sequential_rate(one, count)
    finally:
        connection.close()


def lean_rate(port: int, path: str, count: int, *, keep_alive: bool) -> float:
    """Requests/s for `count` sequential GETs from a lean client: the same request bytes each
    time over a raw socket, the answer read up to the end its Content-Length gives (or to the
    end of the connection), its status checked. One keep-alive connection, or a new
    connection per request (`Connection: close`)."""
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        + ("" if keep_alive else "Connection: close\r\n")
        + "\r\n"
    ).encode("ascii")
    address = ("127.0.0.1", port)
    connection: socket.socket | None = None

    def one() -> None:
        nonlocal connection
        if connection is None:
            connection = socket.create_connection(address, timeout=10)
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection.sendall(request)
        answer = _read_answer(connection, keep_alive)
        if not answer.startswith((b"HTTP/1.1 200 ", b"HTTP/1.0 200 ")):
            raise RuntimeError(f"{path} answered {answer[:40]!r}")
        if not keep_alive:
            connection.close()
            connection = None

    try:
        return sequential_rate(one, count)
    finally:
        if connection is not None:
            connection.close()


def sequential_rate(one: Callable[[], None], count: int) -> float:
    """Calls per second of `one()`, timed over `count` calls after 20 untimed ones."""
    for _ in range(20):  # warm-up
        one()
    started = time.perf_counter()
    for _ in range(count):
        one()
    return count / (time.perf_counter() - started)


def _read_answer(connection: socket.socket, keep_alive: bool) -> bytes:
    """One whole HTTP answer from `connection`: head, then Content-Length bytes of body (or
    everything up to the end of the connection when the answer gives no length)."""
    data = b""
    while (end := data.find(b"\r\n\r\n")) < 0:
        chunk = connection.recv(65536)
        if not chunk:
            raise RuntimeError("the server closed the connection before answering")
        data += chunk
    head = data[:end].lower()
    at = head.find(b"\r\ncontent-length:")
    if at < 0:
        if keep_alive:
            raise RuntimeError("an answer without Content-Length on a keep-alive connection")
        while chunk := connection.recv(65536):
            data += chunk
        return data
    line_end = head.find(b"\r\n", at + 2)
    length = int(head[at + 17 : line_end if line_end >= 0 else None])
    while len(data) < end + 4 + length:
        chunk = connection.recv(65536)
        if not chunk:
            raise RuntimeError("the server closed the connection in the middle of a body")
        data += chunk
    return data


ROUNDS = 3
# chalice's keep-alive rate is bound by Nagle's algorithm (its answer goes out in pieces, and
# the second waits for an acknowledgement): a few hundred requests measure it as well as
# thousands, in seconds instead of minutes.
CHALICE_KEEP_ALIVE_REQUESTS = 200


def start_course_serve(folder: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "course_cli",
            "serve",
            str(folder / "trivial.py"),
            "--resource",
            "/hello",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "COURSE_HOME": str(folder / "home")},
    )
    wait_for_port(port, process)
    return process, port


def start_chalice_local(folder: Path) -> tuple[subprocess.Popen[bytes], int] | None:
    chalice = shutil.which("chalice") or str(Path(sys.executable).parent / "chalice")
    if not Path(chalice).exists():
        return None
    project = folder / "chalice-bench"
    (project / ".chalice").mkdir(parents=True)
    (project / "app.py").write_text(textwrap.dedent(CHALICE_APP))
    (project / ".chalice" / "config.json").write_text(
        '{"version": "2.0", "app_name": "bench", "stages": {"dev": {}}}'
    )
    port = free_port()
    process = subprocess.Popen(
        [chalice, "local", "--port", str(port), "--no-autoreload"],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # Fake credentials and region: chalice never needs AWS here, and must not find any.
        env={
            **os.environ,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        },
    )
    wait_for_port(port, process)
    return process, port


class LoopbackRates(NamedTuple):
    """One server's medians (requests/s): the lean client's, and `http.client`'s."""

    keep_alive: float
    fresh: float
    fresh_http_client: float


def loopback_rates(
    folder: Path, count: int, rounds: int = ROUNDS
) -> tuple[LoopbackRates, LoopbackRates | None]:
    """The rates of course serve, and of chalice local (None when it is not installed).

    Both servers run side by side and are measured in turns, `rounds` times: a slow spell of
    the VM then hits both alike. Each rate is the median of its rounds.
    """
    (folder / "trivial.py").write_text(TRIVIAL_HANDLER)
    servers: list[tuple[subprocess.Popen[bytes], int]] = [start_course_serve(folder)]
    try:
        chalice = start_chalice_local(folder)
        if chalice is not None:
            servers.append(chalice)
        keep_alive: list[list[float]] = [[] for _ in servers]
        fresh: list[list[float]] = [[] for _ in servers]
        fresh_http_client: list[list[float]] = [[] for _ in servers]
        for _ in range(rounds):
            for i, (_, port) in enumerate(servers):
                fresh[i].append(lean_rate(port, "/hello", count, keep_alive=False))
                fresh_http_client[i].append(http_rate(port, "/hello", count, keep_alive=False))
                if i == 0:
                    keep_alive[i].append(lean_rate(port, "/hello", count, keep_alive=True))
        if chalice is not None:
            keep_alive[1].append(
                lean_rate(servers[1][1], "/hello", CHALICE_KEEP_ALIVE_REQUESTS, keep_alive=True)
            )
        rates = [
            LoopbackRates(
                statistics.median(keep_alive[i]),
                statistics.median(fresh[i]),
                statistics.median(fresh_http_client[i]),
            )
            for i in range(len(servers))
        ]
        return rates[0], rates[1] if chalice is not None else None
    finally:
        for process, _ in servers:
            process.terminate()
            process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=10_000, help="in-process requests per run")
    parser.add_argument(
        "--repeats", type=int, default=REPEATS, help="in-process runs (the median is judged)"
    )
    parser.add_argument("--http-requests", type=int, default=2_000, help="requests per server")
    args = parser.parse_args()
    console = Console()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        reference_before = reference_loop_ms()
        rows = in_process_rates(folder, args.requests, args.repeats)
        reference_after = reference_loop_ms()
        served, chalice = loopback_rates(folder, args.http_requests)

    # The verdict uses the median of the repeats, not the best: one lucky run proves nothing.
    medians = [statistics.median(row[i] for row in rows) for i in range(3)]
    bests = [max(row[i] for row in rows) for i in range(3)]
    pipeline = medians[0]
    table = Table(
        title=f"In-process, trivial handler, one core ({len(rows)} runs of "
        f"{args.requests:,} after a {WARM_UP_S:.0f} s warm-up, each on the core quickest "
        "just before it)"
    )
    table.add_column("what")
    table.add_column("median per second", justify="right")
    table.add_column("best", justify="right")
    table.add_column("floor (median)", justify="right")
    names = (
        "full gateway pipeline",
        # Where the time goes: the parts measured apart. Together they cost more than the sum
        # of their costs alone (each evicts the other's code and data from the caches).
        "  gateway alone (in-memory invoker)",
        "  runtime invoke alone",
    )
    for i, name in enumerate(names):
        floor = f"≥ {PIPELINE_FLOOR:,}" if i == 0 else ""
        table.add_row(name, f"{medians[i]:,.0f}", f"{bests[i]:,.0f}", floor)
    console.print(table)
    console.print(
        f"machine speed: a fixed pure-Python loop took {reference_before:.0f} ms before and "
        f"{reference_after:.0f} ms after (this VM's speed drifts with its host's load; "
        "compare runs only at similar speeds)"
    )

    table = Table(
        title=f"Over loopback, sequential GETs from one client ({args.http_requests:,} per "
        f"measurement, median of {ROUNDS} rounds taken in turns)"
    )
    table.add_column("server")
    table.add_column("keep-alive req/s", justify="right")
    table.add_column("new connection req/s", justify="right")
    table.add_column("vs chalice (worse of the two)", justify="right")
    table.add_column("new connection, http.client", justify="right")
    if chalice is not None:
        table.add_row(
            "chalice local (anchor)",
            f"{chalice.keep_alive:,.0f}",
            f"{chalice.fresh:,.0f}",
            "1.00x",
            f"{chalice.fresh_http_client:,.0f}",
        )
        ratio = min(served.keep_alive / chalice.keep_alive, served.fresh / chalice.fresh)
        ratio_http_client = served.fresh_http_client / chalice.fresh_http_client
        table.add_row(
            "course serve",
            f"{served.keep_alive:,.0f}",
            f"{served.fresh:,.0f}",
            f"{ratio:.2f}x",
            f"{served.fresh_http_client:,.0f} ({ratio_http_client:.2f}x)",
        )
    else:
        table.add_row("chalice local", "not installed", "pip install -e '.[bench]'", "", "")
        table.add_row(
            "course serve",
            f"{served.keep_alive:,.0f}",
            f"{served.fresh:,.0f}",
            "",
            f"{served.fresh_http_client:,.0f}",
        )
    console.print(table)
    console.print(
        "the lean client (a raw socket) is judged: http.client spends about as much time on "
        "each request as course serve does, which pulls its ratios towards 1"
    )
    meets = pipeline >= PIPELINE_FLOOR
    verdicts = [f"pipeline {'meets' if meets else 'MISSES'} {PIPELINE_FLOOR:,}/s"]
    if chalice is not None:
        ok = (
            served.keep_alive >= SERVE_FLOOR * chalice.keep_alive
            and served.fresh >= SERVE_FLOOR * chalice.fresh
        )
        verdicts.append(f"serve {'meets' if ok else 'MISSES'} {SERVE_FLOOR:.1f}x chalice")
    console.print("; ".join(verdicts))


if __name__ == "__main__":
    main()
