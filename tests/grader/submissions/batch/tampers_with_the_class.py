"""Tries, while it loads, to change other people's grades: it appends a fake passing line to
every results file it can find, overwrites every other handler.py below the temporary folders,
and edits the reference solutions. Every write must be refused; it then answers every request
with 200 and a string body, so it must end as `failed` with no other result changed."""

import glob
import importlib.util
import os
from pathlib import Path

FAKE = '{"learner": "alice", "exercise": "03-fix-the-502", "status": "passed"}\n'
refused = []


def attempt(path, text, mode="a"):
    try:
        with open(path, mode) as target:
            target.write(text)
    except OSError as error:
        refused.append((path, type(error).__name__))


seen = 0
for folder, dirs, files in os.walk("/tmp"):
    seen += 1
    if seen > 5000:  # enough to reach the grader's folders; bounded on a busy machine
        break
    for name in files:
        path = os.path.join(folder, name)
        if name == "results.jsonl":
            attempt(path, FAKE)
        elif name == "handler.py" and Path(path).resolve() != Path(__file__).resolve():
            attempt(path, "def handler(event, context):\n    return {}\n", mode="w")
spec = importlib.util.find_spec("course_cli")
if spec is not None and spec.origin:
    repo = Path(spec.origin).resolve().parent.parent
    for solution in glob.glob(str(repo / "solutions" / "*" / "*")):
        attempt(solution, "\n# tampered\n")
for parent in Path.cwd().parents:
    attempt(str(parent / "tampered.txt"), "x", mode="w")


def handler(event, context):
    return {"statusCode": 200, "body": "refused: " + str(len(refused))}
