"""The isolated worker: hostile submissions end as the right kind, and the grader lives on.

Each hostile fixture in `tests/grader/submissions/hostile/` is copied into a submission folder
as `handler.py`, next to a well-behaved `normal.py`; after the hostile invocation, the same
runtime must still grade `normal` correctly (on a fresh worker where the old one was ended).
"""

from __future__ import annotations

import dataclasses
import json
import os
import resource
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from course_cli.gateway import proxy_response
from course_cli.gateway.invoker import FunctionNotFound, Outcome
from course_cli.runtime.worker.functions import IsolatedRuntime
from course_cli.runtime.worker.isolation import namespaces_problem
from course_cli.runtime.worker.process import Limits
from course_cli.runtime.worker.results import IsolatedResult, ResultKind
from course_cli.runtime.worker.scripts import ScriptKind, run_module, run_script

HOSTILE = Path(__file__).resolve().parents[1] / "grader" / "submissions" / "hostile"
LIMITS = Limits(
    memory_mb=256,
    cpu_s=10,
    processes=8,
    output_bytes=64 * 1024,
    grace_s=0.5,
    script_timeout_s=2.0,
)
TIMEOUT_S = 1.0

NORMAL = """
def handler(event, context):
    name = (event.get("queryStringParameters") or {}).get("name", "world")
    return {"statusCode": 200, "body": "hello " + name}
"""


