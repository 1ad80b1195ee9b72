"""Issue 20's line budget: how much smaller `course_cli` is than the 21,957 lines it had at
c09b8ba, before counting the features added since.

New features live in two places: modules of their own (`FEATURE_MODULES`), and lines added to
existing modules by a feature's commits (`FEATURE_COMMITS`, found with `git blame -w -M -C`,
so a line moved or re-indented later still counts for the commit that wrote it). Everything
else is the code that was there before, after issue 20's simplifications.

Run by hand from the repository: `.venv/bin/python benchmarks/line_budget.py` (about a
minute: it blames every module).
"""

from __future__ import annotations

import collections
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "course_cli"
BASELINE_COMMIT = "c09b8ba"
BASELINE_LINES = 21_957
BUDGET = 2_000

# Modules that exist only for a feature added since the baseline (issue in brackets).
FEATURE_MODULES = (
    "runtime/worker/isolation.py",  # 17: namespaces and a separate uid
    "runtime/worker/mounts.py",  # 17: what a namespaced worker sees (split from isolation.py)
    "runtime/worker/relay.py",  # 17: moto across the namespace boundary
    "grader/classroom/boundary.py",  # 17: choosing the wall
    "grader/template_worker.py",  # 17: learners' templates rendered in a worker
    "gateway/vtl/limits.py",  # 17: API Gateway's template limits
    "runtime/forked.py",  # 19: Runtime.ExitError for course invoke
    "textfile.py",  # 19: bounded reads of learner files
    "gateway/main_thread.py",  # 20: handlers on the main thread (Mangum, asyncio)
    "gateway/gateway_responses.py",  # 18: customised gateway responses
    "gateway/error_answer.py",  # 18: gateway responses applied
    "ui/examples/gateway_responses.py",  # 18: step 3.12
    "gateway/events_v2.py",  # 21: payload 2.0
    "gateway/proxy_response_v2.py",  # 21
    "gateway/http_api.py",  # 21
    "gateway/integrations/http_api_proxy.py",  # 21
    "gateway/authorizers.py",  # 21: Lambda authorizers
    "gateway/authorization.py",  # 21
    "gateway/http_authorization.py",  # 21
    "gateway/policy.py",  # 21
    "cli/authorizer_options.py",  # 21
    "ui/examples/beyond.py",  # 21: topic 6
    "grader/checks/ex08_authorizer.py",  # 21: exercise 08
    "gateway/api_keys.py",  # 22: apiKeyRequired
    "sandbox/openapi_security.py",  # 22: authorizers in OpenAPI
    "runtime/debugging.py",  # 22: --debug
    "cli/event_invoke.py",  # 22: invoke -e
    "cli/sam.py",  # 22: -t
    "sam/",  # 22: SAM templates
    "runtime/node/",  # 23: Node.js handlers
    "runtime/worker/node_functions.py",  # 23: Node.js handlers behind the wall
    "grader/handler_files.py",  # 23: a handler.mjs graded in place of handler.py
)

