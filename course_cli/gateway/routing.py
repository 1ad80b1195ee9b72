"""Which resource and method a request reaches, the way API Gateway chooses (spec §2).

Matching walks a trie of the resources (cached on the definition) most specific first -
literal, `{param}`, greedy `{proxy+}` - and backtracks; the first resource with the verb wins,
a concrete method before `ANY`. So `/part1/random` falls through to `/{proxy+}`, and so does
`OPTIONS /test` when `/test` only has POST (AWS-recorded in LocalStack's routing tests). Both
misses, `NoResource` and `NoMethod`, are AWS's 403, but the learner should know which.

Path rules, from AWS-recorded events: leading slashes collapse, trailing ones are ignored (and
`{proxy+}` drops them); an empty segment only matches a greedy variable, which keeps it.
Path parameters keep their percent-encoding (serverless/serverless#5037; LocalStack's AWS
snapshot keeps `test%2Balias` in `proxy`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from course_cli.gateway.definition import ApiDefinition, Method, Resource

# The verbs an ANY method answers.
ANY_METHODS: Final = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"})
# An HTTP API's catch-all route, and its stage that is not in the path (`http_api.py`).
DEFAULT_ROUTE: Final = "$default"
DEFAULT_STAGE: Final = "$default"


@dataclass(frozen=True, slots=True)
class RouteMatch:
    """The request reaches `method` on `resource`, with these path parameters."""

    resource: Resource
    method: Method
    path_params: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class NoResource:
    """No resource of the API matches the path."""

    path: str


@dataclass(frozen=True, slots=True)
class NoMethod:
    """The path matches `resource` (the most specific one), but no match has the verb."""

    resource: Resource
    allowed: tuple[str, ...]


RouteResult = RouteMatch | NoResource | NoMethod


@dataclass(slots=True, eq=False)
class _Node:
    resource: Resource | None = None
    literal: dict[str, _Node] = field(default_factory=dict)
    variable: tuple[str, _Node] | None = None  # ("userId", child)
    greedy: tuple[str, Resource] | None = None  # ("proxy", resource)


class Router:
    """A compiled resource tree; `match` answers one `RouteResult` per request."""

    def __init__(self, resources: tuple[Resource, ...], default: RouteMatch | None = None) -> None:
        self._root = _Node()
        self._default = default  # an HTTP API's $default route: what nothing else matches
        for resource in resources:
            node = self._root
            parts = resource.path.strip("/").split("/") if resource.path != "/" else []
            for part in parts:
                if part.endswith("+}"):
                    node.greedy = (part[1:-2], resource)
                    break
                if part.startswith("{"):
                    if node.variable is None:
                        node.variable = (part[1:-1], _Node())
                    node = node.variable[1]
                else:
                    node = node.literal.setdefault(part, _Node())
            else:
                node.resource = resource

    def match(self, method: str, path: str) -> RouteResult:
        """Route `method` on `path` (the request path without the stage)."""
        stripped = path.strip("/")
        segments = stripped.split("/") if stripped else []
        first: list[Resource] = []  # the most specific resource matching the path
        found = _find(self._root, segments, 0, {}, method, first) or self._default
        if found is not None:
            return found
        if not first:
            return NoResource(path)
        return NoMethod(first[0], tuple(sorted(first[0].methods)))


def _method_of(resource: Resource, verb: str) -> Method | None:
    method = resource.methods.get(verb)
    if method is None and verb in ANY_METHODS:
        method = resource.methods.get("ANY")
    return method


def _find(
    node: _Node,
    segments: list[str],
    index: int,
    params: dict[str, str],
    verb: str,
    first: list[Resource],
) -> RouteMatch | None:
    """The most specific match of `segments[index:]` with `verb`, trying resources in order
    (literal, variable, greedy) and backtracking; records the first path match in `first`."""
    if index == len(segments):
        resource = node.resource
        if resource is None:
            return None
        method = _method_of(resource, verb)
        if method is not None:
            return RouteMatch(resource, method, params)
        if not first:
            first.append(resource)
        return None
    segment = segments[index]
    if segment:
        child = node.literal.get(segment)
        if child is not None:
            found = _find(child, segments, index + 1, params, verb, first)
            if found is not None:
                return found
        if node.variable is not None:
            name, child = node.variable
            found = _find(child, segments, index + 1, {**params, name: segment}, verb, first)
            if found is not None:
                return found
    if node.greedy is not None:
        name, resource = node.greedy
        rest = "/".join(segments[index:]).strip("/")
        if rest:
            method = _method_of(resource, verb)
            if method is not None:
                return RouteMatch(resource, method, {**params, name: rest})
            if not first:
                first.append(resource)
    return None


def router_for(definition: ApiDefinition) -> Router:
    """The definition's compiled router, built on first use and cached on the definition."""
    router = definition.compiled.get("router")
    if not isinstance(router, Router):
        default = definition.default_route
        fallback = None
        if default is not None:  # `$default` has no path and no path parameters
            resource = Resource(f"{definition.api_id}-default", DEFAULT_ROUTE, {"ANY": default})
            fallback = RouteMatch(resource, default, {})
        router = definition.compiled["router"] = Router(definition.resources, fallback)
    return router


def route(definition: ApiDefinition, method: str, path: str) -> RouteResult:
    """Route `method` on `path` (without the stage) through `definition`'s resources."""
    return router_for(definition).match(method, path)


def strip_stage(path: str, stage: str) -> tuple[str, str]:
    """(`path` without the stage, the path as requestContext.path shows it, with the stage).

    On AWS the stage is the first path segment (`/prod/users/1`); locally it may be left out
    (`/users/1`), and both route the same. Leading slashes collapse as on AWS (`//prod/x` is
    `/x`), but requestContext.path keeps the client's slashes after the stage (`/prod//x`).
    """
    trimmed = path.lstrip("/")
    if stage == DEFAULT_STAGE:  # an HTTP API's $default stage is not in the path
        return "/" + trimmed, path
    head, slash, rest = trimmed.partition("/")
    if head == stage:
        after = slash + rest
        return "/" + after.lstrip("/"), f"/{stage}{after}"
    collapsed = "/" + trimmed
    return collapsed, f"/{stage}{collapsed}"


def describe_routes(definition: ApiDefinition) -> list[str]:
    """Every route as `VERB /path`, for explanations: `GET /products`, `ANY /{proxy+}`."""
    routes = [
        f"{verb} {resource.path}"
        for resource in definition.resources
        for verb in sorted(resource.methods)
    ]
    return routes + ([DEFAULT_ROUTE] if definition.default_route is not None else [])
