"""Which file a handler exercise grades: the Python starter's `handler.py`, or the same handler
written in JavaScript as the original lesson writes it (`handler.mjs`, `.js` or `.cjs`).

A check module that accepts other files in place of its starter's says so in `ACCEPTED_FILES`
(starter file → the files accepted instead, preferred in that order). When a folder holds
one of them, it is graded even if the starter is there too: `course start` always writes the
Python starter, so a JavaScript file beside it can only be the learner's choice. The check's
result then says which file was graded (`graded_note`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

PYTHON_HANDLER = "handler.py"
# Lambda's Node.js runtimes take all three; an ES module (.mjs) is what the lesson shows.
JAVASCRIPT_HANDLERS = ("handler.mjs", "handler.js", "handler.cjs")
# What a check module of a handler exercise that runs in both languages declares.
HANDLER_IN_EITHER_LANGUAGE: Mapping[str, tuple[str, ...]] = {PYTHON_HANDLER: JAVASCRIPT_HANDLERS}


def graded_file(folder: Path, starter: str, accepted: Mapping[str, tuple[str, ...]]) -> Path:
    """The file graded for `starter` in `folder`: the first accepted alternative there, else
    the starter itself (whether or not it exists: loading it says so)."""
    for name in accepted.get(starter, ()):
        if (folder / name).is_file():
            return folder / name
    return folder / starter


def graded_handler(folder: Path) -> Path:
    """The handler graded in `folder`: a JavaScript one if there is one, else `handler.py`."""
    return graded_file(folder, PYTHON_HANDLER, HANDLER_IN_EITHER_LANGUAGE)


def grades_javascript(folder: Path, accepted: Mapping[str, tuple[str, ...]]) -> bool:
    """Whether the handler graded in `folder` is a JavaScript one (its cases then give their
    hints in JavaScript's words)."""
    return PYTHON_HANDLER in accepted and graded_handler(folder).name in JAVASCRIPT_HANDLERS


def graded_note(folder: Path, accepted: Mapping[str, tuple[str, ...]]) -> str:
    """One line for the result when an alternative is graded instead of the starter; "" when
    the starter is."""
    notes = []
    for starter in accepted:
        graded = graded_file(folder, starter, accepted)
        if graded.name == starter:
            continue
        note = f"graded {graded.name}"
        if graded.name in JAVASCRIPT_HANDLERS:
            note += " (JavaScript, run by node)"
        if (folder / starter).is_file():
            note += f"; {starter} is not graded while {graded.name} is there"
        notes.append(note)
    return "; ".join(notes)
