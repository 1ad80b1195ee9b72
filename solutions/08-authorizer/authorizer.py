"""Exercise 08-authorizer: a TOKEN Lambda authorizer in front of the items API (REST).

API Gateway calls `handler` before any route of the API runs, with the Authorization header's
value: {"type": "TOKEN", "authorizationToken": "<the header>", "methodArn":
"arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<VERB>/<path>"}. Answer each token so:

- "allow": return an IAM policy that allows invoking the API, with principalId "ada" and a
  context holding the user's data: {"name": "Ada Lovelace", "role": "editor", "admin": True}.
  The function behind the API then finds them in event["requestContext"]["authorizer"].
  The policy is cached for 300 s per token and reused for the next request with that token,
  whatever its method and path: it must allow every method of the API, not just this one.
- "deny": return a policy that explicitly denies invoking the API (the client gets 403).
- any other token: refuse it with raise Exception("Unauthorized") (the client gets 401).
  Tokens are compared exactly: "Allow" is not "allow".

Context values may only be strings, numbers or booleans. Check it with
`course check 08-authorizer`.
"""

USERS = {"allow": ("ada", {"name": "Ada Lovelace", "role": "editor", "admin": True})}


def policy(principal_id, effect, resource, context=None):
    """An authorizer's answer: who the caller is, an IAM policy, and the context."""
    answer = {
        "principalId": principal_id,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}],
        },
    }
    if context is not None:
        answer["context"] = context
    return answer


def every_method(method_arn):
    """arn:...:<apiId>/<stage>/GET/items/1 -> arn:...:<apiId>/<stage>/*/*: the whole stage,
    so the cached policy also covers the caller's next request, whatever it is."""
    api, stage = method_arn.split("/")[:2]
    return f"{api}/{stage}/*/*"


def handler(event, context):
    token = event["authorizationToken"]
    resource = every_method(event["methodArn"])
    if token in USERS:
        principal_id, user = USERS[token]
        return policy(principal_id, "Allow", resource, user)
    if token == "deny":
        return policy("nobody", "Deny", resource)
    raise Exception("Unauthorized")
