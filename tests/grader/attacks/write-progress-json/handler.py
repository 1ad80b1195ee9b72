"""Rewriting the grading user's course progress: `$COURSE_HOME/progress.json`, written through
a directory fd (and, failing that, plainly), claiming every exercise done."""

import json
import os

import attack_common as common

ATTACK = "write-progress-json"
FORGED = json.dumps(
    {
        "format_version": 1,
        "current_lesson": None,
        "lessons": {},
        "exercises": {common.EXERCISE: {"status": "passed", "forged": common.MARKER}},
    }
).encode()


def through_dir_fd():
    directory = os.open(common.COURSE_HOME, os.O_RDONLY)
    try:
        fd = os.open(
            "progress.json", os.O_WRONLY | os.O_TRUNC | os.O_CREAT, 0o644, dir_fd=directory
        )
    finally:
        os.close(directory)
    try:
        return os.write(fd, FORGED) == len(FORGED)
    finally:
        os.close(fd)


def plainly():
    with open(os.path.join(common.COURSE_HOME, "progress.json"), "wb") as file:
        file.write(FORGED)
    return True


LANDED = common.attempt(through_dir_fd) or common.attempt(plainly)


def handler(event, context):
    return common.answer(event, LANDED)
