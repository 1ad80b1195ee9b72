"""`python -m course_cli` and the `course` console script are the same program."""

from __future__ import annotations

from course_cli.cli import main

if __name__ == "__main__":
    main()
