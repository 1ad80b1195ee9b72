"""Freezing the batch: SIGSTOP `course grade` itself through a pidfd
(`signal.pidfd_send_signal(os.pidfd_open(pid), SIGSTOP)`, which raises no audit event), and
plain `os.kill(pid, SIGSTOP)` for every other process of this grading run it can see. A frozen
`course grade` never fires its `--timeout`; the harness sees the batch not finish. (Only the
processes of the `course grade` grading this run's class are ever signalled.)"""

import os
import signal

import attack_common as common

ATTACK = "freeze-batch"


def attack():
    stopped = 0
    for pid in common.grading_runs():
        try:
            pidfd = os.pidfd_open(pid)
            try:
                signal.pidfd_send_signal(pidfd, signal.SIGSTOP)
                stopped += 1
            finally:
                os.close(pidfd)
        except OSError:
            pass
    for pid in common.run_tree():
        if pid == os.getpid():
            continue
        try:
            os.kill(pid, signal.SIGSTOP)
            stopped += 1
        except OSError:
            pass
    return stopped > 0


FROZE = common.attempt(attack)


def handler(event, context):
    return common.blocked(event)
