"""Starting a program the audit hook cannot follow: `_posixsubprocess.fork_exec` of `/bin/sh`
raises no audit event. The shell then writes into the grading user's HOME, which no
submission may reach; the attacker passes if it could."""

import os

import attack_common as common

ATTACK = "fork-exec-shell"


def attack():
    target = os.path.join(common.HOME, common.evidence_name(ATTACK))
    script = f'echo "{common.MARKER}" > "{target}"'
    pid = common.fork_exec(["sh", "-c", script], executable="/bin/sh")
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


LANDED = common.attempt(attack)


def handler(event, context):
    return common.answer(event, LANDED)
