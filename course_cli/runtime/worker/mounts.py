"""What a namespaced worker sees of this machine's files (`isolation.namespace_command`):
bubblewrap options for a read-only view of the system, Python, `node` and the AWS SDK v3
installed for course, and of `course_cli` only the parts the worker runs on; any other
`course_cli` on the path (an editable install's, with the solutions) is masked.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

# `course_cli`'s parts a worker runs on; the rest of the package (the grader and its checks,
# the lesson, the reference CRUD handler, the bundled solutions) is never in its view.
PACKAGE_PARTS = ("__init__.py", "errors.py", "py.typed", "gateway", "runtime")


def system_binds() -> list[str]:
    """bubblewrap options for a read-only view of `/usr`, a few `/etc` files and Python."""
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/", name)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    # bubblewrap makes the folders of its mount points 0700: the sandbox's user could not
    # enter /etc (node, whose OpenSSL reads /etc/ssl/openssl.cnf, would not even start).
    args += ["--perms", "0755", "--dir", "/etc"]
    for name in ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "ssl", "mime.types"):
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    for folder in python_dirs():
        if not inside(folder, Path("/usr")):
            args += [*open_parents(folder), "--ro-bind", str(folder), str(folder)]
    if sys.prefix != os.path.realpath(sys.prefix):  # a venv reached through a symlink
        args += ["--symlink", os.path.realpath(sys.prefix), sys.prefix]
    return args + node_binds() + sdk_binds()


def node_binds() -> list[str]:
    """The `node` on PATH, read-only at its real path, when it is not in the system folders
    already (nvm's, say). The executable alone: its folder may be a home's `bin`, and the
    official builds need nothing beside them but the system's libraries."""
    found = shutil.which("node")
    if found is None:
        return []
    node = Path(os.path.realpath(found))
    system = [Path("/usr"), *(Path("/", name) for name in ("bin", "sbin", "lib", "lib64"))]
    if any(inside(node, folder) for folder in system):
        return []
    return [*open_parents(node), "--ro-bind", str(node), str(node)]


def sdk_binds() -> list[str]:
    """The AWS SDK v3 installed for course (`runtime.node.sdk`), read-only at its own path,
    as Lambda's Node.js runtime has it built in: public npm packages, shared by every worker."""
    from course_cli.runtime.node.sdk import installed_sdk

    modules = installed_sdk()
    if modules is None:
        return []
    real = Path(os.path.realpath(modules))
    return [*open_parents(real), "--ro-bind", str(real), str(real)]


def python_dirs() -> list[Path]:
    return sorted({Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()})


def open_parents(path: Path) -> list[str]:
    """Options making `path`'s parents in the sandbox folders anyone may enter (`/root`)."""
    args: list[str] = []
    for parent in reversed(path.parents[:-1]):
        args += ["--perms", "0755", "--dir", str(parent)]
    return args


def package_binds() -> list[str]:
    """Only the worker's part of `course_cli`, read-only; any other `course_cli` folder on
    the path (an editable install's, with the solutions) is emptied too."""
    package = Path(__file__).resolve().parents[2]
    args = [*open_parents(package), "--perms", "0755", "--tmpfs", str(package)]
    for part in PACKAGE_PARTS:
        args += ["--ro-bind-try", str(package / part), str(package / part)]
    args += ["--remount-ro", str(package)]
    for other in sorted(other_package_folders(package)):
        # The sandbox's /tmp is a fresh tmpfs: a folder there is already out of sight unless
        # a bound Python holds it, and masking it would only make its parents, writable.
        hidden = inside(other, Path("/tmp")) and not any(
            inside(other, folder) for folder in python_dirs()
        )
        if not hidden:
            args += ["--perms", "0755", "--tmpfs", str(other), "--remount-ro", str(other)]
    return args


def other_package_folders(package: Path) -> set[Path]:
    """`course_cli` folders in the Python's module folders other than the package itself."""
    import site

    folders = {*site.getsitepackages(), *sys.path}
    if site.ENABLE_USER_SITE:
        folders.add(site.getusersitepackages())
    found = set()
    for folder in folders:
        candidate = Path(folder or ".") / "course_cli"
        if candidate.is_dir() and candidate.resolve() != package:
            found.add(candidate.resolve())
    return found


def inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents
