"""Writes the six companion notebooks from the cells below, without outputs.

Run it after changing a cell or a starter in `exercises/`: `python notebooks/make_notebooks.py`.
Exercise cells are tagged `exercise` and carry `{"course": {"exercise", "file"}}` in their
metadata, so the tests can swap in the reference solution and a learner's copy can be graded
with `check(...)`. The starter text comes from `exercises/`, so the two never drift apart.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
EXERCISES = HERE.parent / "exercises"

Cell = tuple[str, str]  # ("md" | "code", source)


def md(text: str) -> Cell:
    return ("md", text.strip())


def code(text: str) -> Cell:
    return ("code", text.strip())


SETUP = code("%load_ext course_cli\nfrom course_cli.notebook import check, show")


def exercise_file_name(exercise: str, file: str) -> str:
    """Where a notebook's exercise cell writes, next to the notebook: `ex03_handler.py`."""
    return f"ex{exercise[:2]}_{file}"


def exercise_cells(exercise: str, file: str, intro: str) -> list[nbformat.NotebookNode]:
    starter = (EXERCISES / exercise / file).read_text(encoding="utf-8")
    target = exercise_file_name(exercise, file)
    cell = new_code_cell(f"%%writefile {target}\n{starter.rstrip()}\n")
    cell.metadata["tags"] = ["exercise"]
    cell.metadata["course"] = {"exercise": exercise, "file": file, "target": target}
    grading = new_code_cell(f'check("{exercise}", "{target}")')
    grading.metadata["tags"] = ["check"]
    grading.metadata["course"] = {"exercise": exercise}
    return [
        new_markdown_cell(
            f"## Exercise {exercise}\n\n{intro.strip()}\n\n"
            f"Edit the cell below and run it: it saves `{target}` next to this notebook. "
            "Then run the `check` cell: it grades the file with the same checks as "
            f"`course check {exercise}`, one row per case. Stuck? `course hint {exercise}` "
            "in a terminal gives a hint, a little more direct each time."
        ),
        cell,
        grading,
    ]


# --- topic 1 ----------------------------------------------------------------------------------

TOPIC_1: list[Cell] = [
    md("""
# 1. Integration types

A REST API method does not run code itself: its *integration* says where the request goes.
There are five kinds, and they differ on two questions: who is the backend (a Lambda
function, another AWS service, an HTTP URL, or nothing at all), and who shapes the data (you
in templates, or nobody).

| type | backend | request and response |
|---|---|---|
| `AWS_PROXY` | Lambda | passed through whole; your code writes the HTTP answer |
| `AWS` | any AWS service (Lambda, DynamoDB, SQS...) | reshaped by mapping templates |
| `HTTP_PROXY` | a URL | passed through whole |
| `HTTP` | a URL | reshaped by mapping templates |
| `MOCK` | none | API Gateway answers from a template |

Run each cell with Shift+Enter. The first one loads the course's magics.
"""),
    SETUP,
    md("""
## All five, one request

The same `POST /orders?expand=items` sent through each type. Look at what the backend
received: the proxy types see the whole HTTP request, the others only what a template wrote.
"""),
    code("""
from course_cli.ui.examples.integrations import integration_side_by_side

show(integration_side_by_side())
"""),
    md("""
## AWS_PROXY: your handler is the HTTP server

With `%%invoke`, the cell is a handler module. It runs behind our API Gateway emulator for
one request, and you see the event it received, what it returned, the response and the
gateway's execution log.
"""),
    code("""
%%invoke --method POST --path /orders --body '{"item": "lamp"}'
import json

def handler(event, context):
    order = json.loads(event["body"])
    return {"statusCode": 201, "body": json.dumps({"received": order["item"]})}
"""),
    md("""
## MOCK: an answer with no backend

A MOCK integration never calls anything. Its request template must produce a JSON object
with a `statusCode`; that number picks the integration response, whose template writes the
body. `%%vtl` renders a template the way API Gateway would:
"""),
    code("""
%%vtl
{"statusCode": 200}
"""),
    code("""
from course_cli.ui.examples.integrations import mock_health_check

show(mock_health_check())
"""),
    md("""
## Choosing

Start with `AWS_PROXY` for new functions. Move to `AWS` (or `HTTP`) when something you may not
change - an old function's input, a partner's field names, a public contract - has to be
translated. Use `MOCK` for fixed answers: health checks, prototypes, CORS preflights.
"""),
    (
        "nb",
        "01-integration-types|answers.py|"
        + """
Pick an integration type for six situations, then make `HEALTH_CHECK` a MOCK integration
that answers `{"status": "ok"}`.
""",
    ),
]

