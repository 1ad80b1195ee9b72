TOKENS = {"allow-me": "ada", "deny-me": "bob"}


def whole_api(method_arn):
    # arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/VERB/PATH -> every verb and path of STAGE
    api, stage = method_arn.split("/")[:2]
    return f"{api}/{stage}/*/*"


def handler(event, context):
    user = TOKENS.get(event["authorizationToken"])
    if user is None:
        raise Exception("Unauthorized")
    statement = {
        "Action": "execute-api:Invoke",
        "Effect": "Deny" if user == "bob" else "Allow",
        "Resource": whole_api(event["methodArn"]),  # cached, it still fits the next call
    }
    return {
        "principalId": user,
        "policyDocument": {"Version": "2012-10-17", "Statement": [statement]},
        "context": {"plan": "pro", "admin": False, "quota": 5},
    }
