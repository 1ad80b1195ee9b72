"""Exercise 01-integration-types: pick the integration, then wire a MOCK health check.

Part 1. For each situation below, choose how the API Gateway method should reach its backend.
Write one of "AWS_PROXY", "AWS", "HTTP_PROXY", "HTTP" or "MOCK" as the value.

Part 2. `HEALTH_CHECK` is the integration of `GET /health`, written with the keys
`put_integration` and `put_integration_response` use. Make it answer 200 with the body
{"status": "ok"} without calling any backend.

Check your answers with `course check 01-integration-types`.
"""

CHOICES = {
    # A new orders service: a fresh Lambda function that reads the HTTP request itself.
    "new-orders-function": "TODO",
    # A ten-year-old Lambda function whose input format no one may change, behind a new API.
    "legacy-billing-function": "TODO",
    # A partner's weather web service, published through your API exactly as it is.
    "partner-weather-service": "TODO",
    # An existing web service whose field names differ from the ones your clients send.
    "inventory-service-renamed-fields": "TODO",
    # The mobile team needs /menu to answer a fixed document before any backend exists.
    "menu-prototype": "TODO",
    # The public contract of the API must not move while the function behind it is rewritten.
    "stable-contract-function": "TODO",
}

# TODO: choose the integration type and write the two templates.
HEALTH_CHECK = {
    "type": "TODO",
    "requestTemplates": {"application/json": "TODO"},
    "integrationResponses": [
        {"statusCode": "200", "responseTemplates": {"application/json": "TODO"}},
    ],
}
