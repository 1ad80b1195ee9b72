"""Allows every token, for the whole API, with the right principal and context."""


def handler(event, context):
    api, stage = event["methodArn"].split("/")[:2]
    return {
        "principalId": "ada",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": f"{api}/{stage}/*/*"}
            ],
        },
        "context": {"name": "Ada Lovelace", "role": "editor", "admin": True},
    }
