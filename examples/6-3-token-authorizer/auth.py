TOKENS = {"allow-me": "ada", "deny-me": "bob"}  # a real authorizer verifies a JWT instead


def handler(event, context):
    user = TOKENS.get(event["authorizationToken"])
    if user is None:
        raise Exception("Unauthorized")  # this exact message: 401
    effect = "Deny" if user == "bob" else "Allow"
    # Resource: this one method on this one path (step 6.5 comes back to it)
    statement = {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}
    return {
        "principalId": user,
        "policyDocument": {"Version": "2012-10-17", "Statement": [statement]},
        "context": {"plan": "pro", "admin": False, "quota": 5},
    }
