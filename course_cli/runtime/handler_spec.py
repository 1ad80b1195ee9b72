"""Where a handler lives: `file.py[:function]`, or Lambda's `module.function` form
(`app.lambda_handler`, `pkg.mod.fn`) found under a base folder as Lambda finds it in
/var/task. Parsing only; loading is `handler_loader`'s.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from course_cli.errors import HandlerError

SPEC_HINT = "give the handler as file.py, file.py:function or module.function"
_MODULE_FORM = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+")


@dataclass(frozen=True)
class HandlerSpec:
    """Where a handler lives: an absolute file path and, if given, the function's name."""

    path: Path
    function: str | None = None
    # For `pkg.mod.fn`: the folder the module path starts from, importable too (Lambda's
    # /var/task), so `from pkg import helpers` works as on Lambda.
    import_root: Path | None = field(default=None, compare=False)

    @property
    def module_name(self) -> str:
        """The module name Lambda would use (the file's stem), for Lambda's own messages."""
        return self.path.stem

    def __str__(self) -> str:
        return f"{self.path}:{self.function}" if self.function else str(self.path)


def parse_handler_spec(text: str, base_dir: Path | None = None) -> HandlerSpec:
    """Parse `file.py[:function]` or `module.function`; a relative path is taken from
    `base_dir` (default: cwd). A text naming an existing file is that file, even when it
    reads as a module path too; a module that is not there is a `HandlerError` saying
    where it was looked for."""
    base = base_dir or Path.cwd()
    if is_module_form(text) and not (base / text).expanduser().is_file():
        return _module_spec(text, base)
    path_text, function = text, None
    if not text.endswith(".py") and ":" in text:
        # rpartition keeps Windows drive letters (C:\x\app.py:handler) in the path.
        path_text, _, function = text.rpartition(":")
        if not function.isidentifier():
            raise HandlerError(f"{function!r} in {text!r} is not a Python function name", SPEC_HINT)
    if not path_text:
        raise HandlerError(f"no file in handler {text!r}", SPEC_HINT)
    path = base / Path(path_text).expanduser()  # an absolute path replaces `base`
    return HandlerSpec(Path(os.path.abspath(path)), function)


def is_module_form(text: str) -> bool:
    """Whether `text` reads as Lambda's `module.function` (dotted names, no `.py`, no `:`)."""
    return bool(_MODULE_FORM.fullmatch(text)) and not text.endswith(".py")


def _module_spec(text: str, base: Path) -> HandlerSpec:
    module, _, function = text.rpartition(".")
    relative = Path(*module.split("."))
    candidates = (relative.with_suffix(".py"), relative / "__init__.py")
    for candidate in candidates:
        if (base / candidate).is_file():
            path = Path(os.path.abspath(base / candidate))
            return HandlerSpec(path, function, import_root=Path(os.path.abspath(base)))
    looked = " and ".join(str(c) for c in candidates)
    raise HandlerError(
        f"no module {module!r} for handler {text!r}: looked for {looked} in {shown_path(base)}",
        f"run it from the folder holding {candidates[0]}, or {SPEC_HINT}",
    )


def shown_path(path: Path) -> str:
    """The path as the learner would write it: relative to the working folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