# --- topic 2 ----------------------------------------------------------------------------------

TOPIC_2: list[Cell] = [
    md("""
# 2. The proxy event

With `AWS_PROXY`, the whole request reaches your function as one dictionary, the *event*.
Its keys are always present; what changes is their values, and several of them are `null`
more often than you would guess.
"""),
    SETUP,
    md("""
## resource, path and pathParameters

`resource` is the template you defined (`/users/{userId}`); `path` is what the client asked
for; `pathParameters` holds what the braces matched.
"""),
    code("""
%%invoke --path /users/42 --resource /users/{userId}
import json

def handler(event, context):
    seen = {k: event[k] for k in ("resource", "path", "pathParameters")}
    return {"statusCode": 200, "body": json.dumps(seen)}
"""),
    md("""
## No query string means `None`, not `{}`

Without a query string, `queryStringParameters` is `None`. `event.get("queryStringParameters",
{})` does not help, because the key exists. Write `event["queryStringParameters"] or {}`.
"""),
    code("""
%%invoke --path /users/42 --resource /users/{userId}
import json

def handler(event, context):
    query = event["queryStringParameters"] or {}
    return {"statusCode": 200, "body": json.dumps({"raw": event["queryStringParameters"],
                                                   "safe": query})}
"""),
    md("""
## Repeated keys

`?tag=a&tag=b` keeps only the last value in `queryStringParameters`; the
`multiValueQueryStringParameters` map keeps every value, in order. Headers work the same way.
"""),
    code("""
%%invoke --path /search --query tag=a --query tag=b
import json

def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({
        "single": event["queryStringParameters"],
        "multi": event["multiValueQueryStringParameters"],
    })}
"""),
    md("""
## Header names keep the client's spelling

`X-Tenant`, `x-tenant` and `X-TENANT` are the same header, but the event keeps whatever the
client typed. Lower-case the names once, then look them up.
"""),
    code("""
%%invoke --path /whoami --header 'x-TENANT: acme'
import json

def handler(event, context):
    headers = {name.lower(): value for name, value in (event["headers"] or {}).items()}
    return {"statusCode": 200, "body": json.dumps({"tenant": headers.get("x-tenant")})}
"""),
    md("""
## The body is text

Even a JSON request arrives as a string in `body` (or `None` for a GET): parse it yourself,
and expect text that is not JSON.
"""),
    code("""
%%invoke --method POST --path /notes --body 'not json'
import json

def handler(event, context):
    try:
        note = json.loads(event["body"] or "{}")
    except json.JSONDecodeError:
        return {"statusCode": 400, "body": json.dumps({"message": "send JSON"})}
    return {"statusCode": 201, "body": json.dumps(note)}
"""),
    (
        "nb",
        "02-proxy-event|handler.py|"
        + """
Read the path parameter, an optional query parameter and a header in any spelling, safely.
""",
    ),
]

# --- topic 3 ----------------------------------------------------------------------------------

