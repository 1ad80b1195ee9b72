"""Load a learner's handler from `file.py[:function]` or Lambda's own `module.function` form
(`app.lambda_handler`, `pkg.mod.fn`), the way Lambda imports a function.

The file's folder is first on `sys.path` while its top level runs, so sibling modules import
as from Lambda's `/var/task`; each file gets its own module name, and its folder's modules are
imported afresh with it.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import inspect
import os
import re
import sys
import threading
import time
import traceback
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course_cli.errors import HandlerError
from course_cli.runtime import lambda_errors, logs
from course_cli.runtime.handler_spec import SPEC_HINT, shown_path

# Where runtime/worker/ takes them from.
from course_cli.runtime.handler_spec import HandlerSpec as HandlerSpec
from course_cli.runtime.handler_spec import parse_handler_spec as parse_handler_spec
from course_cli.runtime.lambda_context import new_log_stream_name
from course_cli.runtime.timeouts import TaskTimedOut

DEFAULT_FUNCTIONS = ("handler", "lambda_handler")


class HandlerLoadError(HandlerError):
    """A handler cannot be loaded; `lambda_error` is what Lambda's Invoke would answer.

    `output` is what the module printed first (CloudWatch shows it before START);
    `exit_reason` is set when it called sys.exit(); `at_init` is False when Lambda would only
    notice at invoke time (the name is not callable).
    """

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        lambda_error: dict[str, Any],
        output: str = "",
        at_init: bool = True,
        exit_reason: str | None = None,
    ) -> None:
        super().__init__(message, hint)
        self.lambda_error = lambda_error
        self.exit_reason = exit_reason
        self.output = output
        self.at_init = at_init


@dataclass(frozen=True)
class LoadedHandler:
    """A handler ready to call, and what its loading looked like."""

    spec: HandlerSpec
    function: Callable[[Any, Any], Any]
    function_name: str  # the name it was found under (`handler`, `lambda_handler`)
    module: types.ModuleType = field(repr=False)
    file_signature: tuple[int, int, int]  # (mtime_ns, size, inode) when it was loaded
    init_duration_ms: float
    init_output: str = ""  # what the module printed and logged while it loaded
    # One log stream per execution environment, as Lambda names them.
    log_stream_name: str = field(default_factory=new_log_stream_name)


_load_lock = threading.RLock()


def load_handler(spec: HandlerSpec | str) -> LoadedHandler:
    """Import the handler's file afresh and return its function, or raise `HandlerLoadError`."""
    if isinstance(spec, str):
        spec = parse_handler_spec(spec)
    path = spec.path
    shown = shown_path(path)
    try:
        stat = os.stat(path)
        missing = None if path.is_file() else "is not a file"
    except OSError:
        missing = "does not exist"
    if missing:
        raise HandlerLoadError(
            f"handler file {shown} {missing}",
            SPEC_HINT,
            lambda_error=_import_error(spec, f"No module named '{spec.module_name}'"),
        )
    try:
        source = path.read_bytes()
    except OSError as exc:
        raise HandlerLoadError(
            f"cannot read handler file {shown}: {exc.strerror}",
            lambda_error=_import_error(spec, str(exc)),
        ) from None
    with _load_lock:
        started = time.perf_counter()
        capture = logs.Capture("")
        module = _import_file(spec, source, shown, capture)
        function_name, function = _find_function(spec, module, shown, capture)
        return LoadedHandler(
            spec=spec,
            function=function,
            function_name=function_name,
            module=module,
            file_signature=_signature(stat),
            init_duration_ms=(time.perf_counter() - started) * 1000,
            init_output=capture.text(),
        )


