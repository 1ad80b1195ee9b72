"""Which handlers are Node.js ones, and where they live: `handler.mjs[:name]`, `app.js`,
`lib.cjs`, or Lambda's `index.handler` when `index.js`, `index.mjs` or `index.cjs` exists.

Parsing only, into the same `HandlerSpec` the Python runtime uses (`function` is the export's
name, `handler` when not given, as Lambda's own default handler `index.handler` suggests).
"""

from __future__ import annotations

import os
from pathlib import Path

from course_cli.errors import HandlerError
from course_cli.runtime.handler_spec import HandlerSpec

NODE_SUFFIXES = (".js", ".mjs", ".cjs")  # the order in which Lambda looks for `index.handler`
DEFAULT_EXPORT = "handler"
NODE_SPEC_HINT = "give a Node.js handler as handler.mjs, handler.mjs:handler or index.handler"


def node_handler_spec(text: str, base_dir: Path | None = None) -> HandlerSpec | None:
    """The Node.js handler `text` names, relative paths taken from `base_dir` (default: cwd);
    None when `text` names a Python handler (or nothing this module recognises)."""
    base = base_dir or Path.cwd()
    path_text, function = text, DEFAULT_EXPORT
    if ":" in text and not text.endswith(NODE_SUFFIXES):
        path_text, _, function = text.rpartition(":")
        if not path_text.endswith(NODE_SUFFIXES):
            return None
        if not function.isidentifier():
            raise HandlerError(
                f"{function!r} in {text!r} is not a JavaScript export name", NODE_SPEC_HINT
            )
    if path_text.endswith(NODE_SUFFIXES):
        return HandlerSpec(_absolute(base, path_text), function)
    return _module_form(text, base)


def is_node_handler(text: str, base_dir: Path | None = None) -> bool:
    """Whether `text` names a Node.js handler (see `node_handler_spec`)."""
    return node_handler_spec(text, base_dir) is not None


def _module_form(text: str, base: Path) -> HandlerSpec | None:
    """`index.handler`, `src/index.handler`: a Node.js file of that stem, when no Python
    module of that name is there (then the Python runtime's `module.function` applies)."""
    module, dot, function = text.rpartition(".")
    if not dot or not module or not function.isidentifier() or module.endswith((".", "/")):
        return None
    if (base / f"{module.replace('.', os.sep)}.py").is_file():
        return None
    for suffix in NODE_SUFFIXES:
        candidate = base / f"{module}{suffix}"
        if candidate.is_file():
            return HandlerSpec(_absolute(base, f"{module}{suffix}"), function)
    return None


def _absolute(base: Path, path_text: str) -> Path:
    path = Path(path_text).expanduser()
    return Path(os.path.abspath(path if path.is_absolute() else base / path))