def write(folder: Path, name: str, source: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def parent_of_workers() -> int:
    """The worker's parent as the worker sees it: this process, or in its own pid namespace
    bubblewrap's init, pid 1 there (nothing outside is even visible)."""
    return 1 if _MODE[0] == "namespaces" else os.getpid()


_MODE = ["none"]


def limits(**changes: object) -> Limits:
    """`LIMITS` (or, with `changes`, the defaults so changed) in this test's isolation."""
    base = Limits(**changes) if changes else LIMITS  # type: ignore[arg-type]
    return dataclasses.replace(base, isolation=_MODE[0])


# Both are product modes (`course check`: none; `course grade`: namespaces); the quick loop
# (`-m "not slow"`) runs each behaviour once, in `none`, and the full suite runs both.
@pytest.fixture(autouse=True, params=["none", pytest.param("namespaces", marks=pytest.mark.slow)])
def worker_start(request: pytest.FixtureRequest) -> Iterator[str]:
    """Every test in both product modes: the learner's own code (`course check`: a child
    process and its limits) and an untrusted submission (`course grade`: the same child in
    its own namespaces). Hostile code must end as the same kind of result in both."""
    if request.param == "namespaces":
        problem = namespaces_problem()
        if problem is not None:
            pytest.skip(f"no namespaces on this machine: {problem}")
    _MODE[0] = str(request.param)
    yield str(request.param)
    _MODE[0] = "none"


@pytest.fixture
def submission(tmp_path: Path) -> Path:
    folder = tmp_path / "submission"
    folder.mkdir()
    write(folder, "normal.py", NORMAL)
    return folder


def runtime_with(submission: Path, fixture: str, **kwargs: object) -> IsolatedRuntime:
    shutil.copyfile(HOSTILE / f"{fixture}.py", submission / "handler.py")
    return IsolatedRuntime(
        {"hostile": "handler.py", "normal": "normal.py"},
        limits=limits(),
        workdir=submission,
        **kwargs,  # type: ignore[arg-type]
    )


def assert_still_grading(runtime: IsolatedRuntime) -> None:
    """The parent is fine, and a normal submission still gets its exact result."""
    result = runtime("normal", {"queryStringParameters": {"name": "Ada"}}, timeout_s=TIMEOUT_S)
    assert result.kind is ResultKind.OK, result
    assert json.loads(result.payload) == {"statusCode": 200, "body": "hello Ada"}
    assert result.value == {"statusCode": 200, "body": "hello Ada"}


@pytest.fixture
def hostile(submission: Path, request: pytest.FixtureRequest) -> Iterator[IsolatedRuntime]:
    runtime = runtime_with(submission, request.param)
    try:
        yield runtime
        assert_still_grading(runtime)
    finally:
        runtime.close()


def invoke(runtime: IsolatedRuntime, event: object = None) -> IsolatedResult:
    started = time.monotonic()
    result = runtime("hostile", event if event is not None else {}, timeout_s=TIMEOUT_S)
    # Whatever the submission does, the grader gets its answer soon after the timeout.
    assert time.monotonic() - started < TIMEOUT_S + LIMITS.grace_s + 2.0
    return result


# --- the well-behaved path ---------------------------------------------------------------------


def test_a_normal_submission_runs_in_its_own_folder_with_only_the_given_environment(
    submission: Path,
) -> None:
    write(
        submission,
        "where.py",
        """
        import os, sys
        print("loading")
        def handler(event, context):
            print("called with", event)
            return {"cwd": os.getcwd(), "home": os.environ["HOME"], "env": sorted(os.environ),
                    "pid": os.getpid(), "ppid": os.getppid(), "region": os.environ["AWS_REGION"]}
        """,
    )
    with IsolatedRuntime(
        {"where": "where.py"},
        limits=limits(),
        workdir=submission,
        env={"AWS_REGION": "eu-west-1"},
        function_env={"where": {"AWS_REGION": "us-east-1"}},
    ) as runtime:
        first = runtime("where", {"n": 1})
        second = runtime("where", {"n": 2})
    assert first.kind is ResultKind.OK and first.outcome is Outcome.OK
    value = first.value
    assert value["ppid"] == parent_of_workers() and value["pid"] != os.getpid()
    assert value["cwd"].startswith(value["home"].rpartition("/")[0])
    assert str(submission) not in value["cwd"]
    assert value["region"] == "us-east-1"
    assert set(value["env"]) <= {
        "PATH",
        "LANG",
        "HOME",
        "TMPDIR",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_EC2_METADATA_DISABLED",
        "NO_PROXY",
        "no_proxy",
        "AWS_REGION",
    }
    # One worker served both calls: the module loaded once (a cold start, then a warm one).
    assert second.value["pid"] == value["pid"] and runtime.starts == 1
    assert "loading" in first.logs and "Init Duration" in first.logs
    assert "called with {'n': 1}" in first.logs and "Init Duration" not in second.logs


def test_the_handler_s_own_exception_is_a_function_error_with_lambda_s_document(
    submission: Path,
) -> None:
    write(submission, "boom.py", "def handler(event, context):\n    raise ValueError('nope')\n")
    with IsolatedRuntime({"boom": "boom.py"}, limits=limits(), workdir=submission) as runtime:
        result = runtime("boom", {})
    assert result.kind is ResultKind.FUNCTION_ERROR and result.outcome is Outcome.ERROR
    assert result.error is not None
    assert result.error["errorType"] == "ValueError" and result.error["errorMessage"] == "nope"
    # The stack trace names the learner's own file, not the worker's copy of it.
    assert str(submission / "boom.py") in result.error["stackTrace"][0]


def test_an_unknown_function_is_function_not_found(submission: Path) -> None:
    with IsolatedRuntime({"normal": "normal.py"}, limits=limits(), workdir=submission) as runtime:
        with pytest.raises(FunctionNotFound):
            runtime("missing", {})
        assert runtime.starts == 0


@pytest.mark.slow
def test_the_function_s_own_timeout_and_the_caller_giving_up(submission: Path) -> None:
    write(submission, "slow.py", "import time\ndef handler(e, c):\n    time.sleep(5)\n")
    with IsolatedRuntime({"slow": "slow.py"}, limits=limits(), workdir=submission) as runtime:
        timed_out = runtime("slow", {}, timeout_s=0.3)
        gave_up = runtime("slow", {}, timeout_s=3.0, wait_s=0.3)
    assert timed_out.kind is ResultKind.TIMEOUT and timed_out.outcome is Outcome.TIMEOUT
    assert timed_out.error is not None
    assert "Task timed out after 0.30 seconds" in timed_out.error["errorMessage"]
    assert gave_up.kind is ResultKind.NO_ANSWER and gave_up.payload == ""
    assert runtime.starts == 2  # a fresh worker after the timeout


@pytest.mark.slow
def test_the_worker_reaches_the_parent_s_moto_server_on_loopback(submission: Path) -> None:
    from course_cli.sandbox.session import Sandbox

    write(
        submission,
        "put.py",
        """
        import boto3
        def handler(event, context):
            table = boto3.resource("dynamodb").Table("products")
            table.put_item(Item={"id": event["id"], "name": "lamp"})
            return {"statusCode": 201, "body": event["id"]}
        """,
    )
    with Sandbox(server=True) as sandbox:
        sandbox.client("dynamodb").create_table(
            TableName="products",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        with IsolatedRuntime(
            {"put": "put.py"},
            limits=limits(grace_s=0.5),
            workdir=submission,
            env=sandbox.variables(),
        ) as runtime:
            result = runtime("put", {"id": "p1"}, timeout_s=10)
        assert result.kind is ResultKind.OK, result.payload
        # The parent inspects the table itself.
        assert sandbox.scan("products") == [{"id": "p1", "name": "lamp"}]
    assert result.refused_connections == ()


# --- hostile submissions ----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("hostile", ["infinite_loop"], indirect=True)
def test_infinite_loop_is_a_timeout(hostile: IsolatedRuntime) -> None:
    result = invoke(hostile)
    assert result.kind is ResultKind.TIMEOUT and result.outcome is Outcome.TIMEOUT
    assert "timeout" in result.message


@pytest.mark.slow
@pytest.mark.parametrize("hostile", ["cpu_spin_thread"], indirect=True)
def test_cpu_spin_thread_holding_the_gil_is_a_timeout_ended_by_the_parent(
    hostile: IsolatedRuntime,
) -> None:
    result = invoke(hostile)
    assert result.kind is ResultKind.TIMEOUT and result.outcome is Outcome.TIMEOUT
    assert "worker was stopped" in result.message


@pytest.mark.slow
def test_the_cpu_limit_ends_a_spin_the_wall_clock_would_not_yet(submission: Path) -> None:
    write(submission, "spin.py", "def handler(e, c):\n    sum(range(10**15))\n")
    with IsolatedRuntime(
        {"spin": "spin.py"}, limits=limits(cpu_s=1, grace_s=0.5), workdir=submission
    ) as runtime:
        started = time.monotonic()
        result = runtime("spin", {}, timeout_s=20)
    assert time.monotonic() - started < 5
    assert result.kind is ResultKind.TIMEOUT and result.outcome is Outcome.TIMEOUT
    assert "more than 1 s of CPU" in result.message


@pytest.mark.parametrize("hostile", ["memory_hog"], indirect=True)
def test_memory_hog_is_a_crash_out_of_memory(hostile: IsolatedRuntime) -> None:
    result = invoke(hostile)
    assert result.kind is ResultKind.CRASHED and result.crashed
    assert result.outcome is Outcome.ERROR and result.error is not None
    assert result.error["errorType"] == "Runtime.OutOfMemory"
    assert "256 MB" in result.message


def _group_members(pgid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        state, group = fields[0], int(fields[2])
        if group == pgid and state != "Z":
            members.append(int(entry.name))
    return members


def _descendants(root: int) -> list[int]:
    """`root` and every live process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if fields[0] != "Z":
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("hostile", ["fork_bomb"], indirect=True)
def test_fork_bomb_is_refused_beyond_the_limit_and_leaves_nothing_behind(
    hostile: IsolatedRuntime,
) -> None:
    result = invoke(hostile)
    assert result.kind is ResultKind.FUNCTION_ERROR and result.error is not None
    assert result.error["errorType"] == "BlockingIOError"
    worker = hostile._worker
    assert worker is not None
    members = _descendants(worker.process.pid)
    # The worker and its bounded children (and, namespaced, bubblewrap's init above them).
    assert 1 < len(members) <= LIMITS.processes + 2
    hostile.close()
    deadline = time.monotonic() + 2  # SIGKILL is delivered at once, the exit takes a moment
    while any(_alive(pid) for pid in members) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not any(_alive(pid) for pid in members)


@pytest.mark.parametrize("hostile", ["calls_sys_exit"], indirect=True)
def test_calls_sys_exit_while_loading_is_a_crash(hostile: IsolatedRuntime) -> None:
    result = invoke(hostile)
    assert result.kind is ResultKind.CRASHED and result.outcome is Outcome.ERROR
    assert result.error is not None and result.error["errorType"] == "Runtime.ExitError"
    assert "sys.exit()" in result.message and "line 5" in result.message


@pytest.mark.parametrize("hostile", ["calls_os_exit"], indirect=True)
def test_calls_os_exit_is_a_crash(hostile: IsolatedRuntime) -> None:
    result = invoke(hostile)
    assert result.kind is ResultKind.CRASHED and result.crashed
    assert result.error is not None and result.error["errorType"] == "Runtime.ExitError"
    assert "Runtime exited without providing a reason" in result.error["errorMessage"]


def test_a_worker_killed_by_a_signal_is_a_crash_naming_it(submission: Path) -> None:
    write(submission, "segv.py", "import os, signal\ndef handler(e, c):\n    os.abort()\n")
    with IsolatedRuntime({"segv": "segv.py"}, limits=limits(), workdir=submission) as runtime:
        result = runtime("segv", {})
    assert result.kind is ResultKind.CRASHED
    assert result.error is not None and "signal: aborted" in result.error["errorMessage"]


@pytest.mark.parametrize("hostile", ["kills_parent"], indirect=True)
def test_kills_parent_is_refused_and_the_parent_lives(hostile: IsolatedRuntime) -> None:
    result = invoke(hostile)
    assert result.kind is ResultKind.OK
    # Namespaced, its "parent" is bubblewrap's init (another user) and no group of it exists.
    second = "ProcessLookupError" if _MODE[0] == "namespaces" else "PermissionError"
    assert json.loads(result.value["body"]) == ["PermissionError", second]
    os.kill(os.getpid(), 0)  # still here


@pytest.mark.parametrize("hostile", ["prints_fake_pass"], indirect=True)
def test_prints_fake_pass_changes_nothing(hostile: IsolatedRuntime) -> None:
    result = invoke(hostile)
    assert result.kind is ResultKind.OK
    # The real return value, judged by the parent: still a malformed proxy response.
    assert result.value == {"statusCode": 200, "body": {"message": "not a string"}}
    problems = proxy_response.validate_proxy_result(result.value)
    assert [problem.field for problem in problems] == ["body"]
    assert '"status": "passed"' in result.logs  # shown to the learner as output, nothing more
    assert '"status": "passed"' in result.console


@pytest.mark.parametrize("hostile", ["huge_output"], indirect=True)
def test_huge_output_is_cut_and_costs_the_parent_no_memory(hostile: IsolatedRuntime) -> None:
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = invoke(hostile)
    assert result.kind is ResultKind.OK and result.value["body"] == "done"
    assert len(result.logs) < LIMITS.output_bytes + 4096
    assert "output truncated" in result.logs
    assert len(result.console) <= LIMITS.output_bytes
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) / 1024
    assert grown_mb < 20


@pytest.mark.parametrize("hostile", ["opens_network_socket"], indirect=True)
def test_opens_network_socket_is_refused_before_connecting(hostile: IsolatedRuntime) -> None:
    result = invoke(hostile)
    assert result.kind is ResultKind.FUNCTION_ERROR and result.error is not None
    assert result.error["errorType"] == "PermissionError"
    assert "beyond 127.0.0.1" in result.error["errorMessage"]
    assert result.refused_connections == ("getaddrinfo example.com", "connect 93.184.215.14:80")


@pytest.mark.parametrize("hostile", ["reads_real_credentials"], indirect=True)
def test_reads_real_credentials_finds_nothing_real(
    hostile: IsolatedRuntime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYREALLOOKING"
    real_home = tmp_path / "real-home"
    (real_home / ".aws").mkdir(parents=True)
    credentials = real_home / ".aws" / "credentials"
    credentials.write_text(
        f"[default]\naws_access_key_id = AKIAREALLOOKING0000\naws_secret_access_key = {secret}\n"
    )
    monkeypatch.setenv("HOME", str(real_home))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALLOOKING0000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    monkeypatch.setenv("AWS_PROFILE", "production")
    result = invoke(hostile, {"credentials_file": str(credentials)})
    assert result.kind is ResultKind.OK
    assert secret not in result.payload and "AKIAREALLOOKING" not in result.payload
    found = json.loads(result.value["body"])
    assert found["real"] == "refused: PermissionError"
    assert found["home"] == "" and found["boto3"] is None
    assert set(found["environment"]) == {
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_EC2_METADATA_DISABLED",
    }


@pytest.mark.parametrize("hostile", ["writes_outside_tmp"], indirect=True)
def test_writes_outside_tmp_are_refused(hostile: IsolatedRuntime, tmp_path: Path) -> None:
    victim = tmp_path / "other-submission" / "result.json"
    victim.parent.mkdir()
    victim.write_text('{"score": 7}')
    escaped = Path(os.path.realpath(os.environ.get("TMPDIR", "/tmp"))) / "escaped.txt"
    result = invoke(hostile, {"target": str(victim)})
    assert result.kind is ResultKind.FUNCTION_ERROR and result.error is not None
    # Namespaced, the other submission's folder is not even there to be written.
    refusal = "No such file" if _MODE[0] == "namespaces" else "Read-only file system"
    assert refusal in result.error["errorMessage"]
    assert victim.read_text() == '{"score": 7}'
    assert not escaped.exists() and not (Path("/tmp") / "escaped.txt").exists()


@pytest.mark.parametrize(
    ("hostile", "line", "words"),
    [
        ("syntax_error", 4, "syntax error in handler.py, line 4"),
        ("not_python", 1, "syntax error in handler.py, line 1"),
    ],
    indirect=["hostile"],
)
def test_code_that_does_not_compile_is_a_load_error_at_the_learner_s_line(
    hostile: IsolatedRuntime, line: int, words: str
) -> None:
    result = invoke(hostile)
    assert result.kind is ResultKind.LOAD_ERROR and result.outcome is Outcome.ERROR
    assert result.error is not None
    assert result.error["errorType"] == "Runtime.UserCodeSyntaxError"
    assert words in result.message
    assert result.location is not None
    assert Path(result.location[0]).name == "handler.py" and result.location[1] == line
    assert "course-worker" not in result.payload  # the learner's path, not the worker's copy


def test_an_import_error_is_a_load_error_at_the_learner_s_line(submission: Path) -> None:
    write(submission, "imports.py", "import json\nimport no_such_module\n")
    with IsolatedRuntime({"f": "imports.py"}, limits=limits(), workdir=submission) as runtime:
        result = runtime("f", {})
    assert result.kind is ResultKind.LOAD_ERROR
    assert result.location == (str(submission.resolve() / "imports.py"), 2)
    assert "imports.py failed at imports.py, line 2" in result.message


@pytest.mark.parametrize("hostile", ["empty"], indirect=True)
def test_empty_is_a_load_error(hostile: IsolatedRuntime) -> None:
    result = invoke(hostile)
    assert result.kind is ResultKind.LOAD_ERROR and result.error is not None
    assert result.error["errorType"] == "Runtime.HandlerNotFound"
    assert "defines neither 'handler' nor 'lambda_handler'" in result.message


@pytest.mark.parametrize("hostile", ["patches_grader"], indirect=True)
def test_patches_grader_changes_only_its_own_copy(hostile: IsolatedRuntime) -> None:
    sources = {
        name: Path(module.__file__ or "").read_bytes()
        for name, module in sys.modules.items()
        if name.startswith("course_cli.") and getattr(module, "__file__", None)
    }
    validate = proxy_response.validate_proxy_result
    result = invoke(hostile)
    assert result.kind is ResultKind.OK
    patched = result.value["body"]["patched"]
    assert "course_cli.gateway.proxy_response.validate_proxy_result" in patched
    assert not any(item.startswith("wrote") for item in patched)
    assert proxy_response.validate_proxy_result is validate
    assert proxy_response.validate_proxy_result(result.value)  # still malformed to us
    for name, source in sources.items():
        module_file = sys.modules[name].__file__
        assert module_file is not None and Path(module_file).read_bytes() == source, name


# --- scripts ----------------------------------------------------------------------------------


def test_a_script_runs_to_its_exit_status_with_its_output(submission: Path) -> None:
    script = write(
        submission,
        "deploy.py",
        """
        import sys
        print("creating the table")
        print("careful", file=sys.stderr)
        sys.exit(0 if sys.argv[1:] == ["--yes"] else 3)
        """,
    )
    ok = run_script(script, limits=limits(), args=["--yes"])
    failed = run_script(script, limits=limits())
    assert ok.kind is ScriptKind.OK and ok.exit_code == 0
    assert ok.stdout == "creating the table\n" and ok.stderr == "careful\n"
    assert failed.kind is ScriptKind.ERROR and failed.exit_code == 3
    assert failed.message == "deploy.py exited with status 3"


def test_a_script_s_exception_points_at_its_line(submission: Path) -> None:
    script = write(submission, "answers.py", "ANSWERS = {}\nANSWERS['q1'] = 1 / 0\n")
    result = run_script(script, limits=limits())
    assert result.kind is ScriptKind.ERROR and result.exit_code == 1
    assert result.location == (str(submission.resolve() / "answers.py"), 2)
    assert (
        result.message
        == "answers.py failed at answers.py, line 2: ZeroDivisionError: division by zero"
    )
    assert "ZeroDivisionError" in result.stderr


@pytest.mark.parametrize(
    ("fixture", "kind"),
    [
        ("infinite_loop", ScriptKind.OK),  # a script defining a handler does nothing at import
        ("syntax_error", ScriptKind.ERROR),
        ("calls_os_exit", ScriptKind.OK),
        ("calls_sys_exit", ScriptKind.OK),
    ],
)
def test_hostile_fixtures_as_scripts(submission: Path, fixture: str, kind: ScriptKind) -> None:
    script = submission / f"{fixture}.py"
    shutil.copyfile(HOSTILE / script.name, script)
    assert run_script(script, limits=limits()).kind is kind


@pytest.mark.slow
def test_a_script_that_never_ends_is_a_timeout_and_one_that_dies_a_crash(
    submission: Path,
) -> None:
    loop = write(submission, "loop.py", "while True:\n    pass\n")
    dies = write(submission, "dies.py", "import os\nprint('bye')\nos._exit(0)\n")
    started = time.monotonic()
    timed_out = run_script(loop, limits=limits())
    assert time.monotonic() - started < LIMITS.script_timeout_s + 2
    crashed = run_script(dies, limits=limits())
    assert timed_out.kind is ScriptKind.TIMEOUT and timed_out.exit_code is None
    assert crashed.kind is ScriptKind.CRASHED and crashed.stdout == "bye\n"


def test_a_script_s_huge_output_and_network_use_are_contained(submission: Path) -> None:
    script = write(
        submission,
        "noisy.py",
        """
        import socket, sys
        for _ in range(50 * 1024):
            sys.stdout.write("y" * 1023 + "\\n")
        try:
            socket.create_connection(("8.8.8.8", 53), timeout=5)
        except PermissionError:
            print("refused", file=sys.stderr)
        """,
    )
    result = run_script(script, limits=limits())
    assert result.kind is ScriptKind.OK and result.truncated
    assert len(result.stdout) <= LIMITS.output_bytes
    assert result.stderr == "refused\n"
    assert result.refused_connections == ("connect 8.8.8.8:53",)


def test_a_worker_left_behind_dies_with_its_parent(submission: Path, tmp_path: Path) -> None:
    """If the grader itself is killed, its worker does not live on (parent-death signal)."""
    marker = tmp_path / "worker.pid"
    program = textwrap.dedent(
        f"""
        import os, sys
        from pathlib import Path
        from course_cli.runtime.worker.functions import IsolatedRuntime
        from course_cli.runtime.worker.process import Limits
        runtime = IsolatedRuntime({{"n": "normal.py"}}, workdir=Path({str(submission)!r}))
        runtime.start()
        worker = runtime._worker
        Path({str(marker)!r}).write_text(f"{{worker.process.pid}} {{worker.folder.root}}")
        os.kill(os.getpid(), 9)
        """
    )
    subprocess.run([sys.executable, "-c", program], check=False, timeout=30)
    pid_text, folder = marker.read_text().split(" ", 1)
    pid = int(pid_text)
    deadline = time.monotonic() + 5
    while pid in _group_members(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pid not in _group_members(pid)
    # A grader killed outright cannot remove its worker's folder; the test does.
    shutil.rmtree(folder, ignore_errors=True)


def test_run_module_reads_public_names_or_calls_a_function(submission: Path) -> None:
    answers = write(
        submission,
        "answers.py",
        """
        import json
        CHOICES = {"legacy contract": "AWS"}
        HEALTH_CHECK = None
        _private = 1
        def helper(): pass
        if __name__ == "__main__":
            raise SystemExit("not run as a script")
        """,
    )
    deploy = write(
        submission,
        "deploy.py",
        """
        def deploy(package):
            return {"size": len(package), "head": package[:2]}
        def broken(package):
            return object()
        """,
    )
    names = run_module(answers, limits=limits())
    called = run_module(deploy, call="deploy", call_args=[b"PK\x03\x04"], limits=limits())
    missing = run_module(deploy, call="nope", limits=limits())
    unsendable = run_module(deploy, call="broken", call_args=[b""], limits=limits())
    assert names.kind is ScriptKind.OK
    assert names.value == {"CHOICES": {"legacy contract": "AWS"}, "HEALTH_CHECK": None}
    assert called.kind is ScriptKind.OK and called.value == {"size": 4, "head": b"PK"}
    assert (
        missing.kind is ScriptKind.ERROR and missing.message == "deploy.py has no function nope()"
    )
    assert unsendable.kind is ScriptKind.ERROR and "returned a object" in unsendable.message


def test_load_reports_a_broken_handler_before_any_invocation(submission: Path) -> None:
    write(submission, "broken.py", "import json\nvalue = json.loads('{')\n")
    write(submission, "exits.py", "import sys\nsys.exit(2)\n")
    functions = {"normal": "normal.py", "broken": "broken.py", "exits": "exits.py"}
    with IsolatedRuntime(functions, limits=limits(), workdir=submission) as runtime:
        assert runtime.load("normal") is None
        broken = runtime.load("broken")
        exits = runtime.load("exits")
        assert_still_grading(runtime)
    assert broken is not None and broken.kind is ResultKind.LOAD_ERROR
    assert broken.location == (str(submission.resolve() / "broken.py"), 2)
    assert "broken.py failed at broken.py, line 2" in broken.message
    assert exits is not None and exits.kind is ResultKind.CRASHED
    assert "called sys.exit() while loading" in exits.message


@pytest.mark.slow
def test_a_cold_start_s_init_is_not_cut_short_by_the_function_s_timeout(
    submission: Path,
) -> None:
    # The top level takes longer than the timeout and the parent's grace together: Lambda
    # gives it its own 10 s, so the worker must not be stopped at timeout + grace.
    write(submission, "slow.py", "import time\ntime.sleep(1.2)\n" + NORMAL)
    with IsolatedRuntime({"slow": "slow.py"}, limits=limits(), workdir=submission) as runtime:
        cold = runtime("slow", {}, timeout_s=0.3)
        warm = runtime("slow", {}, timeout_s=0.3)
    assert cold.kind is ResultKind.OK, cold
    assert "Init Duration" in cold.logs and cold.duration_ms < 300
    assert warm.kind is ResultKind.OK and runtime.starts == 1


def test_symlinks_in_a_submission_are_not_followed_when_copying(
    submission: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("the grader's secret")
    (submission / "notes.txt").symlink_to(secret)
    write(
        submission,
        "peek.py",
        """
        import os
        def handler(event, context):
            return {"listing": sorted(os.listdir(".")), "exists": os.path.exists("notes.txt")}
        """,
    )
    with IsolatedRuntime({"peek": "peek.py"}, limits=limits(), workdir=submission) as runtime:
        result = runtime("peek", {})
    assert result.value == {"listing": ["normal.py", "peek.py"], "exists": False}


def test_other_programs_cannot_be_started_where_the_os_does_not_confine_them(
    submission: Path, tmp_path: Path
) -> None:
    target = tmp_path / "escaped-by-shell.txt"  # in a folder only the grader's user may write
    write(
        submission,
        "shell.py",
        f"""
        import subprocess
        def handler(event, context):
            subprocess.run(["sh", "-c", "echo escaped > {target}"])
        """,
    )
    with IsolatedRuntime({"shell": "shell.py"}, limits=limits(), workdir=submission) as runtime:
        result = runtime("shell", {})
        own_user = runtime._worker is not None and runtime._worker.uid is not None
    if own_user:  # as root with a usable interpreter: the OS confines the shell instead
        assert result.kind is ResultKind.OK
    else:
        assert result.kind is ResultKind.FUNCTION_ERROR and result.error is not None
        assert "starting other programs is switched off" in result.error["errorMessage"]
    assert not target.exists()


def test_a_namespaced_worker_cannot_fill_the_disk(submission: Path) -> None:
    """Untrusted code writes only to memory of a bounded size: its folder and its /tmp."""
    if _MODE[0] != "namespaces":
        pytest.skip(
            "only a namespaced worker has a bounded folder (the learner's own code may write)"
        )
    write(
        submission,
        "fill.py",
        """
        import errno, os
        def handler(event, context):
            written, chunk = 0, b"x" * (1 << 20)
            for where in (".", "/tmp"):
                for n in range(10_000):
                    try:
                        with open(os.path.join(where, f"fill-{n}"), "wb") as out:
                            out.write(chunk * 16)
                    except OSError as error:
                        assert error.errno == errno.ENOSPC, error
                        break
                    written += 16
            return {"written_mb": written}
        """,
    )
    with IsolatedRuntime({"fill": "fill.py"}, limits=limits(), workdir=submission) as runtime:
        result = runtime("fill", {}, timeout_s=20)
    assert result.kind is ResultKind.OK, result.payload
    from course_cli.runtime.worker.isolation import FOLDER_BYTES, TMP_BYTES

    assert result.value["written_mb"] <= (FOLDER_BYTES + TMP_BYTES) >> 20
    assert not list(submission.glob("fill-*"))
