"""The execution log, line for line as `test-invoke-method` and CloudWatch show it (spec §4).

Each line is `<timestamp> : <message>`; maps print Java-style, `{k=v, k2=v2}`. AWS cuts every
message after 1,024 characters and appends ` [TRUNCATED]` (as recorded AWS logs show). The
learner's explanations are kept apart from AWS's own lines.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import Final

MESSAGE_LIMIT: Final = 1024
_DAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS: Final = tuple("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())


Message = str | Callable[[], str]


def format_log_time(epoch_s: float) -> str:
    """`Thu Nov 26 13:05:12 UTC 2026`: Java's Date.toString in UTC, English names always."""
    t = time.gmtime(epoch_s)
    return (
        f"{_DAYS[t.tm_wday]} {_MONTHS[t.tm_mon - 1]} {t.tm_mday:02d} "
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} UTC {t.tm_year}"
    )


def format_request_time(epoch_s: float) -> str:
    """`15/May/2020:06:01:09 +0000`, the proxy event's requestTime, English month always."""
    t = time.gmtime(epoch_s)
    return (
        f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year}:"
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"
    )


def java_map(pairs: Iterable[tuple[str, object]]) -> str:
    """A map the way Java prints it: `{userId=123, include=orders}`; None prints as `null`."""
    return "{" + ", ".join(f"{k}={'null' if v is None else v}" for k, v in pairs) + "}"


def truncate(message: str) -> str:
    """`message` cut the way AWS cuts a log message."""
    if len(message) <= MESSAGE_LIMIT:
        return message
    return message[:MESSAGE_LIMIT] + " [TRUNCATED]"


class ExecutionLog:
    """AWS's execution-log lines for one request, plus the learner's explanations."""

    __slots__ = ("_entries", "at", "explanations")

    def __init__(self, at: float = 0.0) -> None:
        # (time, messages) per `add` call.
        self._entries: list[tuple[float, tuple[Message, ...]]] = []
        self.explanations: list[str] = []
        # The time stamped on lines added from now on; the pipeline moves it between stages.
        self.at = at

    def add(self, *messages: Message) -> None:
        """Log `messages` at time `self.at`; a callable is rendered when the log is read, so it
        must capture only values that do not change (and never the invocation: a cycle)."""
        self._entries.append((self.at, messages))

    def explain(self, text: str) -> None:
        """Add a plain-words explanation for the learner (never one of AWS's lines)."""
        self.explanations.append(text)

    @property
    def messages(self) -> list[str]:
        """The messages without timestamps, truncated as AWS truncates them."""
        return [message for _, message in self._render()]

    @property
    def lines(self) -> list[str]:
        """The full lines, `<timestamp> : <message>`."""
        return [f"{stamp} : {message}" for stamp, message in self._render()]

    def _render(self) -> list[tuple[str, str]]:
        rendered = []
        for at, messages in self._entries:
            stamp = format_log_time(at)
            for message in messages:
                rendered.append(
                    (stamp, truncate(message if isinstance(message, str) else message()))
                )
        return rendered

    def __iter__(self) -> Iterator[str]:
        return iter(self.lines)

    def __len__(self) -> int:
        return sum(len(messages) for _, messages in self._entries)

    def __str__(self) -> str:
        return "\n".join(self.lines)
