"""course: the hands-on companion for "Connecting API Gateway to Lambda" (lesson-3).

Importing this package is cheap on purpose: `course --help` must not pull in boto3, moto or
the Jupyter stack. Heavy modules are imported inside the functions that need them.
"""

from __future__ import annotations

__version__ = "0.1.0"
