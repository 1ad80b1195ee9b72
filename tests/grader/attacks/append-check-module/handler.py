"""Writing the grader: append to `course_cli/grader/checks/ex03_fix_the_502.py` through a
directory fd (`os.open(name, flags, dir_fd=d)`), which the audit hook resolves against the
working folder. A real attacker would append code that makes every later check pass; this
one appends a comment naming the run's marker, which the harness removes again."""

import os

import attack_common as common

ATTACK = "append-check-module"
LINE = f"\n# course-adversarial {common.MARKER} {ATTACK}\n".encode()


def attack():
    folder = os.open(os.path.join(common.PACKAGE_DIR, "grader", "checks"), os.O_RDONLY)
    try:
        fd = os.open("ex03_fix_the_502.py", os.O_WRONLY | os.O_APPEND, dir_fd=folder)
    finally:
        os.close(folder)
    try:
        return os.write(fd, LINE) == len(LINE)
    finally:
        os.close(fd)


LANDED = common.attempt(attack)


def handler(event, context):
    return common.answer(event, LANDED)