TOPIC_3: list[Cell] = [
    md("""
# 3. The proxy response, and the 502

Your function's return value must be a dictionary API Gateway can turn into HTTP:
`statusCode` (a number), optional `headers` and `multiValueHeaders` (string values), `body`
(a **string**) and `isBase64Encoded`. Anything else, an exception or a timeout, and the
client gets `502 Bad Gateway` with `{"message": "Internal server error"}`. The client never
learns why; the execution log, and this course, tell you.
"""),
    SETUP,
    md("""
## A dictionary body

The most common 502 of all. Read the explanation under the response, then the execution log
line that says `Execution failed due to configuration error`.
"""),
    code("""
%%invoke --path /items/i1
def handler(event, context):
    return {"statusCode": 200, "body": {"id": "i1", "name": "lamp"}}
"""),
    md("`json.dumps` the body and it works:"),
    code("""
%%invoke --path /items/i1
import json

def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"id": "i1", "name": "lamp"})}
"""),
    md("""
## Decimal and datetime

DynamoDB hands numbers out as `Decimal`, and `json.dumps` refuses both `Decimal` and
`datetime`. The exception ends the invocation, and the gateway answers 502.
"""),
    code("""
%%invoke --path /items/i1/price
import json
from decimal import Decimal

def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"price": Decimal("19.99")})}
"""),
    md("A `default=` for `json.dumps` turns them into numbers and text:"),
    code("""
%%invoke --path /items/i1/price
import json
from datetime import datetime
from decimal import Decimal

def to_json(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__}")

def handler(event, context):
    body = {"price": Decimal("19.99"), "at": datetime(2026, 1, 15, 9, 30)}
    return {"statusCode": 200, "body": json.dumps(body, default=to_json)}
"""),
    md("""
## Too slow

A function that runs past its timeout is stopped, and the client gets a 502 too. API
Gateway's own integration timeout gives a 504 instead; it is 29 seconds unless you configure
the integration otherwise. `--timeout` sets the function's limit here.
"""),
    code("""
%%invoke --path /slow --timeout 0.3
import time

def handler(event, context):
    time.sleep(1)
    return {"statusCode": 200, "body": "late"}
"""),
    (
        "nb",
        "03-fix-the-502|handler.py|"
        + """
The handler below earns a 502 in five ways. `%%invoke` any route of it in a new cell to see
each explanation, then fix the TODOs.
""",
    ),
]

# --- topic 4 ----------------------------------------------------------------------------------

TOPIC_4: list[Cell] = [
    md("""
# 4. Mapping templates (VTL)

With an `AWS` or `HTTP` integration, API Gateway reshapes the request and the response with
*mapping templates*, written in the Velocity Template Language. `$input` is the request,
`$context` describes it, `$util` has helpers. `%%vtl` renders the cell as a template and says
whether the result is valid JSON, which is what a Lambda function needs.
"""),
    SETUP,
    md("""
## `$input`: body, paths and parameters

`$input.json('$.x')` writes a piece of the body as JSON; `$input.path('$.x')` gives the value
itself; `$input.params('name')` finds a path, query or header parameter by name.
"""),
    code("""
%%vtl --body '{"name": "lamp", "tags": ["desk", "light"]}' --path-param id=p7 --query debug=1
{
  "id": "$input.params('id')",
  "name": "$input.path('$.name')",
  "tags": $input.json('$.tags'),
  "debug": "$input.params('debug')"
}
"""),
    md("""
## Quotes matter

A string needs quotes around it in the template; a JSON value written by `$input.json` must
not have them. Here one pair is missing, and the verdict says where the JSON breaks:
"""),
    code("""
%%vtl --body '{"name": "lamp"}'
{"name": $input.path('$.name')}
"""),
    md("""
## `$context` and `$util`

`$context` holds what API Gateway knows about the request: its id, the stage, the method,
the caller. `$util.escapeJavaScript` escapes quotes, backslashes and line breaks for a JSON
string, but it also turns `'` into `\\'`, which JSON does not accept. Chain
`.replaceAll("\\\\'", "'")` after it to put the apostrophe back; try the cell without it.
"""),
    code("""
%%vtl --context httpMethod=PUT --stage-var table=products --header "User-Agent: Ada's curl/8"
#set($agent = $util.escapeJavaScript($input.params('User-Agent')).replaceAll("\\\\'", "'"))
{
  "requestId": "$context.requestId",
  "method": "$context.httpMethod",
  "stage": "$context.stage",
  "table": "$stageVariables.table",
  "agent": "$agent"
}
"""),
    md("""
## `#set`, `#if` and `#foreach`

Loops write lists and objects; `$foreach.hasNext` puts commas only between items.
"""),
    code("""
%%vtl --query size=L --query color=red
#set($params = $input.params().querystring)
{
  "filters": {
#foreach($key in $params.keySet())
#set($value = $util.escapeJavaScript($params.get($key)).replaceAll("\\\\'", "'"))
    "$key": "$value"#if($foreach.hasNext),#end
#end
  }
}
"""),
    md("""
## Integration responses and selection patterns

On the way back, the function's answer goes through an *integration response*. When the
function fails, its `errorMessage` is matched against each response's `selectionPattern`
(a regular expression for the whole message); the match decides the status code. This
example maps "not found" to 404:
"""),
    code("""
from course_cli.ui.examples.vtl import selection_pattern_404

show(selection_pattern_404())
"""),
    (
        "nb",
        "04-vtl-request|request.vtl|"
        + """
Write the request template that feeds a legacy function exactly the input it expects.
""",
    ),
    (
        "nb",
        "05-vtl-response|response.vtl|"
        + """
Wrap the function's answer in `data` and `metadata`, and send "not found" errors to a 404.
""",
    ),
]

