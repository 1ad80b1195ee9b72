#!/usr/bin/env bash
# Gradescope runs this once, while it builds the autograder's image. Written by
# `course gradescope build`: it makes sure a Python 3.11+ is there and installs `course` into
# its own virtual environment, which run_autograder then uses.
set -euo pipefail

# What `pip install` gets. Edit this one line to install course from elsewhere.
COURSE_INSTALL=@COURSE_INSTALL@
# Gradescope's fixed layout; overridable so this script can be tried outside Gradescope.
ROOT="${AUTOGRADER_ROOT:-/autograder}"

apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "$@"
}

find_python() {
    local candidate
    for candidate in python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

PYTHON="$(find_python || true)"
if [ -z "$PYTHON" ]; then
    # Gradescope's Ubuntu 22.04 image ships Python 3.10; course needs 3.11 or newer.
    apt_install python3.11 python3.11-venv
    PYTHON=python3.11
fi

# Debian and Ubuntu keep `venv` (ensurepip) in a package of its own.
if ! "$PYTHON" -m venv "$ROOT/venv"; then
    apt_install "$(basename "$PYTHON")-venv"
    "$PYTHON" -m venv "$ROOT/venv"
fi

# A spec such as 'course @ git+https://...' needs git.
case "$COURSE_INSTALL" in
*git+*) command -v git >/dev/null 2>&1 || apt_install git ca-certificates ;;
esac

"$ROOT/venv/bin/python" -m pip install --quiet --upgrade pip
"$ROOT/venv/bin/python" -m pip install "$COURSE_INSTALL"
"$ROOT/venv/bin/course" --help >/dev/null
echo "course is installed in $ROOT/venv"
