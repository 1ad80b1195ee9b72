"""The isolated worker: learners' code in a child process, behind limits and, for grading, walls.

The parent's side: `functions` (`IsolatedRuntime`, a `LambdaInvoker`), `scripts` (`run_script`,
`run_module`), `process` (one worker's start, pipes and end), `folder` (what it is given).
The child's side: `child` (the process itself), `guard` (limits and audit hook), `isolation`
(the kernel's walls), `relay` (its one way to moto). Between them: `framing`.
"""
