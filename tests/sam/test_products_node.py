"""The lesson's CRUD build as written in JavaScript: `examples/sam/products-node`, its
`index.mjs` using the AWS SDK v3's DynamoDBDocumentClient, served by `course serve -t` with a
real `node`, and its items checked in the sandbox's table itself.

The SDK comes from the npm registry once per test session, into `tests/.node_cache/` under
the hash of the example's package.json (ignored by git; a changed package.json installs anew).
"""

from __future__ import annotations

import hashlib
import re
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from tests.sam.conftest import SamServers
from tests.sam.test_serve import call

EXAMPLE = REPO / "examples" / "sam" / "products-node"
PACKAGE_JSON = EXAMPLE / "src" / "package.json"
CACHE = REPO / "tests" / ".node_cache"
NPM_TIMEOUT_S = 120  # it takes seconds; a stuck registry fails the test rather than hangs it


def readme_steps() -> list[list[str]]:
    """The commands of the example README's first block, which this module runs."""
    readme = (EXAMPLE / "README.md").read_text()
    block = re.search(r"```bash\n(.+?)\n```", readme, re.S)
    assert block is not None
    return [shlex.split(line) for line in block[1].splitlines()]


def test_the_readme_shows_the_steps_this_module_runs() -> None:
    assert readme_steps() == [
        ["cd", "examples/sam/products-node/src"],
        NPM_INSTALL,
        ["cd", ".."],
        ["course", "serve", "-t", "template.yaml"],
    ]


NPM_INSTALL = ["npm", "install", "--no-audit", "--no-fund"]


@pytest.fixture(scope="session")
def sdk_node_modules() -> Path:
    """A node_modules folder with the example's dependencies, installed by npm at most once
    per package.json. No npm is a failure, not a skip: CI has it, and so must a developer."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is not on PATH; the SDK v3 test needs Node.js's npm to install the SDK")
    manifest = PACKAGE_JSON.read_bytes()
    folder = CACHE / hashlib.sha256(manifest).hexdigest()[:16]
    modules = folder / "node_modules"
    if (modules / "@aws-sdk" / "lib-dynamodb" / "package.json").is_file():
        return modules
    CACHE.mkdir(parents=True, exist_ok=True)
    # Installed aside, then renamed into place: a session that stops half-way, or another
    # running at the same time, never leaves a half-filled folder under the final name.
    work = Path(tempfile.mkdtemp(prefix=f"{folder.name}-", dir=CACHE))
    (work / "package.json").write_bytes(manifest)
    try:
        done = subprocess.run(
            [npm, *NPM_INSTALL[1:]],
            cwd=work,
            capture_output=True,
            text=True,
            timeout=NPM_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        shutil.rmtree(work, ignore_errors=True)
        pytest.fail(f"npm install took more than {NPM_TIMEOUT_S} s")
    if done.returncode != 0:
        shutil.rmtree(work, ignore_errors=True)
        pytest.fail(f"npm install failed ({done.returncode}):\n{done.stderr[-2000:]}")
    try:
        work.rename(folder)
    except OSError:  # another session put it there first
        shutil.rmtree(work, ignore_errors=True)
    return modules


@pytest.fixture(params=["Api", "HttpApi"])
def products_app(request: pytest.FixtureRequest, tmp_path: Path, sdk_node_modules: Path) -> Path:
    """A copy of the example with the SDK beside its code, as `npm install` there leaves it:
    as shipped (a REST API: the handler routes on `httpMethod` and `resource`), and with
    HttpApi events (payload 2.0: it routes on `routeKey`)."""
    app = tmp_path / "products-node"
    shutil.copytree(EXAMPLE, app, ignore=shutil.ignore_patterns("node_modules"))
    (app / "src" / "node_modules").symlink_to(sdk_node_modules, target_is_directory=True)
    template = app / "template.yaml"
    events = template.read_text().count("Type: Api\n")
    assert events == 5
    template.write_text(template.read_text().replace("Type: Api\n", f"Type: {request.param}\n"))
    return template


def sandbox_table(banner: str) -> tuple[Any, str]:
    """A boto3 client on the sandbox `course serve -t` printed, and the table's name."""
    import boto3  # type: ignore[import-untyped]

    found = {
        name: re.search(pattern, banner)
        for name, pattern in {
            "key": r"AWS_ACCESS_KEY_ID=(\S+)",
            "secret": r"AWS_SECRET_ACCESS_KEY=(\S+)",
            "endpoint": r"--endpoint-url (http://127\.0\.0\.1:\d+)",
            "table": r"--table-name (\S+)",
        }.items()
    }
    assert all(found.values()), banner
    values = {name: match[1] for name, match in found.items() if match is not None}
    client = boto3.client(
        "dynamodb",
        endpoint_url=values["endpoint"],  # the sandbox on this machine, never AWS
        region_name="us-east-1",
        aws_access_key_id=values["key"],
        aws_secret_access_key=values["secret"],
    )
    return client, values["table"]


def stored(client: Any, table: str) -> list[dict[str, Any]]:
    """The table's items as DynamoDB holds them (typed attribute values)."""
    items: list[dict[str, Any]] = client.scan(TableName=table)["Items"]
    return items


@pytest.mark.slow
def test_the_sdk_v3_crud_works_on_the_sandbox_table(
    sam_servers: SamServers, products_app: Path
) -> None:
    base = sam_servers(products_app)
    client, table = sandbox_table(sam_servers.banner)

    status, created = call("POST", f"{base}/products", {"name": "pen", "price": 2})
    assert status == 201, created
    assert set(created) == {"id", "name", "price"} and created["price"] == 2
    one = f"{base}/products/{created['id']}"
    assert stored(client, table) == [
        {"id": {"S": created["id"]}, "name": {"S": "pen"}, "price": {"N": "2"}}
    ]

    assert call("GET", one) == (200, created)
    assert call("GET", f"{base}/products") == (200, {"items": [created]})

    assert call("PUT", one, {"name": "pen", "price": 3.5}) == (200, {**created, "price": 3.5})
    assert stored(client, table)[0]["price"] == {"N": "3.5"}
    assert call("PUT", f"{base}/products/none", {"name": "x"})[0] == 404
    assert call("POST", f"{base}/products", {"price": 1}) == (
        400,
        {"message": "name is required and must be a non-empty string"},
    )

    assert call("DELETE", one) == (204, None)
    assert stored(client, table) == []
    assert call("GET", one) == (404, {"message": "product not found"})
    assert call("DELETE", one)[0] == 404
