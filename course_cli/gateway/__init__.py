"""API Gateway's REST API data plane, in pure Python.

This package knows nothing of moto, boto3 or the CLI: it sees a frozen `ApiDefinition`, an
HTTP request and an invoker that runs Lambda functions, and answers what API Gateway answers.
Its modules, in the order a request meets them: docs/architecture.md.
"""
