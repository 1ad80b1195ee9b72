"""Reading the grader's check module: its source says what every case expects (hidden ones
included); an attacker that can read it can answer them all."""

import importlib.util
from pathlib import Path

import attack_common as common

ATTACK = "read-check-source"


def attack():
    paths = [Path(common.PACKAGE_DIR, "grader", "checks", "ex03_fix_the_502.py")]
    try:
        spec = importlib.util.find_spec("course_cli.grader.checks.ex03_fix_the_502")
        if spec is not None and spec.origin:
            paths.append(Path(spec.origin))
    except BaseException:  # the package may be hidden
        pass
    for path in paths:
        try:
            source = path.read_text(encoding="utf-8")
        except OSError:
            continue
        if "CASES" in source and "missing_body_is_400" in source:
            return True
    return False


LANDED = common.attempt(attack)


def handler(event, context):
    return common.answer(event, LANDED)
