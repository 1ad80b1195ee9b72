"""The cases issue 19 found by hand, each with the answer it must get."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.fuzz.conftest import Run

# The fuzz suite runs in the full suite (CI's); the quick loop leaves it out: it starts
# `course` in a subprocess for most cases, and hypothesis tries hundreds of inputs.
pytestmark = pytest.mark.slow

OK_HANDLER = 'def handler(event, context):\n    return {"statusCode": 200, "body": "hi"}\n'
LOOP_HANDLER = "def handler(event, context):\n    while True:\n        pass\n"


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _text(content: str) -> Callable[[Path], None]:
    return lambda path: path.write_text(content, encoding="utf-8")


def _bytes(content: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(content)


@dataclass(frozen=True)
class Case:
    """`course ARGS` in a folder holding `files`; `{dir}` in ARGS is that folder."""

    name: str
    args: tuple[str, ...]
    codes: tuple[int, ...]
    says: str = ""  # in stdout or stderr
    files: dict[str, Callable[[Path], None]] = field(default_factory=dict)


# `course vtl`: AWS's template limits, and files that are not templates.
VTL_CASES = [
    Case("not utf-8", ("vtl", "{dir}/t.vtl"), (2,), "not UTF-8", {"t.vtl": _bytes(b"\xff")}),
    Case("a fifo", ("vtl", "{dir}/t.vtl"), (2,), "not a regular file", {"t.vtl": _fifo}),
    Case("/dev/zero", ("vtl", "{dir}/t.vtl"), (2,), "not a regular file", {"t.vtl": _zero}),
    Case("a folder", ("vtl", "{dir}"), (2,), "cannot read"),
    Case("missing", ("vtl", "{dir}/nope.vtl"), (2,), "cannot read"),
    Case(
        "5,000 nested #if",
        ("vtl", "{dir}/t.vtl"),
        (2,),
        "",
        {"t.vtl": _text("#if(true)" * 5000 + "x" + "#end" * 5000)},
    ),
    Case(
        "5,000 parentheses",
        ("vtl", "{dir}/t.vtl"),
        (2,),
        "",
        {"t.vtl": _text("$util.escapeJavaScript(" + "(" * 5000 + "1" + ")" * 5001)},
    ),
    Case(
        "a 60,000-digit --body",
        ("vtl", "{dir}/t.vtl", "--body", "9" * 60_000),
        (2,),
        "4,300 digits",
        {"t.vtl": _text("$input.json('$')")},
    ),
    Case(
        "#foreach over two billion",
        ("vtl", "{dir}/t.vtl"),
        (1,),
        "",
        {"t.vtl": _text("#foreach($i in [1..2000000000])$i,#end")},
    ),
    Case(
        "a string doubled 1,000 times",
        ("vtl", "{dir}/t.vtl"),
        (1, 2),
        "",
        {"t.vtl": _text('#set($s = "ab")#foreach($i in [1..1000])#set($s = "$s$s")#end$s')},
    ),
    Case(
        "over 300 KB",
        ("vtl", "{dir}/t.vtl"),
        (2,),
        "300",
        {"t.vtl": _text("x" * (300 * 1024 + 1))},
    ),
    Case(
        "a macro calling itself",
        ("vtl", "{dir}/t.vtl"),
        (1, 2),
        "",
        {"t.vtl": _text("#macro(m)#m()#end#m()")},
    ),
    Case(
        "deep --body",
        ("vtl", "{dir}/t.vtl", "--body", "[" * 100_000),
        (0, 1, 2),
        "",
        {"t.vtl": _text("$input.json('$')")},
    ),
    Case("bad --header", ("vtl", "{dir}/t.vtl", "-H", "no colon"), (2,), "", {"t.vtl": _text("")}),
]

# `course invoke` and `course event`: options Lambda and API Gateway would refuse.
INVOKE_CASES = [
    *(
        Case(
            f"--timeout {value}",
            ("invoke", "{dir}/h.py", "--timeout", value),
            (2,),
            "Lambda's limit",
            {"h.py": _text(LOOP_HANDLER)},
        )
        for value in ("-1", "0", "nan", "inf", "-inf", "901", "1e400")
    ),
    Case("no such handler", ("invoke", "{dir}/nope.py"), (2,), ""),
    Case("a handler folder", ("invoke", "{dir}"), (2,), ""),
    Case(
        "a handler that is not utf-8",
        ("invoke", "{dir}/h.py"),
        (2,),
        "",
        {"h.py": _bytes(b"x = '\xff'\n")},
    ),
    Case("a handler fifo", ("invoke", "{dir}/h.py"), (2,), "", {"h.py": _fifo}),
    Case("a handler /dev/zero", ("invoke", "{dir}/h.py"), (2,), "", {"h.py": _zero}),
    Case(
        "an empty function name", ("invoke", "{dir}/h.py:"), (2,), "", {"h.py": _text(OK_HANDLER)}
    ),
    Case(
        "a function name that is no name",
        ("invoke", "{dir}/h.py:1-x"),
        (2,),
        "",
        {"h.py": _text(OK_HANDLER)},
    ),
    Case(
        "a route table fifo",
        ("invoke", "--api", "{dir}/r.json"),
        (2,),
        "",
        {"r.json": _fifo},
    ),
    Case(
        "a route table of NaN",
        ("invoke", "--api", "{dir}/r.json"),
        (2,),
        "not a Lambda timeout",
        {
            "r.json": _text(
                json.dumps(
                    {"functions": {"f": {"handler": "h.py", "timeout": 1}}, "routes": []}
                ).replace("1}", "NaN}")
            )
        },
    ),
    Case("a method", ("event", "-X", "BREW"), (2,), "unknown HTTP method"),
    Case("a path", ("event", "--path", "users"), (2,), "must start with '/'"),
    Case("a header", ("event", "-H", "X-Y"), (2,), "malformed --header"),
    Case("a query", ("event", "-q", "=x"), (2,), "malformed --query"),
    Case("a query twice", ("event", "--path", "/a?b=1", "-q", "c=2"), (2,), "not both"),
    Case("a resource", ("event", "--path", "/a", "-r", "{x}"), (2,), ""),
]


def _prepare(case: Case, folder: Path) -> list[str]:
    for name, make in case.files.items():
        make(folder / name)
    return [arg.replace("{dir}", str(folder)) for arg in case.args]


@pytest.mark.parametrize("case", VTL_CASES + INVOKE_CASES, ids=lambda case: case.name)
def test_a_known_case_gets_its_answer(course_process: Run, tmp_path: Path, case: Case) -> None:
    # In a process of its own: before the fixes, several of these hung or ran out of memory.
    answer = course_process(*_prepare(case, tmp_path))
    answer.assert_contract(*case.codes)
    assert case.says in answer.stdout + answer.stderr


# Handlers that end the process they run in: AWS's Runtime.ExitError, and a 502.
EXITING = {
    "os._exit(3)": "exit status 3",
    "ctypes.string_at(0)": "signal: segmentation fault",
    "os.kill(os.getpid(), signal.SIGKILL)": "signal: killed",
    "os.kill(os.getpid(), signal.SIGTERM)": "signal: terminated",
    "os.abort()": "signal: aborted",
}


@pytest.mark.parametrize("call", EXITING)
def test_a_handler_ending_its_process_is_a_502(
    course_process: Run, tmp_path: Path, call: str
) -> None:
    handler = tmp_path / "h.py"
    handler.write_text(
        f"import ctypes, os, signal\ndef handler(event, context):\n    print('bye')\n    {call}\n"
    )
    answer = course_process("invoke", str(handler), "--json")
    answer.assert_contract(1)
    document = json.loads(answer.stdout)
    assert document["response"]["statusCode"] == 502
    assert json.loads(document["response"]["body"]) == {"message": "Internal server error"}
    log = "\n".join(document["functionLog"])
    assert f"Runtime exited with error: {EXITING[call]}" in log and "bye" in log
    assert "ended the process" in " ".join(document["explanations"])


def test_a_handler_ending_its_process_at_import_is_a_usage_error(
    course_process: Run, tmp_path: Path
) -> None:
    handler = tmp_path / "h.py"
    handler.write_text("import os\nos._exit(5)\n")
    course_process("invoke", str(handler)).assert_contract(2)


@pytest.mark.slow  # a second or more each: large answers, timeouts
def test_a_7_mb_answer_is_lambdas_502(course_process: Run, tmp_path: Path) -> None:
    handler = tmp_path / "h.py"
    handler.write_text(
        "def handler(event, context):\n    return {'statusCode': 200, 'body': 'x' * 7_000_000}\n"
    )
    answer = course_process("invoke", str(handler), "--json")
    answer.assert_contract(1)
    assert json.loads(answer.stdout)["response"]["statusCode"] == 502


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (_bytes(os.urandom(64) + b"\xff"), "not UTF-8"),
        (_fifo, "not a regular file"),
        (_zero, "not a regular file"),
        (_text("[" * 100_000), "nesting too deep"),
        (_text('{"format_version": 1, "lessons": {}, "exercises": {"x": 5}}'), "exercise 'x'"),
    ],
)
@pytest.mark.parametrize("command", [("status",), ("next",), ("hint", "03-fix-the-502")])
def test_a_progress_file_that_is_not_one_is_set_aside(
    course_process: Run,
    course_home: Path,
    make: Callable[[Path], None],
    says: str,
    command: tuple[str, ...],
) -> None:
    make(course_home / "progress.json")
    answer = course_process(*command)
    answer.assert_contract(0)
    assert says in answer.stderr and "kept it as progress.json.corrupt-" in answer.stderr


# Handlers found by fuzzing `course invoke`: each still gets AWS's answer, in bounded time.
ODD_HANDLERS = {
    "an exception whose str() raises": (
        "class E(Exception):\n    def __str__(self):\n        raise ValueError\n"
        "def handler(event, context):\n    raise E()\n",
        502,
        "<exception str() failed>",
    ),
    "10 MB of print()": (
        "def handler(event, context):\n    for _ in range(20_000):\n        print('x' * 500)\n"
        "    return {'statusCode': 200, 'body': 'ok'}\n",
        200,
        "[output truncated",
    ),
    "a fork that outlives the handler": (
        "import os, time\ndef handler(event, context):\n"
        "    if os.fork() == 0:\n        time.sleep(30)\n        os._exit(0)\n    os._exit(1)\n",
        502,
        "exit status 1",
    ),
    "SIGALRM blocked, then a loop": (
        "import signal\ndef handler(event, context):\n"
        "    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])\n    while True:\n"
        "        pass\n",
        502,
        "Task timed out after 1.00 seconds",
    ),
    "a 200 MB body": (
        "def handler(event, context):\n    return {'statusCode': 200, 'body': 'x' * 200_000_000}\n",
        502,
        "",
    ),
}


@pytest.mark.slow  # a second or more each: large answers, timeouts
@pytest.mark.parametrize("name", ODD_HANDLERS)
def test_an_odd_handler_gets_aws_answer(course_process: Run, tmp_path: Path, name: str) -> None:
    source, status, logged = ODD_HANDLERS[name]
    handler = tmp_path / "h.py"
    handler.write_text(source)
    answer = course_process("invoke", str(handler), "--json", "--timeout", "1")
    answer.assert_contract(0 if status < 500 else 1)
    document = json.loads(answer.stdout)
    assert document["response"]["statusCode"] == status
    assert logged in "\n".join(document["functionLog"])
