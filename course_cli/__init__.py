"""course: the hands-on companion for "Connecting API Gateway to Lambda" (lesson-3).

Importing this package is cheap on purpose: `course --help` must not pull in boto3, moto or
the Jupyter stack. Heavy modules are imported inside the functions that need them.
"""

from __future__ import annotations

__version__ = "0.1.0"


def load_ipython_extension(ipython: object) -> None:
    """`%load_ext course_cli`: the notebook magics (see `course_cli.notebook`)."""
    from course_cli.notebook import load_ipython_extension as load

    load(ipython)
