"""What isolation costs: the isolated worker next to the in-process runtime, in one run.

For a trivial handler, prints
1. start-up: time to a worker ready for its first invocation (a fresh process, limits,
   audit hook), the first (cold) invocation, and the same for `InProcessRuntime`;
2. invocations per second, warm, through each runtime;
3. a restart: how long the invocation after a crash (`os._exit`) takes, worker restart
   included;
4. `run_script` on a trivial script, end to end.

Run by hand:

    .venv/bin/python benchmarks/isolation.py [--invocations 2000] [--starts 10]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from course_cli.runtime import InProcessRuntime
from course_cli.runtime.worker.functions import IsolatedRuntime
from course_cli.runtime.worker.process import Limits
from course_cli.runtime.worker.results import ResultKind
from course_cli.runtime.worker.scripts import run_script

TRIVIAL_HANDLER = """
def handler(event, context):
    return {"statusCode": 200, "body": '{"hello": "world"}'}
"""
CRASHING_HANDLER = """
import os
def handler(event, context):
    os._exit(0)
"""
EVENT = {"httpMethod": "GET", "path": "/hello", "queryStringParameters": None}


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} ms"


def isolated_starts(folder: Path, starts: int, limits: Limits) -> tuple[list[float], list[float]]:
    """(seconds to a ready worker, seconds for the first invocation) per fresh worker."""
    ready, first = [], []
    for _ in range(starts):
        with IsolatedRuntime({"trivial": "trivial.py"}, workdir=folder, limits=limits) as runtime:
            ready.append(runtime.start())
            started = time.perf_counter()
            assert runtime("trivial", EVENT).kind is ResultKind.OK
            first.append(time.perf_counter() - started)
    return ready, first


def in_process_starts(folder: Path, starts: int) -> tuple[list[float], list[float]]:
    ready, first = [], []
    for index in range(starts):
        # A fresh file each time, so the first call really imports it (no cache hit).
        handler = folder / f"trivial_{index}.py"
        handler.write_text(TRIVIAL_HANDLER)
        started = time.perf_counter()
        runtime = InProcessRuntime({"trivial": str(handler)})
        ready.append(time.perf_counter() - started)
        started = time.perf_counter()
        runtime("trivial", EVENT)
        first.append(time.perf_counter() - started)
    return ready, first


def rate(invoke: object, count: int) -> float:
    call = invoke  # a LambdaInvoker
    for _ in range(50):  # warm-up
        call("trivial", EVENT)  # type: ignore[operator]
    started = time.perf_counter()
    for _ in range(count):
        call("trivial", EVENT)  # type: ignore[operator]
    return count / (time.perf_counter() - started)


def restart_cost(folder: Path, rounds: int, limits: Limits) -> list[float]:
    """Seconds for a normal invocation right after a crash (the worker is started again)."""
    samples = []
    with IsolatedRuntime(
        {"trivial": "trivial.py", "crash": "crash.py"}, workdir=folder, limits=limits
    ) as runtime:
        runtime.start()
        for _ in range(rounds):
            assert runtime("crash", EVENT).kind is ResultKind.CRASHED
            started = time.perf_counter()
            assert runtime("trivial", EVENT).kind is ResultKind.OK
            samples.append(time.perf_counter() - started)
    return samples


def script_runs(folder: Path, rounds: int) -> list[float]:
    script = folder / "answers.py"
    script.write_text("ANSWER = 'AWS_PROXY'\nprint(ANSWER)\n")
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        result = run_script(script)
        assert result.exit_code == 0 and result.stdout == "AWS_PROXY\n"
        samples.append(time.perf_counter() - started)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invocations", type=int, default=2000)
    parser.add_argument("--starts", type=int, default=10)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="course-bench-") as name:
        folder = Path(name)
        (folder / "trivial.py").write_text(TRIVIAL_HANDLER)
        (folder / "crash.py").write_text(CRASHING_HANDLER)
        plain, walled = Limits(), Limits(isolation="namespaces")
        iso_ready, iso_first = isolated_starts(folder, options.starts, plain)
        ns_ready, ns_first = isolated_starts(folder, options.starts, walled)
        inp_folder = folder / "inprocess"
        inp_folder.mkdir()
        inp_ready, inp_first = in_process_starts(inp_folder, options.starts)
        rates = []
        for limits in (plain, walled):
            with IsolatedRuntime({"trivial": "trivial.py"}, workdir=folder, limits=limits) as rt:
                rates.append(rate(rt, options.invocations))
        iso_rate, ns_rate = rates
        inp_rate = rate(InProcessRuntime({"trivial": str(folder / "trivial.py")}), 20_000)
        restarts = restart_cost(folder, options.starts, plain)
        ns_restarts = restart_cost(folder, options.starts, walled)
        scripts = script_runs(folder, options.starts)

    table = Table(title=f"Isolated worker vs in-process runtime (median of {options.starts})")
    table.add_column("measure")
    table.add_column("worker (course check)", justify="right")
    table.add_column("worker in namespaces (course grade)", justify="right")
    table.add_column("in-process", justify="right")
    table.add_row(
        "start-up (ready to invoke)",
        median_ms(iso_ready),
        median_ms(ns_ready),
        median_ms(inp_ready),
    )
    table.add_row(
        "first (cold) invocation", median_ms(iso_first), median_ms(ns_first), median_ms(inp_first)
    )
    table.add_row("warm invocations / s", f"{iso_rate:,.0f}", f"{ns_rate:,.0f}", f"{inp_rate:,.0f}")
    table.add_row(
        "per warm invocation",
        f"{1e6 / iso_rate:.0f} µs",
        f"{1e6 / ns_rate:.0f} µs",
        f"{1e6 / inp_rate:.1f} µs",
    )
    table.add_row(
        "invocation after a crash (restart)", median_ms(restarts), median_ms(ns_restarts), "—"
    )
    table.add_row("run_script (trivial script, end to end)", median_ms(scripts), "—", "—")
    Console().print(table)


if __name__ == "__main__":
    main()
