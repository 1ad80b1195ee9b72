"""SAM templates served on this machine: `course serve -t` and `course invoke -t`.

`template` reads the YAML (short tags, parameters), `translate` expands it with AWS's SAM
translator, `intrinsics` and `resources` give its resources local names and values, `apis`
reads its APIs into one `ApiDefinition`, `app` gathers it all in a `SamApp`, and `live` runs
it: functions in-process, each with its own variables, tables in the sandbox.
"""