class HandlerCache:
    """Loaded handlers by spec, reloaded when their file changes; safe to share between threads."""

    def __init__(self) -> None:
        self._entries: dict[HandlerSpec, LoadedHandler] = {}

    def get(self, spec: HandlerSpec) -> tuple[LoadedHandler, bool]:
        """The handler for `spec` and whether it was (re)loaded just now (a cold start).
        Raises `HandlerLoadError`; a failed load is not cached (Lambda re-runs init)."""
        loaded = self.current(spec)
        if loaded is not None:
            return loaded, False
        loaded = self._entries[spec] = load_handler(spec)
        return loaded, True

    def current(self, spec: HandlerSpec) -> LoadedHandler | None:
        """The handler for `spec` if its file's mtime, size and inode are as when it loaded
        (a same-size save within one clock tick goes unseen), else None."""
        loaded = self._entries.get(spec)
        with contextlib.suppress(OSError):  # a file gone is a file changed
            if loaded is not None and _signature(os.stat(spec.path)) == loaded.file_signature:
                return loaded
        self._entries.pop(spec, None)
        return None

    def forget(self, spec: HandlerSpec) -> None:
        """Drop the cached handler: the next call is a cold start, as on Lambda after a
        timeout or a runtime exit."""
        self._entries.pop(spec, None)


def _signature(stat: os.stat_result) -> tuple[int, int, int]:
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


def _import_file(
    spec: HandlerSpec, source: bytes, shown: str, capture: logs.Capture
) -> types.ModuleType:
    path = spec.path
    digest = hashlib.sha1(str(path).encode(), usedforsecurity=False).hexdigest()[:10]
    stem = re.sub(r"\W", "_", path.stem)
    name = f"_course_handler_{stem}_{digest}"
    module = types.ModuleType(name)
    module.__file__ = str(path)
    folders = [str(path.parent)]
    if spec.import_root is not None and spec.import_root != path.parent:
        folders.append(str(spec.import_root))
    for folder in folders:
        _forget_siblings(folder)
    sys.modules[name] = module  # dataclasses, pickle and typing look modules up by name
    sys.path[:0] = folders
    logs.install_capture()
    previous_capture = logs.register(capture)
    try:
        # Compiled here, not through __pycache__, whose mtime check can miss a quick edit.
        code = compile(source, str(path), "exec", dont_inherit=True)
        exec(code, module.__dict__)
    except SyntaxError as exc:
        sys.modules.pop(name, None)
        raise _syntax_error(spec, exc, capture) from None
    except (KeyboardInterrupt, TaskTimedOut):
        # Ctrl-C, or the function's timeout running out while the module loads: not the
        # module's fault as such; the caller decides.
        sys.modules.pop(name, None)
        raise
    except BaseException as exc:
        sys.modules.pop(name, None)
        raise _import_time_error(spec, shown, exc, capture) from None
    finally:
        logs.restore(previous_capture)
        for folder in folders:
            with contextlib.suppress(ValueError):  # the module removed it itself
                sys.path.remove(folder)
    return module


# Every folder a handler was loaded from: their modules may shadow each other's siblings.
_handler_folders: set[str] = set()
# Never forgotten, even when a handler sits next to them (e.g. in the project's own folder).
_KEPT_PACKAGES = ("course_cli", "tests", "_course_handler_")


def _forget_siblings(folder: str) -> None:
    """Drop modules imported from handler folders, so they are imported again, fresh.

    A handler's own siblings reload with it (an edit to `helpers.py` shows), and another
    exercise's `helpers.py` never stands in for this one's. Only modules directly in a
    handler folder, or packages directly in one, are dropped.
    """
    _handler_folders.add(folder)
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if not isinstance(file, str) or name == "__main__" or name.startswith(_KEPT_PACKAGES):
            continue
        parent = os.path.dirname(file)
        sibling = parent in _handler_folders
        in_sibling_package = os.path.dirname(parent) in _handler_folders and (
            "." in name or os.path.basename(file) == "__init__.py"
        )
        if sibling or in_sibling_package:
            del sys.modules[name]


def _syntax_error(spec: HandlerSpec, exc: SyntaxError, capture: logs.Capture) -> HandlerLoadError:
    where = shown_path(Path(exc.filename or spec.path))
    text = (exc.text or "").strip()
    position = f"line {exc.lineno}"
    if exc.offset:
        position += f", column {exc.offset}"
    message = f"syntax error in {where}, {position}: {exc.msg}"
    if text:
        message += f": {text}"
    # awslambdaric: '  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)
    trace = [f'  File "{exc.filename}" Line {exc.lineno}\n    {exc.text}']
    return HandlerLoadError(
        message,
        "fix the line, save, and run again",
        lambda_error=lambda_errors.make_error(
            f"Syntax error in module '{spec.module_name}': {exc}",
            lambda_errors.USER_CODE_SYNTAX_ERROR,
            trace,
        ),
        output=capture.text(),
    )


