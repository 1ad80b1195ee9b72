"""`course --help` start-up time next to a bare Typer app with two commands, in one run.

Target (issue 3): course's median at most 1.3x the bare app's. Run by hand:

    .venv/bin/python benchmarks/startup.py [--runs 30]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

BARE_APP = '''
import typer

app = typer.Typer()


@app.command()
def hello(name: str) -> None:
    """Say hello."""
    print(f"hello {name}")


@app.command()
def bye(name: str) -> None:
    """Say bye."""
    print(f"bye {name}")


if __name__ == "__main__":
    app()
'''


def time_command(argv: list[str], runs: int) -> list[float]:
    """Wall times in ms of `runs` runs of argv (after one warm-up run)."""
    subprocess.run(argv, capture_output=True, check=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE_APP)
        # Interleave the two so machine noise hits both alike.
        course_times: list[float] = []
        bare_times: list[float] = []
        for _ in range(3):
            bare_times += time_command([sys.executable, str(bare), "--help"], args.runs // 3)
            course_times += time_command(
                [sys.executable, "-m", "course_cli", "--help"], args.runs // 3
            )
    table = Table(title=f"Start-up: --help wall time, {len(course_times)} runs each")
    for column in ("program", "median ms", "min ms", "max ms", "ratio to bare"):
        table.add_column(column, justify="right" if column != "program" else "left")
    bare_median = statistics.median(bare_times)
    for name, times in (("bare Typer app (anchor)", bare_times), ("course --help", course_times)):
        median = statistics.median(times)
        table.add_row(
            name,
            f"{median:.1f}",
            f"{min(times):.1f}",
            f"{max(times):.1f}",
            f"{median / bare_median:.2f}x",
        )
    Console().print(table)
    ratio = statistics.median(course_times) / bare_median
    verdict = "meets" if ratio <= 1.3 else "MISSES"
    Console().print(f"course --help is {ratio:.2f}x the bare app: {verdict} the 1.3x target")


if __name__ == "__main__":
    main()
