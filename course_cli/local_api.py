"""An API served on this machine: an `ApiDefinition` plus the in-process Lambda runtime,
built from one handler file or a route-table file, as the commands, examples and notebooks
send it requests.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from course_cli.errors import BadOptionError, CourseError
from course_cli.gateway.invoker import (
    DEFAULT_FUNCTION_TIMEOUT_S,
    FUNCTION_TIMEOUT_HINT,
    FUNCTION_TIMEOUT_RULE,
    is_function_timeout,
)

if TYPE_CHECKING:
    from course_cli.gateway.context import Invocation
    from course_cli.gateway.definition import ApiDefinition, Integration
    from course_cli.gateway.http import HttpRequest
    from course_cli.gateway.invoker import LambdaInvoker, LambdaResult
    from course_cli.runtime import InProcessRuntime
    from course_cli.runtime.node import RuntimeRouter

# With no --resource, a handler answers every path, as `sam local`'s catch-all does: the root
# and a greedy proxy below it (on AWS, `/{proxy+}` does not match `/`, so both are needed).
CATCH_ALL = ("/", "/{proxy+}")


@dataclass
class LocalApi:
    """A definition and the runtime that runs its functions."""

    definition: ApiDefinition
    runtime: InProcessRuntime | RuntimeRouter  # a router when a handler is JavaScript
    source: Path | None = None  # the route-table file, when the API came from one

    def send(self, request: HttpRequest) -> Invocation:
        """One request through the whole gateway pipeline."""
        from course_cli.gateway.pipeline import handle_request

        return handle_request(self.definition, request, self.runtime)

    def send_once(self, request: HttpRequest, *, debug: bool = False) -> Invocation:
        """`send` for a one-shot command, in the runtime `_one_shot` gives it."""
        from course_cli.gateway.pipeline import handle_request

        with self._one_shot(self.runtime.functions, debug=debug) as invoker:
            return handle_request(self.definition, request, invoker)

    def call_function(self, function_name: str, event: Any, *, debug: bool = False) -> LambdaResult:
        """Invoke `function_name` with `event` as Lambda's Invoke API would, no gateway in
        front (`course invoke -e`), in the runtime `_one_shot` gives it."""
        config = self.definition.functions.get(function_name)
        timeout_s = config.timeout_s if config is not None else DEFAULT_FUNCTION_TIMEOUT_S
        with self._one_shot([function_name], debug=debug) as invoker:
            return invoker(function_name, event, timeout_s=timeout_s, wait_s=timeout_s)

    @contextmanager
    def _one_shot(self, names: Iterable[str], *, debug: bool = False) -> Iterator[LambdaInvoker]:
        """The runtime for one command, `names` loaded: a forked copy of this process
        (`ForkedRuntime`: a handler ending its process is a `Runtime.ExitError`, not the end
        of ours), or with `debug`, this process with every timeout lifted for a debugger."""
        if debug or not hasattr(os, "fork"):
            from course_cli.runtime.debugging import debug_session

            with debug_session(debug):  # loaded inside: a Node.js one waits for a debugger
                self.check_handlers()
                yield self.runtime
            return
        from course_cli.runtime.forked import ForkedRuntime
        from course_cli.runtime.node import RuntimeRouter

        runtime = self.runtime  # Node.js functions already run in processes of their own
        forked = runtime.forked() if isinstance(runtime, RuntimeRouter) else ForkedRuntime(runtime)
        with forked:
            for name in names:
                forked.load(name)
            yield forked

    def with_api_keys(self, keys: Iterable[str], *, everywhere: bool = False) -> LocalApi:
        """This API, also accepting `keys` where a method requires an API key; `everywhere`:
        every method requires one (`course serve HANDLER --api-key KEY`)."""
        keys = frozenset(keys)
        if not keys:
            return self
        from course_cli.gateway.api_keys import check_api_key_values, require_api_key

        if self.definition.http_api:
            raise BadOptionError(
                "--api-key: an HTTP API (--payload 2.0) has no API keys; REST APIs have them",
                hint="leave out --payload 2.0, or --api-key",
            )
        try:
            keys = check_api_key_values(sorted(keys), "--api-key")
        except CourseError as error:
            raise BadOptionError(error.message) from None
        definition = replace(self.definition, api_keys=self.definition.api_keys | keys)
        if everywhere:
            methods = {
                (resource.path, verb)
                for resource in definition.resources
                for verb in resource.methods
            }
            definition = require_api_key(definition, methods)
        return replace(self, definition=definition)

    def check_handlers(self) -> None:
        """Load every handler now, so a missing file or a syntax error is a clear usage error
        (`HandlerError`, exit 2) before any request, rather than a 502 later."""
        for name in self.runtime.functions:
            self.runtime.load(name)


def function_name_for(handler: str) -> str:
    """The Lambda function name a handler gets: its file's stem (`app.py:fn` → `app`), or
    its module's last name (`app.lambda_handler` → `app`, `pkg.orders.fn` → `orders`)."""
    from course_cli.runtime.handler_spec import is_module_form

    if is_module_form(handler) and not Path(handler).is_file():  # as parse_handler_spec reads it
        return handler.rsplit(".", 2)[-2]
    return Path(handler.rsplit(":", 1)[0]).stem or "handler"


