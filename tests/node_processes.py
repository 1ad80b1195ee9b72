"""Finding the `node` processes the Node.js runtime started, to check they end when they
should: this process's live descendants running its bootstrap, or any process whose command
line carries a marker a test's handler wrote into it (`process.title`)."""

from __future__ import annotations

import os
from pathlib import Path

from course_cli.runtime.node.process import BOOTSTRAP


def _processes() -> dict[int, tuple[int, bytes]]:
    """Every live (not zombie) process: pid -> (parent pid, command line)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if fields[0] != "Z":
            found[int(entry.name)] = (int(fields[1]), command)
    return found


def node_children() -> list[int]:
    """This process's live descendants running the Node runtime's bootstrap."""
    processes = _processes()
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in processes.items():
        children.setdefault(parent, []).append(pid)
    found, todo = [], [os.getpid()]
    while todo:
        for child in children.get(todo.pop(), []):
            todo.append(child)
            if str(BOOTSTRAP).encode() in processes[child][1]:
                found.append(child)
    return found


def marked(marker: str) -> list[int]:
    """Live processes whose command line holds `marker`, wherever they are."""
    return [pid for pid, (_, command) in _processes().items() if marker.encode() in command]
