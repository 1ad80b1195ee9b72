"""Exercise 02-proxy-event: the handler behind GET /users/{userId} (AWS_PROXY).

Answer every request with status 200 and a JSON body (a string!) holding three fields:

- "userId":  the path parameter userId;
- "include": the value of the optional query parameter include, or null when there is none;
- "tenant":  the value of the X-Tenant header, or "public" when the request has none.
  Clients spell header names as they like: X-Tenant, x-tenant and X-TENANT are one header.

A request may come with no query string at all and, being a GET, with no body.
Check it with `course check 02-proxy-event`.
"""

import json


def handler(event, context):
    # TODO: read the path parameter, the include query parameter and the X-Tenant header.
    user = {"userId": "u1", "include": None, "tenant": "public"}
    return {"statusCode": 200, "body": json.dumps(user)}
