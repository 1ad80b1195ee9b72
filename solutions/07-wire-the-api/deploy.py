"""Exercise 07-wire-the-api: build the products API with boto3, as you would on AWS.

`deploy(package)` receives the products function's deployment package as `bytes`: the zip
file's content, not a path (a zip holding products.py, whose function is `handler`), ready
for create_function's `Code={"ZipFile": package}`. It must create, in this order:

1. the DynamoDB table "products": key "id" (a string, HASH), billing PAY_PER_REQUEST;
2. the Lambda function "products": runtime python3.12, handler "products.handler", the zip,
   the execution role named ROLE_NAME, and the environment variable TABLE_NAME=products;
3. a REST API with /products (GET, POST) and /products/{productId} (GET, PUT, DELETE), every
   method an AWS_PROXY integration to the function;
4. the permission for API Gateway to invoke the function;
5. a deployment on the stage "prod".

Return the REST API's id.
"""

import boto3

REGION = "us-east-1"
ROLE_NAME = "products-lambda-role"  # the sandbox has it already, as an AWS account would
ROUTES = {"products": ("GET", "POST"), "{productId}": ("GET", "PUT", "DELETE")}


def deploy(package):
    account_id = boto3.client("sts", region_name=REGION).get_caller_identity()["Account"]
    role_arn = f"arn:aws:iam::{account_id}:role/{ROLE_NAME}"
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    dynamodb.create_table(
        TableName="products",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    # Both are created asynchronously on AWS: wait until the table is ACTIVE and the
    # function Active before anything uses them (the sandbox is ready at once).
    dynamodb.get_waiter("table_exists").wait(TableName="products")

    lambda_client = boto3.client("lambda", region_name=REGION)
    function_arn = lambda_client.create_function(
        FunctionName="products",
        Runtime="python3.12",
        Role=role_arn,
        Handler="products.handler",
        Code={"ZipFile": package},
        Environment={"Variables": {"TABLE_NAME": "products"}},
    )["FunctionArn"]
    lambda_client.get_waiter("function_active_v2").wait(FunctionName="products")

    apigateway = boto3.client("apigateway", region_name=REGION)
    api_id = apigateway.create_rest_api(name="products-api")["id"]
    parent_id = apigateway.get_resources(restApiId=api_id)["items"][0]["id"]  # "/"
    uri = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    for part, methods in ROUTES.items():
        # {productId} goes under products, which goes under the root.
        parent_id = apigateway.create_resource(restApiId=api_id, parentId=parent_id, pathPart=part)[
            "id"
        ]
        for method in methods:
            apigateway.put_method(
                restApiId=api_id,
                resourceId=parent_id,
                httpMethod=method,
                authorizationType="NONE",
            )
            apigateway.put_integration(
                restApiId=api_id,
                resourceId=parent_id,
                httpMethod=method,
                type="AWS_PROXY",
                integrationHttpMethod="POST",  # Lambda's Invoke API, whatever the client sent
                uri=uri,
            )

    lambda_client.add_permission(
        FunctionName="products",
        StatementId="products-api-invoke",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:{REGION}:{account_id}:{api_id}/*",
    )
    apigateway.create_deployment(restApiId=api_id, stageName="prod")
    return api_id
