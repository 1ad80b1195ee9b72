"""One check module per exercise: `EXERCISE`, `CASES` and `session(folder, runner)` (see
`course_cli.grader.cases`)."""
