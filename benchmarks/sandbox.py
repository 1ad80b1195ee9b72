"""Sandbox speed: start-up, deploying the CRUD API, and CRUD requests per second.

Run by hand: `.venv/bin/python benchmarks/sandbox.py [--requests N]`. Prints one table.
"In-process" means the handler's boto3 calls are answered by moto's mock in this process;
"moto server" means they go over HTTP to moto's server on 127.0.0.1 (what a grader's worker
or a learner's script in another process uses). Both go through our gateway and the
reference handler.
"""

from __future__ import annotations

import argparse
import json
import time

from course_cli.local_api import build_request
from course_cli.sandbox import Sandbox
from course_cli.sandbox.crud import deploy_crud


def crud_rate(sandbox: Sandbox, rounds: int) -> float:
    """CRUD requests per second: each round is POST, GET one, PUT, GET list, DELETE."""
    api = sandbox.api()
    started = time.perf_counter()
    for n in range(rounds):
        created = api.send(
            build_request("POST", "/products", body=json.dumps({"name": f"p{n}", "price": n}))
        )
        assert created.response is not None and created.response.status == 201
        path = "/products/" + json.loads(created.response.body)["id"]
        for method, target, body in (
            ("GET", path, None),
            ("PUT", path, '{"name": "x", "price": 1}'),
            ("GET", "/products", None),
            ("DELETE", path, None),
        ):
            answer = api.send(build_request(method, target, body=body))
            assert answer.response is not None and answer.response.status < 300
    return rounds * 5 / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500, help="CRUD requests per mode")
    rounds = max(1, parser.parse_args().requests // 5)
    rows = []
    started = time.perf_counter()
    import moto  # noqa: F401  (the first sandbox pays for importing moto and boto3)

    rows.append(("import moto + boto3", f"{time.perf_counter() - started:.2f} s"))
    for label, server in (("in-process", False), ("moto server", True)):
        started = time.perf_counter()
        with Sandbox(server=server) as sandbox:
            rows.append((f"sandbox start-up ({label})", f"{time.perf_counter() - started:.3f} s"))
            started = time.perf_counter()
            deploy_crud(sandbox)
            rows.append((f"deploy CRUD API ({label})", f"{time.perf_counter() - started:.2f} s"))
            rate = crud_rate(sandbox, rounds)
            rows.append((f"CRUD requests/s ({label})", f"{rate:.0f}"))
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  value")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
