"""Special files outside the folder: `os.mkfifo` and `os.mknod` raise no audit event. Creates a
FIFO and a character device (the numbers of /dev/null; a real attacker would pick a disk's) in
the grading user's HOME."""

import os
import stat

import attack_common as common

ATTACK = "mknod-mkfifo"


def fifo():
    os.mkfifo(os.path.join(common.HOME, common.evidence_name(ATTACK) + "-fifo"))
    return True


def device():
    path = os.path.join(common.HOME, common.evidence_name(ATTACK) + "-node")
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return True


LANDED = common.attempt(fifo) | common.attempt(device)


def handler(event, context):
    return common.answer(event, LANDED)
