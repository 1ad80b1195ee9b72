"""The role the products function runs as, for a deploy with boto3 (steps 5.7 to 5.9).

Lambda assumes it (trust-policy.json); it may write logs (AWS's managed basic execution
policy) and use the products table (table-policy.json). Shown, not run by the course.
"""

from pathlib import Path

HERE = Path(__file__).parent
ROLE = "products-function"
LOGS = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def create_function_role():
    import boto3

    iam = boto3.client("iam")
    role_arn = iam.create_role(
        RoleName=ROLE,
        AssumeRolePolicyDocument=(HERE / "trust-policy.json").read_text(encoding="utf-8"),
    )["Role"]["Arn"]
    iam.get_waiter("role_exists").wait(RoleName=ROLE)
    iam.attach_role_policy(RoleName=ROLE, PolicyArn=LOGS)
    iam.put_role_policy(
        RoleName=ROLE,
        PolicyName="products-table",
        PolicyDocument=(HERE / "table-policy.json").read_text(encoding="utf-8"),
    )
    return role_arn