def _import_time_error(
    spec: HandlerSpec, shown: str, exc: BaseException, capture: logs.Capture
) -> HandlerLoadError:
    prefix = str(spec.path.parent) + os.sep
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(prefix)]
    where = ""
    if frames:
        learner_frame = frames[-1]
        where = f" at {shown_path(Path(learner_frame.filename))}, line {learner_frame.lineno}"
        if learner_frame.line:
            where += f" ({learner_frame.line.strip()})"
    error_type = type(exc).__name__
    if isinstance(exc, SystemExit):
        reason = lambda_errors.exit_reason(exc.code)
        return HandlerLoadError(
            f"{shown} called sys.exit() while loading{where}",
            "Lambda functions never exit; remove the sys.exit() call",
            lambda_error=lambda_errors.exit_error("", reason),
            output=capture.text(),
            exit_reason=reason,
        )
    if isinstance(exc, ImportError):
        lambda_error = _import_error(spec, str(exc))
        hint = "install the package, or check the module's name" if exc.name else None
    else:
        # awslambdaric reports any other exception at import with its own type and trace.
        lambda_error = lambda_errors.make_error(
            str(exc), error_type, lambda_errors.learner_stack_trace(exc.__traceback__)
        )
        hint = "the module's top level runs when Lambda loads it; fix the failing line"
    return HandlerLoadError(
        f"importing {shown} failed{where}: {error_type}: {exc}",
        hint,
        lambda_error=lambda_error,
        output=capture.text(),
    )


def _import_error(spec: HandlerSpec, reason: str) -> dict[str, Any]:
    return lambda_errors.make_error(
        f"Unable to import module '{spec.module_name}': {reason}",
        lambda_errors.IMPORT_MODULE_ERROR,
        [],
    )


def _find_function(
    spec: HandlerSpec, module: types.ModuleType, shown: str, capture: logs.Capture
) -> tuple[str, Callable[[Any, Any], Any]]:
    wanted = (spec.function,) if spec.function else DEFAULT_FUNCTIONS
    for name in wanted:
        if name in module.__dict__:
            value = module.__dict__[name]
            if not callable(value):
                raise HandlerLoadError(
                    f"{name!r} in {shown} is a {type(value).__name__}, not a function",
                    f"define it with `def {name}(event, context):`",
                    lambda_error=lambda_errors.make_error(
                        f"'{type(value).__name__}' object is not callable", "TypeError", []
                    ),
                    output=capture.text(),
                    at_init=False,
                )
            return name, value
    callables = _callables(module)
    if spec.function:
        message = f"{shown} has no function {spec.function!r}"
    else:
        message = f"{shown} defines neither 'handler' nor 'lambda_handler'"
    close = [
        match
        for name in wanted
        for match in difflib.get_close_matches(name, callables, n=1, cutoff=0.6)
    ]
    if close:
        message += f"; did you mean {close[0]!r}?"
    message += f" (functions in it: {', '.join(callables)})" if callables else " (it has none)"
    return_hint = f"name the function in the handler: {shown}:FUNCTION" if callables else None
    raise HandlerLoadError(
        message,
        return_hint,
        lambda_error=lambda_errors.make_error(
            f"Handler '{wanted[0]}' missing on module '{spec.module_name}'",
            lambda_errors.HANDLER_NOT_FOUND,
            [],
        ),
        output=capture.text(),
    )


def _callables(module: types.ModuleType) -> list[str]:
    """Public functions (and other callables) the module itself defines, in source order."""
    defined: list[str] = []
    imported: list[str] = []
    for name, value in module.__dict__.items():
        if name.startswith("_") or not callable(value) or inspect.isclass(value):
            continue
        if getattr(value, "__module__", None) == module.__name__:
            defined.append(name)
        else:
            imported.append(name)
    return defined or imported