def api_for_handler(
    handler: str,
    resources: Sequence[str] = (),
    *,
    stage: str = "prod",
    timeout_s: float | None = None,
    payload: str = "1.0",
    method: str = "ANY",
) -> LocalApi:
    """An API sending `method` (default: every method) on `resources` (default: every path)
    to `handler`; with `payload` "2.0", an HTTP API (`http_api_for`). A `timeout_s` Lambda
    would not take is a `BadOptionError` naming `--timeout`."""
    from course_cli.gateway.definition import FunctionConfig, Integration, build_api
    from course_cli.runtime.node import runtime_for

    if timeout_s is not None and not is_function_timeout(timeout_s):
        raise BadOptionError(
            f"--timeout {timeout_s:g} is not a Lambda timeout: {FUNCTION_TIMEOUT_RULE}",
            hint=FUNCTION_TIMEOUT_HINT,
        )
    name = function_name_for(handler)
    timeout = DEFAULT_FUNCTION_TIMEOUT_S if timeout_s is None else timeout_s
    integration = Integration(function_name=name, timeout_s=timeout)
    functions = {name: FunctionConfig(name, handler, timeout)}
    if payload == "2.0":
        definition = http_api_for(integration, resources, method, name=name, functions=functions)
    else:
        definition = build_api(
            [(resource, method, integration) for resource in (resources or CATCH_ALL)],
            name=name,
            stage=stage,
            functions=functions,
        )
    return LocalApi(definition, runtime_for({name: handler}))


def http_api_for(
    integration: Integration,
    resources: Sequence[str],
    method: str,
    **settings: Any,
) -> ApiDefinition:
    """An HTTP API sending `method` on `resources` through `integration` with payload format
    2.0, at its `$default` stage; without `resources`, through its `$default` route."""
    from course_cli.gateway.definition import Method, build_api
    from course_cli.gateway.http_api import INTEGRATION_TIMEOUT_S
    from course_cli.gateway.routing import DEFAULT_STAGE

    integration = replace(
        integration, payload_format="2.0", integration_timeout_s=INTEGRATION_TIMEOUT_S
    )
    routes = [(resource, method, integration) for resource in resources]
    default = None if resources else Method(http_method="ANY", integration=integration)
    return build_api(routes, stage=DEFAULT_STAGE, default_route=default, **settings)


def api_from_file(path: Path, *, stage: str | None = None) -> LocalApi:
    """The API in a route-table JSON file; handler paths are relative to the file."""
    from course_cli.gateway.route_table import read_route_table
    from course_cli.runtime.node import runtime_for

    definition = read_route_table(path)
    if stage is not None and not definition.http_api:  # an HTTP API serves $default
        definition = replace(definition, stage=stage)
    functions = {name: config.handler for name, config in definition.functions.items()}
    return LocalApi(definition, runtime_for(functions, base_dir=path.resolve().parent), source=path)


def build_request(
    method: str,
    path: str,
    *,
    query: Iterable[tuple[str, str]] = (),
    headers: Iterable[tuple[str, str]] = (),
    body: str | None = None,
    source_ip: str = "127.0.0.1",
) -> HttpRequest:
    """The request a client would send; `path` may carry its own `?query` when `query` is empty.
    Like curl, it sends a User-Agent unless one is given."""
    from course_cli.gateway.http import HttpRequest, with_user_agent

    pairs = list(query)
    if pairs and "?" in path:
        raise BadOptionError(
            "give the query either in --path (after '?') or with --query, not both",
            hint="for example --path /users/123 --query include=orders",
        )
    return HttpRequest.build(
        method,
        path,
        query=pairs or None,
        headers=with_user_agent(headers),
        body=body,
        source_ip=source_ip,
    )
