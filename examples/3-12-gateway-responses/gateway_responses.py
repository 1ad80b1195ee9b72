CORS = {
    "gatewayresponse.header.Access-Control-Allow-Origin": "'https://shop.example.com'",
    "gatewayresponse.header.Access-Control-Allow-Headers": "'Content-Type,Authorization'",
}


def cors_on_gateway_errors(region, api_id):
    import boto3

    apigateway = boto3.client("apigateway", region_name=region)
    for response_type in ("DEFAULT_4XX", "DEFAULT_5XX"):
        apigateway.put_gateway_response(
            restApiId=api_id, responseType=response_type, responseParameters=CORS
        )
    apigateway.put_gateway_response(  # no such route: 404, not 403
        restApiId=api_id,
        responseType="MISSING_AUTHENTICATION_TOKEN",
        statusCode="404",
        responseParameters=CORS,
        responseTemplates={"application/json": '{"message": "Not Found"}'},
    )
    apigateway.create_deployment(restApiId=api_id, stageName="prod")
