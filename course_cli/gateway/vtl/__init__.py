"""Mapping templates rendered the way API Gateway renders them (spec: shared/specs/vtl.md).

```python
rendered = render_template(text, TemplateData(body='{"name": "lamp"}'))
rendered.output          # the text the template printed
rendered.warnings        # e.g. "#macro does not run on API Gateway ..."
rendered.context         # $context after the render (requestOverride / responseOverride)
```

The modules, from the caller down: `render` (one render, and its errors in the learner's
words), `engine` (airspeed taught API Gateway's Velocity; templates compiled once),
`members` (what `$x.name` may reach), `variables` (`$input`, `$util`), `values` (Java's
printing, methods and arithmetic), `limits` (AWS's limits and ours). `preview` serves
`course vtl` and `%%vtl`. No module here imports airspeed before a template is compiled.
"""

from course_cli.gateway.vtl.render import (
    Rendered,
    TemplateData,
    TemplateError,
    TemplateLimitError,
    TemplateTooLarge,
    json_problem,
    render_template,
)

__all__ = [
    "Rendered",
    "TemplateData",
    "TemplateError",
    "TemplateLimitError",
    "TemplateTooLarge",
    "json_problem",
    "render_template",
]
