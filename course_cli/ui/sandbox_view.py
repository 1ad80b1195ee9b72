"""How the sandbox looks: what to export, what was deployed, and a table's change as a diff."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from course_cli.sandbox.crud import CrudDeployment
    from course_cli.sandbox.table_diff import ItemChange


def render_sandbox_up(endpoint_url: str, variables: Mapping[str, str]) -> RenderableType:
    """The endpoint and the `export` lines for a shell (fake credentials, fixed region)."""
    lines = [
        Text.assemble(("Sandbox running at ", "ok"), (endpoint_url, "bold")),
        Text(
            "moto on this machine, fake credentials: nothing reaches a real AWS account.", "muted"
        ),
        Text("In another terminal:", "muted"),
    ]
    lines += [Text(f"export {name}={value}") for name, value in variables.items()]
    lines.append(Text("Ctrl-C stops the sandbox and forgets everything in it.", "muted"))
    return Group(*lines)


def aws_cli_command(args: list[str], variables: Mapping[str, str]) -> str:
    """An `aws ...` command line that reaches the sandbox from any POSIX shell as it is (the
    fake credentials in front: a shell that never ran `aws configure` has none)."""
    import shlex

    credentials = " ".join(
        f"{name}={shlex.quote(variables[name])}"
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
        if name in variables
    )
    options = [*args, "--region", variables.get("AWS_DEFAULT_REGION", "us-east-1")]
    if variables.get("AWS_ENDPOINT_URL"):
        options += ["--endpoint-url", variables["AWS_ENDPOINT_URL"]]
    return f"{credentials} aws {shlex.join(options)}".strip()


def render_deployment(deployment: CrudDeployment, endpoint_url: str | None) -> RenderableType:
    """What `deploy_crud` created, and how to look at it."""
    table = Table(show_header=False, box=None, padding=(0, 2))
    table.add_row("table", deployment.table)
    table.add_row("function", deployment.function_arn)
    table.add_row("REST API", f"{deployment.api_id} (stage {deployment.stage})")
    parts: list[RenderableType] = [Text("Deployed the products API", style="ok"), table]
    if endpoint_url:
        parts.append(
            Text(
                f"See the data: aws dynamodb scan --table-name {deployment.table} "
                f"--endpoint-url {endpoint_url}\nServe it: course serve --sandbox",
                style="muted",
            )
        )
    return Group(*parts)


def render_item_changes(changes: Sequence[ItemChange]) -> RenderableType:
    """One block per changed item: `+` added, `-` removed, `~` changed attributes."""
    if not changes:
        return Text("table unchanged", style="muted")
    marks = {"added": ("+", "ok"), "removed": ("-", "fail"), "changed": ("~", "warning")}
    parts: list[RenderableType] = []
    for change in changes:
        mark, style = marks[change.kind]
        parts.append(Text(f"{change.kind} item {change.key}", style=style))
        for name, (old, new) in change.attributes.items():
            shown = {"added": _show(new), "removed": _show(old)}.get(
                change.kind, f"{_show(old)} → {_show(new)}"
            )
            parts.append(Text(f"  {mark} {name}: {shown}", style=style))
    return Group(*parts)


def _show(value: Any) -> str:
    return "(none)" if value is None else repr(value)
