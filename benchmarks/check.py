"""`course check` wall time per exercise, cold (a fresh process each, as a learner runs it),
against the targets, and the grader's peak memory.

Run by hand: `.venv/bin/python benchmarks/check.py [--runs 3]`. Each exercise is checked with
its reference solution in a throw-away workspace, so every case runs to the end.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from course_cli.grader import exercise_ids  # noqa: E402
from course_cli.workspace import bundled_dir, init_workspace  # noqa: E402

TARGETS_S = {e: (3.0 if e.startswith(("06", "07")) else 1.5) for e in exercise_ids()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="cold runs per exercise (median)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = init_workspace(Path(tmp) / "ws").root
        for exercise in exercise_ids():
            for path in (bundled_dir("solutions") / exercise).iterdir():
                shutil.copy(path, root / "exercises" / exercise / path.name)
        env = {**os.environ, "COURSE_HOME": str(Path(tmp) / "home"), "PYTHONPATH": str(REPO)}
        print(f"{'exercise':<22} {'median s':>9} {'target s':>9} {'peak MB':>8}  verdict")
        for exercise in exercise_ids():
            times, peaks = [], []
            for _ in range(args.runs):
                before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
                started = time.perf_counter()
                done = subprocess.run(
                    [sys.executable, "-m", "course_cli", "check", exercise, "--json"],
                    cwd=root,
                    env=env,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                times.append(time.perf_counter() - started)
                # ru_maxrss of children is the largest child so far (KiB on Linux).
                peaks.append(max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
                if done.returncode != 0:
                    sys.exit(f"{exercise}: course check failed:\n{done.stdout}{done.stderr}")
            median = statistics.median(times)
            verdict = "ok" if median <= TARGETS_S[exercise] else "SLOW"
            print(
                f"{exercise:<22} {median:>9.2f} {TARGETS_S[exercise]:>9.1f} "
                f"{max(peaks) / 1024:>8.0f}  {verdict}"
            )


if __name__ == "__main__":
    main()
