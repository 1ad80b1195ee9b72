"""Which runtime serves a SAM function, and which file its `Handler` names.

Python 3 runtimes run in this process: `Handler: app.handler` in `CodeUri: src/` is
`src/app.py:handler`, dots before the last being folders. Node.js 18 and newer run in a `node`
process per function: `Handler: index.handler` is `index.js`, `index.mjs` or `index.cjs`,
tried in that order as Lambda's Node.js runtime tries them, and `lib/app.handler` looks in
`lib/`. Anything else is served by neither, and the reason is one warning line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final, Literal

from course_cli.runtime.node.handler_spec import NODE_SUFFIXES

Language = Literal["python", "node"]

MIN_NODE_RUNTIME: Final = 18  # nodejs18.x: Lambda's oldest Node.js still offered
_NODE_RUNTIME = re.compile(r"nodejs(\d+)\.x")


def language(runtime: str) -> Language | None:
    """`python` for python3.x, `node` for nodejs18.x or newer, None for anything else."""
    if runtime.startswith("python3"):
        return "python"
    found = _NODE_RUNTIME.fullmatch(runtime)
    if found is not None and int(found[1]) >= MIN_NODE_RUNTIME:
        return "node"
    return None


def handler_file(
    logical_id: str, handler: str, runtime: str, code_dir: Path
) -> tuple[str | None, str | None]:
    """`(path/to/file:function, None)` for a function served here, else `(None, why not)`."""
    served = language(runtime)
    if served is None:
        return None, _unserved_runtime(logical_id, runtime)
    if served == "node":
        return _node_file(logical_id, handler, code_dir)
    module, _, function = handler.rpartition(".")
    if not module or not function:
        return None, f"function {logical_id}: Handler {handler!r} is not module.function"
    return f"{code_dir / (module.replace('.', '/') + '.py')}:{function}", None


def older_node_warning(logical_id: str, runtime: str, version: tuple[int, int, int]) -> str | None:
    """A warning when the `node` here is older than the Node.js the function's runtime names
    (what is newer in that Node.js fails here and works on Lambda); else None."""
    found = _NODE_RUNTIME.fullmatch(runtime)
    if found is None or int(found[1]) <= version[0]:
        return None
    shown = ".".join(str(part) for part in version)
    return (
        f"function {logical_id}: runtime {runtime} is run here by node v{shown}; what Node.js "
        f"{found[1]} added fails here and not on Lambda"
    )


def _unserved_runtime(logical_id: str, runtime: str) -> str:
    if _NODE_RUNTIME.fullmatch(runtime):
        return (
            f"function {logical_id}: runtime {runtime} is older than nodejs{MIN_NODE_RUNTIME}.x, "
            "Lambda's oldest Node.js still offered; its routes answer 502"
        )
    return (
        f"function {logical_id}: runtime {runtime or '(none)'} is not served yet "
        f"(Python 3 and Node.js {MIN_NODE_RUNTIME}+ only); its routes answer 502"
    )


def _node_file(logical_id: str, handler: str, code_dir: Path) -> tuple[str | None, str | None]:
    """Lambda's reading of a Node.js `Handler`: the folders, then the file's name up to the
    first dot of the last part, then the export. `index.handlers.create` (an export's
    property) is a form Lambda takes and this runtime does not."""
    folder, _, last = handler.rpartition("/")
    module, dot, export = last.partition(".")
    if not dot or not module or not export:
        return None, f"function {logical_id}: Handler {handler!r} is not file.export"
    if not export.isidentifier():
        return None, (
            f"function {logical_id}: Handler {handler!r}: only a top-level export is served "
            f"here, such as {module}.handler"
        )
    base = code_dir / folder if folder else code_dir
    for suffix in NODE_SUFFIXES:
        candidate = base / f"{module}{suffix}"
        if candidate.is_file():
            return f"{candidate}:{export}", None
    tried = ", ".join(f"{module}{suffix}" for suffix in NODE_SUFFIXES)
    return None, (
        f"function {logical_id}: Handler {handler!r} names no file: none of {tried} "
        f"is in {_shown(base)}"
    )


def _shown(folder: Path) -> str:
    try:
        return f"{folder.relative_to(Path.cwd())}/"
    except ValueError:
        return f"{folder}/"
