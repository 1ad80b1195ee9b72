"""How long executing all five companion notebooks takes with a real kernel (target: < 90 s).

Run by hand: `.venv/bin/python benchmarks/notebooks.py [--starters]`. Each notebook runs top
to bottom in a fresh kernel (nbclient + ipykernel) in a scratch folder, with the reference
solutions in its exercise cells (`--starters`: as shipped), as the kernel tests run them.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.notebooks.running import execute, notebook_paths  # noqa: E402

TARGET_S = 90.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--starters", action="store_true", help="run the starters, not solutions")
    args = parser.parse_args()
    total = 0.0
    with tempfile.TemporaryDirectory() as scratch:
        for path in notebook_paths():
            started = time.perf_counter()
            executed = execute(path, Path(scratch), solutions=not args.starters)
            took = time.perf_counter() - started
            total += took
            errors = executed.errors()
            verdicts = "; ".join(f"{e}: {s}" for e, s in executed.verdicts().items())
            print(f"{path.name:28} {took:6.2f} s  {len(errors)} errors  {verdicts}")
    verdict = "ok" if total < TARGET_S else "SLOW"
    print(f"{'all five':28} {total:6.2f} s  (target < {TARGET_S:.0f} s: {verdict})")


if __name__ == "__main__":
    main()
