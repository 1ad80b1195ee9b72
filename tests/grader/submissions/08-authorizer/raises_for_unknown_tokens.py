"""Looks every token up in a dict: an unknown token raises KeyError, not "Unauthorized"."""

USERS = {"allow": ("ada", "Allow"), "deny": ("nobody", "Deny")}


def handler(event, context):
    principal, effect = USERS[event["authorizationToken"]]
    api, stage = event["methodArn"].split("/")[:2]
    statement = {"Action": "execute-api:Invoke", "Effect": effect, "Resource": f"{api}/{stage}/*/*"}
    return {
        "principalId": principal,
        "policyDocument": {"Version": "2012-10-17", "Statement": [statement]},
        "context": {"name": "Ada Lovelace", "role": "editor", "admin": True},
    }
