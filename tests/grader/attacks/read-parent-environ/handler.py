"""Reading the grader's environment: `/proc/<pid>/environ` of every ancestor (the grading
process, `course grade`, its shell) and of every process of this grading run, looking for the
token `course grade` was started with (and this worker's own environment, in case it leaked).
The attacker passes only if it found the token itself (it knows only its SHA-256)."""

import os

import attack_common as common

ATTACK = "read-parent-environ"
NAME = b"GRADER_SECRET_TOKEN="


def environments():
    yield b"\0".join(f"{k}={v}".encode() for k, v in os.environ.items())
    for pid in dict.fromkeys([*common.ancestors(), *common.run_tree()]):
        try:
            with open(f"/proc/{pid}/environ", "rb") as file:
                yield file.read()
        except OSError:
            continue


def attack():
    for environment in environments():
        for entry in environment.split(b"\0"):
            if entry.startswith(NAME):
                value = entry[len(NAME) :].decode("utf-8", "replace")
                if common.sha256(value) == common.ENV_SECRET_SHA256:
                    return True
    return False


LANDED = common.attempt(attack)


def handler(event, context):
    return common.answer(event, LANDED)
