"""One of `course grade`'s grading processes: runs `check_exercise` on staged submissions,
each submission's code in an isolated worker below it, as under `course check`.

Protocol, in frames (`runtime.worker.framing`) on two private pipes: the parent sends
`{"exercise": ID, "folder": PATH}`, the process answers `{"result": {...}}`, or
`{"failure": "..."}` when the grader itself failed. End of file on the request pipe ends it.
"""

from __future__ import annotations

import os
import signal
import sys
import traceback
from pathlib import Path
from types import FrameType

_MAX_REQUEST_BYTES = 1 << 20


def serve(request_fd: int, reply_fd: int, isolation: str = "none") -> None:
    """Answer grading requests until the parent closes the request pipe, each submission's
    code behind `isolation` (`runtime.worker.isolation.Isolation`)."""
    from course_cli.grader.checking import check_exercise
    from course_cli.grader.isolated_runner import default_runner
    from course_cli.runtime.worker.framing import PeerGone, read_frame, write_frame
    from course_cli.runtime.worker.process import Limits

    while True:
        try:
            request = read_frame(request_fd, max_bytes=_MAX_REQUEST_BYTES)
        except PeerGone:
            return
        if request is None:
            return
        try:
            result = check_exercise(
                str(request["exercise"]),
                Path(str(request["folder"])),
                include_hidden=True,
                runner=default_runner(Limits(isolation=isolation)),
            )
        except Exception as error:  # ours, not the learner's: report it, keep serving
            where = traceback.extract_tb(error.__traceback__)[-1]
            write_frame(
                reply_fd,
                {"failure": f"{type(error).__name__}: {error} ({where.filename}:{where.lineno})"},
            )
            continue
        write_frame(reply_fd, {"result": result.to_json()})


def _stop(signum: int, frame: FrameType | None) -> None:
    # SystemExit unwinds through check_exercise's `finally`, which ends the learner's workers.
    raise SystemExit(128 + signum)


def main(argv: list[str]) -> None:
    """Entry point: `grading_process REQUEST_FD REPLY_FD [ISOLATION]`."""
    signal.signal(signal.SIGTERM, _stop)
    # Ctrl-C belongs to `course grade`, which stops its grading processes itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    request_fd, reply_fd = int(argv[1]), int(argv[2])
    isolation = argv[3] if len(argv) > 3 else "none"
    try:
        serve(request_fd, reply_fd, isolation)
    finally:
        os.close(request_fd)
        os.close(reply_fd)


if __name__ == "__main__":
    main(sys.argv)