# --- topic 5 ----------------------------------------------------------------------------------

TOPIC_5: list[Cell] = [
    md("""
# 5. A CRUD API on DynamoDB

Five routes, one function, one table: `GET` and `POST /products`, and `GET`, `PUT` and
`DELETE /products/{productId}`. Everything runs in the offline sandbox: moto plays DynamoDB,
Lambda and API Gateway with fake credentials, so nothing here can reach a real AWS account.
"""),
    SETUP,
    code("%sandbox"),
    md("""
From now on boto3 in this kernel talks to the sandbox. Make the table the function will use:
"""),
    code("""
import os

import boto3

dynamodb = boto3.client("dynamodb", region_name="us-east-1")
dynamodb.create_table(
    TableName="products",
    KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
    BillingMode="PAY_PER_REQUEST",
)
dynamodb.get_waiter("table_exists").wait(TableName="products")  # on AWS it starts CREATING
os.environ["TABLE_NAME"] = "products"  # what the function's configuration would set
dynamodb.list_tables()["TableNames"]
"""),
    md("""
## Create, then read back

The handler routes on `(httpMethod, resource)`. Prices come back from DynamoDB as `Decimal`,
so the `default=` from topic 3 is needed again.
"""),
    code("""
%%invoke --method POST --path /products --body '{"name": "lamp", "price": 19.5}'
import json, os, uuid
from decimal import Decimal

import boto3

table = boto3.resource("dynamodb", region_name="us-east-1").Table(os.environ["TABLE_NAME"])

def handler(event, context):
    product = json.loads(event["body"], parse_float=Decimal)
    product["id"] = str(uuid.uuid4())
    table.put_item(Item=product)
    return {"statusCode": 201, "body": json.dumps(product, default=float)}
"""),
    code("""
sandbox.scan("products")
"""),
    md("""
## Wiring it on AWS

On AWS the same API is built with calls: the table, the function, the REST API's resources
and methods with their `AWS_PROXY` integrations, the permission that lets API Gateway invoke
the function, and a deployment to a stage. Forget the permission and every request is a 500.
The last exercise does exactly this with boto3, in the sandbox.
"""),
    (
        "nb",
        "06-crud-handler|handler.py|"
        + """
Write the products function: five routes, 400 for bad input, 404 for missing products.
""",
    ),
    (
        "nb",
        "07-wire-the-api|deploy.py|"
        + """
Build the products API with boto3: table, function, resources, integrations, permission and
stage. The check runs it in a fresh sandbox and sends the CRUD sequence to what it built.
""",
    ),
]

# --- topic 6 ----------------------------------------------------------------------------------

