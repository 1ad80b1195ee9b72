"""Renders per second of the lesson's request template (step 4.4), compiled once, next to the
bare airspeed engine and a plain `json.dumps` of the same data.

Run by hand: `.venv/bin/python benchmarks/vtl.py [--rounds 5] [--seconds 1.0]
[--compare-with /path/to/other/checkout]`. Target: at least 20,000 renders/s on one core.

The machine this runs on is usually shared, so every figure is CPU time of one process (not
wall time), each measurement runs in its own fresh process (our layer patches airspeed for
the whole process, so the bare engine needs its own), the measurements take turns round by
round, and the table shows the median and the best of the rounds. `--compare-with` measures
the same template through another copy of `course_cli` (e.g. a checkout before a change) in
the same rounds, so before/after numbers come from one run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

TEMPLATE = """#set($query = $input.params().querystring)
{
  "method": "$context.httpMethod",
  "query": {
#foreach($name in $query.keySet())
    "$name": "$util.escapeJavaScript($query.get($name))"#if($foreach.hasNext),#end
#end
  }
}
"""
QUERY = {"include": "orders", "limit": "5"}
CONTEXT = {"httpMethod": "GET", "stage": "prod", "requestId": "r-1"}
EXPECTED = {"method": "GET", "query": QUERY}
REPO = Path(__file__).resolve().parent.parent


def rate(work: Callable[[], object], seconds: float) -> float:
    """Calls per CPU-second of `work`, over about `seconds` of this process's CPU time."""
    work()
    count, started = 0, time.process_time()
    while (elapsed := time.process_time() - started) < seconds:
        for _ in range(200):
            work()
        count += 200
    return count / elapsed


def workload(kind: str) -> Callable[[], object]:
    """The function one measurement calls, checked once to print the expected JSON."""
    if kind == "json":
        return lambda: json.dumps({"method": "GET", "query": dict(QUERY)})
    # Only the package's public names here: `--compare-with` may load another layout.
    from course_cli.gateway.vtl import TemplateData, render_template

    data = TemplateData(query=QUERY, context=CONTEXT)
    if kind == "compiled":

        def work() -> str:
            return render_template(TEMPLATE, data).output

    elif kind == "reparsed":
        from course_cli.gateway.vtl.engine import compile_template

        def work() -> str:
            compile_template.cache_clear()
            return render_template(TEMPLATE, data).output

    else:  # the bare engine: airspeed as shipped, our $input/$util/$context objects
        import airspeed

        from course_cli.gateway.vtl.render import fresh_context
        from course_cli.gateway.vtl.variables import UTIL, TemplateInput

        template = airspeed.Template(TEMPLATE)
        template.ensure_compiled()
        params = {"path": {}, "querystring": dict(QUERY), "header": {}}

        def work() -> str:
            namespace = {
                "input": TemplateInput("", params),
                "context": fresh_context(CONTEXT),
                "stageVariables": {},
                "util": UTIL,
            }
            return str(template.merge(namespace))

    output = work()
    assert json.loads(str(output)) == EXPECTED, output
    return work


def measure(kind: str, seconds: float, path: str | None) -> float:
    """One measurement in a fresh interpreter; `path` puts another `course_cli` first."""
    env = dict(os.environ)
    if path:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [path, env.get("PYTHONPATH")]))
    answer = subprocess.run(
        [sys.executable, __file__, "--measure", kind, "--seconds", str(seconds)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        cwd=path or REPO,
    )
    return float(answer.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--compare-with", help="another checkout's directory (holds course_cli)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(rate(workload(args.measure), args.seconds))
        return

    from rich.console import Console
    from rich.table import Table

    rows = [
        ("bare airspeed engine, compiled (no AWS layer)", "bare", None),
        ("render_template, compiled once (cached)", "compiled", None),
        ("render_template, parsed every time", "reparsed", None),
        ("json.dumps of the same data", "json", None),
    ]
    if args.compare_with:
        label = f"render_template, compiled, from {args.compare_with}"
        rows.insert(2, (label, "compiled", args.compare_with))
    results: dict[str, list[float]] = {label: [] for label, _, _ in rows}
    for _ in range(args.rounds):
        for label, kind, path in rows:
            results[label].append(measure(kind, args.seconds, path))
    table = Table(title="Lesson request template (step 4.4), renders per CPU-second, one core")
    table.add_column("what")
    table.add_column("median", justify="right")
    table.add_column("best", justify="right")
    table.add_column("rounds", justify="right")
    for label, values in results.items():
        table.add_row(
            label,
            f"{statistics.median(values):,.0f}",
            f"{max(values):,.0f}",
            " ".join(f"{v / 1000:.1f}k" for v in values),
        )
    ours = statistics.median(results[rows[1][0]])
    bare = statistics.median(results[rows[0][0]])
    verdict = "meets" if ours >= 20_000 else "MISSES"
    table.caption = (
        f"target: at least 20,000 renders/s compiled - {verdict} "
        f"({ours / bare:.0%} of the bare engine, median of {args.rounds} rounds)"
    )
    Console().print(table)


if __name__ == "__main__":
    main()
