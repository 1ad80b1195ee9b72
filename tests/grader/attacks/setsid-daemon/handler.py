"""A daemon that outlives the grading: a long `sleep` in a session of its own
(`start_new_session=True`, or `fork_exec(..., call_setsid=True)` when `subprocess` is refused),
its command line carrying the run's marker. Nothing here can tell whether it survives: the
harness looks for it after the batch. The attacker never answers correctly."""

import subprocess

import attack_common as common

ATTACK = "setsid-daemon"
ARGV = [f"course-adversarial-{common.MARKER}-{ATTACK}", "600"]


def with_subprocess():
    subprocess.Popen(
        ARGV,
        executable="/bin/sleep",
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return True


def with_fork_exec():
    common.fork_exec(ARGV, executable="/bin/sleep", setsid=True)
    return True


STARTED = common.attempt(with_subprocess) or common.attempt(with_fork_exec)


def handler(event, context):
    return common.blocked(event)