TOPIC_6: list[Cell] = [
    md("""
# 6. Beyond the REST proxy

An **HTTP API** (API Gateway v2) sends Lambda a different event, payload format 2.0, and reads
the answer more leniently. A **Lambda authorizer** runs before your function and decides, with
an IAM policy, whether the request goes on. This notebook puts both side by side with what you
know from the REST API.

`%%invoke` serves a REST API; the cells below call the same library directly (`api_for_handler`
with `payload="2.0"`, and an API whose methods sit behind an authorizer).
"""),
    SETUP,
    md("""
## One request, two events

`GET /users/123?tag=a&tag=b` with a cookie, as a REST API (1.0) and as an HTTP API (2.0) send it.
Look for `routeKey`, the lower-case headers, `"tag": "a,b"` and the `cookies` list.
"""),
    code("""
from course_cli.ui.examples.beyond import payload_1_and_2

show(payload_1_and_2())
"""),
    md("""
## A return value without statusCode

The handler below misspells `statusCode`. Behind a REST API that is a 502; behind an HTTP API
the whole value becomes a 200's JSON body, and nothing says anything went wrong.
"""),
    code("""
%%writefile nb06_slip.py
def handler(event, context):
    return {"status": 404, "body": "no such product"}  # "status", not "statusCode"
"""),
    code("""
from course_cli.gateway.pipeline import invocation_to_json
from course_cli.local_api import api_for_handler, build_request
from course_cli.notebook import InvocationView


def send(api, method, path, token=None):
    headers = [("Authorization", token)] if token is not None else []
    sent = api.send(build_request(method, path, headers=headers))
    return InvocationView(invocation_to_json(sent))


rest = send(api_for_handler("nb06_slip.py"), "GET", "/products/p9")
http = send(api_for_handler("nb06_slip.py", payload="2.0"), "GET", "/products/p9")
rest.status, http.status, http.body
"""),
    md("""
## A TOKEN authorizer

API Gateway calls it with `authorizationToken` (the `Authorization` header) and `methodArn`, and
it returns a policy. `raise Exception("Unauthorized")` is a 401, a `Deny` a 403, anything else
that goes wrong a 500. The function behind it reads `requestContext.authorizer`.
"""),
    code("""
%%writefile nb06_auth.py
TOKENS = {"allow-me": "ada", "deny-me": "bob"}


def handler(event, context):
    user = TOKENS.get(event["authorizationToken"])
    if user is None:
        raise Exception("Unauthorized")
    effect = "Deny" if user == "bob" else "Allow"
    statement = {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}
    return {
        "principalId": user,
        "policyDocument": {"Version": "2012-10-17", "Statement": [statement]},
        "context": {"plan": "pro", "admin": False, "quota": 5},
    }
"""),
    code("""
%%writefile nb06_app.py
import json


def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event["requestContext"]["authorizer"])}
"""),
    code("""
from pathlib import Path

from course_cli.ui.examples.beyond import guarded_api

api = guarded_api(Path("nb06_app.py"), Path("nb06_auth.py"))
{token: send(api, "GET", "/items/1", token).status for token in (None, "nobody", "deny-me")}
"""),
    md("""
As ada, the function gets the authorizer's `context`, every value turned into a string:
`"admin": "false"` is a non-empty string, so it is true in an `if`.
"""),
    code("""
send(api, "GET", "/items/1", "allow-me")
"""),
    md("""
## The cached policy

The answer above is cached for 300 seconds, per token. Its policy allowed `GET /items/1` only,
so the next request with the same token, `POST /items`, is checked against it and denied. The
explanation says the policy came from the cache.
"""),
    code("""
send(api, "POST", "/items", "allow-me")
"""),
    md("""
## Exercise

Write the authorizer the items API needs: it allows one token with the user's context, denies
another, refuses the rest, and its cached policy must fit every method of the API.
"""),
    (
        "nb",
        "08-authorizer|authorizer.py|"
        + """
A TOKEN authorizer: allow "allow" for every method of the API with the user's context, deny
"deny", and answer 401 to any other token.
""",
    ),
]

NOTEBOOKS = {
    "01-integration-types": TOPIC_1,
    "02-proxy-event": TOPIC_2,
    "03-proxy-response": TOPIC_3,
    "04-vtl": TOPIC_4,
    "05-crud-api": TOPIC_5,
    "06-beyond-rest-proxy": TOPIC_6,
}


def build(cells: list[Cell]) -> nbformat.NotebookNode:
    notebook = new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    for kind, source in cells:
        if kind == "md":
            notebook.cells.append(new_markdown_cell(source))
        elif kind == "code":
            notebook.cells.append(new_code_cell(source))
        else:  # "nb": an exercise, "id|file|intro"
            exercise, file, intro = source.split("|", 2)
            notebook.cells.extend(exercise_cells(exercise, file, intro))
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index:02d}"  # stable ids: regenerating changes nothing
    return notebook


def main() -> None:
    for name, cells in NOTEBOOKS.items():
        nbformat.write(build(cells), HERE / f"{name}.ipynb")
        print(f"wrote notebooks/{name}.ipynb")


if __name__ == "__main__":
    main()
