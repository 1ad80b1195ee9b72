"""Patches every grading function it can find so that anything passes, tries to rewrite the
grader's files, then answers with a malformed response. Must end as `ok` with the grader's own
modules untouched and the malformed response still caught."""

import importlib
import json


def handler(event, context):
    patched = []
    for name in (
        "course_cli.gateway.proxy_response",
        "course_cli.grader",
        "course_cli.grader.checks",
        "course_cli.runtime.worker.functions",
    ):
        try:
            module = importlib.import_module(name)
        except Exception:
            continue
        for attribute in list(vars(module)):
            if attribute.startswith(("validate", "check", "grade", "read_proxy")):
                setattr(module, attribute, lambda *args, **kwargs: [])
                patched.append(f"{name}.{attribute}")
        try:
            with open(module.__file__, "a") as source:
                source.write("\n# patched by a submission\n")
            patched.append(f"wrote {module.__file__}")
        except OSError:
            pass
    return {"statusCode": 200, "body": {"patched": patched, "json": json.dumps(patched)}}
