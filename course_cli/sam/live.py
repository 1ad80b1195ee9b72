"""A SAM app running on this machine: its functions in-process, its tables in the sandbox.

`LiveTemplate` is what `course serve -t` and `course invoke -t` hold: the app read from the
template, a sandbox (moto: every AWS call of its functions stays on this machine, with fake
credentials, whatever the shell's own are) holding its tables, and a runtime giving each
function its own variables (Lambda's, the sandbox's endpoint and fake credentials, the
template's): Python functions in-process, Node.js ones in a `node` process each, whose calls
reach moto over its server on 127.0.0.1. Under `course serve` it re-reads the template when
the file changes; handler files reload by themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from course_cli.gateway.invoker import FunctionNotFound, LambdaInvoker, LambdaResult
from course_cli.sam.app import REGION, SamApp, SamFunction, read_app
from course_cli.sam.runtimes import language, older_node_warning

if TYPE_CHECKING:
    from course_cli.gateway.definition import ApiDefinition
    from course_cli.local_api import LocalApi
    from course_cli.runtime import InProcessRuntime
    from course_cli.runtime.handler_spec import HandlerSpec
    from course_cli.runtime.node import RuntimeRouter
    from course_cli.sandbox.session import Sandbox


@dataclass(frozen=True)
class TemplateOptions:
    """How to read a template: SAM's `--parameter-overrides` and `--env-vars` values, and the
    URL the API is served at (it replaces the API's AWS URL in variables)."""

    parameter_overrides: Mapping[str, str] = field(default_factory=dict)
    env_vars: Mapping[str, Any] = field(default_factory=dict)
    local_url: str | None = None


class LiveTemplate(LambdaInvoker):
    """A template's app and the runtime that runs its functions; a context manager that
    stops the sandbox (and forgets its tables) on exit."""

    def __init__(
        self, template: Path, options: TemplateOptions | None = None, *, server: bool = True
    ) -> None:
        self.template = template
        self.options = options or TemplateOptions()
        self.app: SamApp = self._read()
        self.sandbox: Sandbox | None = None
        # moto on 127.0.0.1 too, so a shell's `aws` reaches the tables; a `node` process
        # reaches moto only that way.
        self._server = server or _has_node(self.app)
        # Made now so that a missing `node` is one line before anything starts.
        self.runtime: InProcessRuntime | RuntimeRouter = self._runtime()
        self._stamp = self._file_stamp()

    def __enter__(self) -> LiveTemplate:
        self._create_tables()
        self._replace_runtime()
        return self

    def __exit__(self, *exc_info: object) -> None:
        _close(self.runtime)
        if self.sandbox is not None:
            self.sandbox.close()
            self.sandbox = None

    def _read(self) -> SamApp:
        app = read_app(
            self.template,
            parameter_overrides=self.options.parameter_overrides,
            env_vars=self.options.env_vars,
            local_url=self.options.local_url,
        )
        return _with_node_version_warnings(app)

    def _create_tables(self) -> None:
        """Start the sandbox, even for a template without tables: a function's AWS calls go
        to moto, never to the account the shell's credentials name. Create any table it lacks."""
        if self.sandbox is None:
            from course_cli.sandbox import Sandbox

            self.sandbox = Sandbox(server=self._server).start()
        existing = set(self.sandbox.tables())
        client = self.sandbox.client("dynamodb")
        for table in self.app.tables:
            if table.name not in existing:
                client.create_table(**table.create_arguments)

    def _runtime(self) -> InProcessRuntime | RuntimeRouter:
        """Python functions in-process; Node.js ones (if any) in a `NodeRuntime` beside them,
        behind a router. `NodeUnavailableError` (one line) without node 18+ on PATH."""
        from course_cli.runtime import InProcessRuntime

        aws = self.sandbox.variables() if self.sandbox is not None else {}
        served = {fn.name: fn for fn in self.app.functions.values() if fn.handler is not None}
        environments = {
            name: {**aws, **fn.lambda_variables(REGION), **_node_variables(fn)}
            for name, fn in served.items()
        }
        node = {name: fn for name, fn in served.items() if language(fn.runtime) == "node"}
        python = InProcessRuntime(
            {name: _spec(fn) for name, fn in served.items() if name not in node},
            environments={name: env for name, env in environments.items() if name not in node},
        )
        if not node:
            return python
        from course_cli.runtime.node import NodeRuntime, RuntimeRouter

        return RuntimeRouter(
            python,
            NodeRuntime(
                {name: _spec(fn) for name, fn in node.items()},
                environments={name: environments[name] for name in node},
            ),
        )

    def _replace_runtime(self) -> None:
        """A fresh runtime for the app as read now; the old one's `node` processes end."""
        old, self.runtime = self.runtime, self._runtime()
        _close(old)

    def local_api(self) -> LocalApi:
        """The app as a `LocalApi`, for the one-shot sends of `course invoke` (an app with no
        API gets an empty one: its functions are still invoked directly)."""
        from course_cli.gateway.definition import FunctionConfig, build_api
        from course_cli.local_api import LocalApi

        definition = self.app.definition
        if definition is None:
            functions = {
                fn.name: FunctionConfig(fn.name, str(fn.handler), fn.timeout_s)
                for fn in self.app.functions.values()
                if fn.handler is not None
            }
            definition = build_api([], name=self.app.name, functions=functions)
        return LocalApi(definition, self.runtime, source=self.template)

    def check_handlers(self) -> None:
        """Load every servable handler now: a missing file or a syntax error is one line
        (`HandlerError`, exit 2) before any request."""
        for name in self.runtime.functions:
            self.runtime.load(name)

    def invoke(
        self, function_name: str, event: Any, timeout_s: float, wait_s: float
    ) -> LambdaResult:
        """Run the function; one the template names but cannot be run here is the gateway's
        `FunctionNotFound`, saying why."""
        if function_name not in self.runtime.functions:
            reason = next(
                (
                    fn.unservable
                    for fn in self.app.functions.values()
                    if fn.name == function_name and fn.unservable
                ),
                f"the template has no function {function_name}",
            )
            raise FunctionNotFound(function_name, reason)
        return self.runtime.invoke(function_name, event, timeout_s, wait_s)

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            info = self.template.stat()
        except OSError:
            return None
        return (info.st_mtime_ns, info.st_size)

    def reload_check(self) -> ApiDefinition | None:
        """The API again when the template changed since the last look; else None. A template
        that no longer reads is a warning, and the previous version goes on serving."""
        stamp = self._file_stamp()
        if stamp == self._stamp:
            return None
        self._stamp = stamp
        from course_cli.errors import CourseError
        from course_cli.ui.console import print_warning

        try:
            fresh = self._read()
        except CourseError as error:
            print_warning(f"{error.message} — still serving the previous version")
            return None
        if fresh.definition is None:
            print_warning(
                f"{self.template.name} now declares no API — still serving the previous version"
            )
            return None
        self.app = fresh
        self._create_tables()
        self._replace_runtime()
        print_warning(f"reloaded {self.template.name}")
        for warning in fresh.warnings:
            print_warning(warning)
        return fresh.definition


def _spec(function: SamFunction) -> HandlerSpec:
    """Where the function's handler is, its CodeUri folder importable as Lambda's /var/task
    (so `Handler: handlers.products.handler` can `from handlers import common`)."""
    from course_cli.runtime.handler_spec import HandlerSpec

    file, _, name = str(function.handler).rpartition(":")
    return HandlerSpec(Path(file), name, import_root=function.code_dir)


def _has_node(app: SamApp) -> bool:
    return any(
        fn.handler is not None and language(fn.runtime) == "node" for fn in app.functions.values()
    )


def _with_node_version_warnings(app: SamApp) -> SamApp:
    """The app, with a warning for each Node.js function whose runtime is newer than `node`."""
    if not _has_node(app):
        return app
    from dataclasses import replace

    from course_cli.runtime.node.binary import NodeUnavailableError, node_version

    try:
        version = node_version()
    except NodeUnavailableError:  # the runtime, made next, says so in one line
        return app
    notes = (
        older_node_warning(fn.logical_id, fn.runtime, version)
        for fn in app.functions.values()
        if fn.handler is not None
    )
    return replace(app, warnings=app.warnings + tuple(note for note in notes if note))


def _node_variables(function: SamFunction) -> dict[str, str]:
    """Lambda's task root is the CodeUri folder (the Node.js runtime alone would take the
    handler file's folder, which differs for `Handler: src/app.handler`)."""
    if language(function.runtime) != "node" or function.code_dir is None:
        return {}
    return {"LAMBDA_TASK_ROOT": str(function.code_dir)}


def _close(runtime: InProcessRuntime | RuntimeRouter) -> None:
    """End the runtime's `node` processes, if it has any."""
    node = getattr(runtime, "node", None)
    if node is not None:
        node.close()