# Commits that added a feature inside existing modules; commits that mix a feature with
# simplification are left out. Blame is line by line: a line a feature commit moved and
# edited counts for it, one it only moved counts for the commit that wrote it.
FEATURE_COMMITS = {
    "c0c55a0": "17: VTL limits, no way out to Python",
    "182d0c0": "17: course grade in namespaces",
    "1dd9426": "17: templates rendered in a worker",
    "73d8577": "17: a namespaced worker's memory",
    "316ecd0": "17: adversarial suite per mode",
    "a816900": "17: isolation named and recorded",
    "f152dec": "21: a looping authorizer is a timeout",
    "979a3c9": "24: 502 explanations name the cause",
    "8313e24": "18: 6 MB answers",
    "2316799": "18: gateway responses",
    "403fa0f": "18: escapeJavaScript",
    "e888f2a": "18: every printed command runs",
    "4d6c632": "21: topic 6",
    "3d9a201": "19: idle crowds, 431, 413",
    "cd885eb": "19: fuzz findings",
    "ce78daa": "19: Lambda's timeout range",
    "38871a4": "19: --timeout with --api refused",
    "ed2a6c6": "19: a full disk while grading",
    "4a2a9c3": "19: the progress store bounded",
    "dda768c": "19: Runtime.ExitError",
    "03ca90b": "21: HTTP APIs, payload 2.0",
    "1f412d8": "21: route tables with payload 2.0",
    "1b4c558": "21: --payload 2.0",
    "3eb36c8": "21: Lambda authorizers",
    "122a303": "21: HTTP API authorizers",
    "bf12082": "21: --authorizer",
    "5c835e7": "21: exercise 08",
    "0216de2": "21: authorizer errors",
    "8951f25": "24: serve HANDLER --sandbox",
    "d599da1": "24: course watch says what it watches",
    "934dec9": "24: done signals, hints that wrap",
    "ccfb7ae": "24: reset in an editable clone",
    "03ea662": "24: notebooks never demote a pass",
    "02c3287": "24: what deploy.py printed",
    "fca1912": "24: 07's own hints",
    "2e843ea": "24: a workspace is one submission",
    "9652f59": "22: -e, module.function, -p, --host, --debug",
    "4cf519f": "22: apiKeyRequired",
    "803c55e": "22: ApiDefinition.api_keys",
    "1771a39": "22: --api-key",
    "7f52569": "22: --host",
    "88a115f": "22: SAM templates",
    "b411fb0": "22: serve -t / invoke -t",
    "ae676f2": "22: per-function environments",
    "82416d8": "22: a shared handler file per function",
    "be618e5": "22: CodeUri importable",
    "a491ed5": "22: authorizers in OpenAPI",
    "a327f1e": "22: API keys in usage plans",
    "a833576": "23: Node.js handlers",
    "251726e": "23: init leaves node_modules",
    "ab04a9e": "23: Node.js in the isolated worker",
    "772b97a": "23: 02 and 03 grade a handler.mjs",
    "3d71aba": "23: 06 grades a handler.mjs on the SDK v3",
    "dcb8533": "23: hints in JavaScript's words",
    "b1990d3": "23: course hint, serve --sandbox in JavaScript",
    "cf5f102": "23: --debug for Node.js",
}


def python_files() -> list[str]:
    return sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py"))


def is_feature_module(name: str) -> bool:
    return any(name == m or (m.endswith("/") and name.startswith(m)) for m in FEATURE_MODULES)


def blamed_commits(name: str) -> collections.Counter[str]:
    """How many of the module's lines each commit wrote (short hashes)."""
    out = subprocess.run(
        ["git", "blame", "-w", "-M", "-C", "--line-porcelain", "HEAD", "--", f"course_cli/{name}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    counts: collections.Counter[str] = collections.Counter()
    for line in out.splitlines():
        head = line.split(" ", 1)[0]
        if len(head) == 40 and all(c in "0123456789abcdef" for c in head):
            counts[head[:7]] += 1
    return counts


def main() -> None:
    total = feature_modules = feature_lines = 0
    by_commit: collections.Counter[str] = collections.Counter()
    for name in python_files():
        lines = len((PACKAGE / name).read_text(encoding="utf-8").splitlines())
        total += lines
        if is_feature_module(name):
            feature_modules += lines
            continue
        for commit, count in blamed_commits(name).items():
            if commit in FEATURE_COMMITS:
                by_commit[commit] += count
                feature_lines += count
    core = total - feature_modules - feature_lines
    core_modules_only = total - feature_modules
    print(f"{'measure':<58} {'lines':>7}")
    print(f"{'course_cli today, every *.py':<58} {total:>7}")
    print(f"{'  in new-feature modules':<58} {feature_modules:>7}")
    print(f"{'  added to older modules by feature commits (blame)':<58} {feature_lines:>7}")
    print(f"{'  the rest: the code there before, simplified':<58} {core:>7}")
    print(f"{'baseline at ' + BASELINE_COMMIT:<58} {BASELINE_LINES:>7}")
    print(f"{'smaller than the baseline, features not counted':<58} {BASELINE_LINES - core:>7}")
    print(
        f"{'  (counting only whole feature modules as features)':<58} "
        f"{BASELINE_LINES - core_modules_only:>7}"
    )
    print(f"{'floor':<58} {BUDGET:>7}")
    print("\nfeature lines in older modules, by commit:")
    for commit, count in by_commit.most_common():
        print(f"  {commit}  {count:>4}  issue {FEATURE_COMMITS[commit]}")


if __name__ == "__main__":
    main()
