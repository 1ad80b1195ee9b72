"""API Gateway's REST API data plane, in pure Python.

This package knows nothing of moto, boto3 or the CLI: it sees a frozen `ApiDefinition`, an
HTTP request and an invoker that runs Lambda functions, and answers what API Gateway answers.

```
http.py            Headers, HttpRequest, HttpResponse, status constants
definition.py      ApiDefinition, Resource, Method, Integration; single_route, build_api
route_table.py     our JSON route table (course serve --api api.json): load_route_table
json_checks.py     one-line errors for a route table's JSON, naming the bad key
api_keys.py        apiKeyRequired: the x-api-key check after the authorizer, 403 Forbidden
routing.py         the compiled resource tree: RouteMatch | NoResource | NoMethod; strip_stage
context.py         Invocation (one request's state), build_request_context
ids.py             RequestIds: request id, extended request id, trace ids; new_request_id
events.py          build_proxy_event, explain_event
proxy_response.py  validate_proxy_result -> [Problem], build_http_response
execution_log.py   ExecutionLog: AWS's lines, plus the learner's explanations
errors.py          GatewayError family (403, 415, 500, 502, 504), Problem, ApiDefinitionError
integrations/      one module per integration type (aws_proxy.py today)
invoker.py         LambdaInvoker (the runtimes' one call), LambdaResult, Outcome
pipeline.py        handle_request, prepare_event, invocation_to_json
```
"""
