"""Reading the grading user's `~/.aws/credentials`: through a directory fd on HOME (a relative
path the audit hook resolves against the working folder), and plainly. The attacker passes
only if it read the real secret (it knows only its SHA-256)."""

import configparser
import os

import attack_common as common

ATTACK = "read-aws-credentials"
RELATIVE = os.path.join(".aws", "credentials")


def through_dir_fd():
    directory = os.open(common.HOME, os.O_RDONLY)
    try:
        fd = os.open(RELATIVE, os.O_RDONLY, dir_fd=directory)
    finally:
        os.close(directory)
    with os.fdopen(fd, encoding="utf-8") as file:
        return file.read()


def plainly():
    with open(os.path.join(common.HOME, RELATIVE), encoding="utf-8") as file:
        return file.read()


def is_the_secret(text):
    parser = configparser.ConfigParser()
    parser.read_string(text)
    return any(
        common.sha256(section.get("aws_secret_access_key", "")) == common.SECRET_SHA256
        for section in parser.values()
    )


def attack():
    for read in (through_dir_fd, plainly):
        try:
            if is_the_secret(read()):
                return True
        except (OSError, ValueError, configparser.Error):
            continue
    return False


LANDED = common.attempt(attack)


def handler(event, context):
    return common.answer(event, LANDED)
