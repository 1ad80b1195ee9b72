"""`course grade` on 100 submissions of the CRUD exercise, against `course check` in a loop.

Run by hand: `.venv/bin/python benchmarks/grade.py [--submissions 100] [--loop-sample N]`.

It writes a class of mixed submissions of 06-crud-handler (passing, failing in several ways,
hostile: endless loops, crashes, syntax errors, a memory bomb), then, in the same run:

1. `course grade CLASS --exercise 06-crud-handler` (default workers: the cores), timed, with
   the peak memory of its whole process tree (sampled every 20 ms from /proc);
2. the anchor: `course check 06-crud-handler` once per submission in a shell loop, each in a
   learner workspace holding that submission, as an instructor without `course grade` would.
   With `--loop-sample N` only the first N are timed and the loop's total is scaled from them
   (said so in the table).

Targets: all of them in at most 60 s, and at least 3x faster than the loop. The same class
is graded again with `--trust-submissions`, so the table shows what the boundary costs.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from course_cli.workspace import bundled_dir, init_workspace  # noqa: E402

EXERCISE = "06-crud-handler"
SOLUTION = (bundled_dir("solutions") / EXERCISE / "handler.py").read_text()
STARTER = (bundled_dir("exercises") / EXERCISE / "handler.py").read_text()
HOSTILE = REPO / "tests" / "grader" / "submissions" / "hostile"

# What each kind of submission is: its handler.py. Mixed as a real class would be: most pass
# or nearly pass, some are the untouched starter, a few are broken or hostile.
KINDS: dict[str, str] = {
    "passes": SOLUTION,
    "delete_answers_200": SOLUTION.replace("return respond(204)", "return respond(200)"),
    "body_is_a_dict": SOLUTION.replace(
        '"body": body}', '"body": json.loads(body) if body else None}'
    ),
    "no_404_for_missing": SOLUTION.replace(
        'respond(404, {"message": "product not found"})', "respond(200, {})"
    ),
    "decimal_not_converted": SOLUTION.replace(
        "json.dumps(payload, default=json_default)", "json.dumps(payload)"
    ),
    "starter": STARTER,
    "syntax_error": SOLUTION.replace("def handler(event, context):", "def handler(event, context)"),
    "infinite_loop": (HOSTILE / "infinite_loop.py").read_text(),
    "calls_os_exit": (HOSTILE / "calls_os_exit.py").read_text(),
    "memory_hog": (HOSTILE / "memory_hog.py").read_text(),
}
MIX = (
    ["passes"] * 50
    + ["delete_answers_200", "body_is_a_dict", "no_404_for_missing", "decimal_not_converted"] * 7
    + ["starter"] * 10
    + ["syntax_error", "infinite_loop", "calls_os_exit", "memory_hog"] * 3
)


def make_class(root: Path, count: int) -> list[tuple[str, str]]:
    """`count` learner folders, each with a handler.py of some kind; returns (learner, kind)."""
    learners = []
    for number, kind in zip(range(count), itertools.cycle(MIX), strict=False):
        learner = f"learner{number:03d}-{kind}"
        (root / learner).mkdir(parents=True)
        (root / learner / "handler.py").write_text(KINDS[kind])
        learners.append((learner, kind))
    return learners


class TreeMemory:
    """Peak resident memory of a process and all its descendants, sampled from /proc."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak_kb = max(self.peak_kb, self._tree_kb())

    def _tree_kb(self) -> int:
        children: dict[int, list[int]] = {}
        rss: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            pid = int(entry.name)
            children.setdefault(int(fields.get("PPid", "0").strip()), []).append(pid)
            rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
        total, stack = 0, [self.pid]
        while stack:
            pid = stack.pop()
            total += rss.get(pid, 0)
            stack.extend(children.get(pid, []))
        return total

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def run_grade(
    root: Path, out: Path, env: dict[str, str], *extra: str
) -> tuple[float, int, dict[str, int], str]:
    """Wall time, peak tree memory (KB), the status counts and the isolation of one
    `course grade` (`extra`: more options)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "course_cli",
            "grade",
            str(root),
            "--exercise",
            EXERCISE,
            "-o",
            str(out),
            "--json",
            *extra,
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    memory = TreeMemory(process.pid)
    stdout, _ = process.communicate()
    wall = time.perf_counter() - started
    memory.stop()
    if process.returncode != 0:
        sys.exit(f"course grade failed with exit code {process.returncode}")
    document = json.loads(stdout)
    return wall, memory.peak_kb, document["summary"]["statuses"], document["isolation"]


def run_check_loop(root: Path, learners: list[str], env: dict[str, str]) -> float:
    """Wall time of `course check` once per learner in a bash loop, one workspace each."""
    workspaces = root.parent / "workspaces"
    for learner in learners:
        workspace = init_workspace(workspaces / learner).root
        shutil.copy(root / learner / "handler.py", workspace / "exercises" / EXERCISE)
    script = (
        f"for w in {' '.join(learners)}; do "
        f'(cd "{workspaces}/$w" && "{sys.executable}" -m course_cli check {EXERCISE} --json '
        "> /dev/null); done"
    )
    started = time.perf_counter()
    subprocess.run(["bash", "-c", script], env=env, check=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument(
        "--loop-sample",
        type=int,
        default=0,
        help="time `course check` on only this many submissions and scale (0: all of them)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="course-bench-grade-") as tmp:
        root = Path(tmp) / "class"
        learners = make_class(root, args.submissions)
        env = {**os.environ, "COURSE_HOME": str(Path(tmp) / "home"), "PYTHONPATH": str(REPO)}
        cores = os.cpu_count() or 1
        print(f"{args.submissions} submissions of {EXERCISE} on {cores} cores; kinds:")
        counts = {kind: sum(k == kind for _, k in learners) for kind in KINDS}
        print("  " + ", ".join(f"{kind} {n}" for kind, n in counts.items() if n))

        wall, peak_kb, statuses, isolation = run_grade(root, Path(tmp) / "grades", env)
        # The same class with no boundary at all: what the boundary costs.
        bare_wall, bare_kb, _, _ = run_grade(
            root, Path(tmp) / "grades-bare", env, "--trust-submissions"
        )

        names = [learner for learner, _ in learners]
        sample = names[: args.loop_sample] if args.loop_sample else names
        # A sample keeps the class's mix: take it spread across the class.
        if args.loop_sample:
            step = max(1, len(names) // args.loop_sample)
            sample = names[::step][: args.loop_sample]
        loop = run_check_loop(root, sample, env)
        loop_total = loop * len(names) / len(sample)

    rate = args.submissions / wall
    print()
    print(f"{'what':<44} {'wall s':>8} {'subs/s':>8} {'peak MB':>8}  target")
    print(
        f"{'course grade (' + str(cores) + ' workers, ' + isolation + ')':<44} {wall:>8.1f} "
        f"{rate:>8.2f} {peak_kb / 1024:>8.0f}  <= 60 s: {'met' if wall <= 60 else 'MISSED'}"
    )
    print(
        f"{'course grade --trust-submissions (none)':<44} {bare_wall:>8.1f} "
        f"{args.submissions / bare_wall:>8.2f} {bare_kb / 1024:>8.0f}"
    )
    cost_ms = (wall - bare_wall) * cores / args.submissions * 1000
    print(f"{'the boundary, per submission (core-ms)':<44} {cost_ms:>8.0f}")
    label = "course check, shell loop" + (
        f" ({len(sample)} timed, scaled)" if len(sample) < len(names) else ""
    )
    print(f"{label:<44} {loop_total:>8.1f} {args.submissions / loop_total:>8.2f} {'':>8}")
    speedup = loop_total / wall
    print(
        f"{'speed-up over the loop':<44} {speedup:>7.1f}x  >= 3x: "
        f"{'met' if speedup >= 3 else 'MISSED'}"
    )
    print("statuses: " + ", ".join(f"{k} {v}" for k, v in statuses.items() if v))


if __name__ == "__main__":
    main()
