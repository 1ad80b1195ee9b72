"""Loading `file.py[:function]` as Lambda imports a handler, and saying clearly what is wrong."""

from __future__ import annotations

import os
import shutil
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from course_cli.errors import HandlerError
from course_cli.runtime import HandlerCache, HandlerLoadError, load_handler, parse_handler_spec
from tests.runtime.conftest import WriteHandler


def test_default_function_is_handler(write_handler: WriteHandler) -> None:
    path = write_handler("app.py", "def handler(event, context):\n    return 1\n")
    loaded = load_handler(str(path))
    assert loaded.function_name == "handler"
    assert loaded.function({}, None) == 1


def test_falls_back_to_lambda_handler(write_handler: WriteHandler) -> None:
    path = write_handler(
        "lambda_function.py", "def lambda_handler(event, context):\n    return 2\n"
    )
    loaded = load_handler(str(path))
    assert loaded.function_name == "lambda_handler"
    assert loaded.function({}, None) == 2


def test_named_function(write_handler: WriteHandler) -> None:
    path = write_handler("app.py", "def handler(e, c): return 1\ndef other(e, c): return 3\n")
    assert load_handler(f"{path}:other").function({}, None) == 3


def test_spec_parsing_keeps_relative_paths_relative_to_base(tmp_path: Path) -> None:
    spec = parse_handler_spec("src/app.py:go", tmp_path)
    assert spec.path == tmp_path / "src" / "app.py"
    assert spec.function == "go"
    assert parse_handler_spec("app.py", tmp_path).function is None


def test_bad_function_name_in_spec() -> None:
    with pytest.raises(HandlerError, match="not a Python function name"):
        parse_handler_spec("app.py:not-a-name")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(HandlerLoadError) as caught:
        load_handler(str(tmp_path / "nope.py"))
    assert "nope.py does not exist" in caught.value.message
    assert "\n" not in caught.value.message
    assert caught.value.lambda_error == {
        "errorMessage": "Unable to import module 'nope': No module named 'nope'",
        "errorType": "Runtime.ImportModuleError",
        "requestId": "",
        "stackTrace": [],
    }


def test_syntax_error_names_file_line_column_and_text(write_handler: WriteHandler) -> None:
    path = write_handler("broken.py", "def handler(event, context):\n    x = (1,\n")
    with pytest.raises(HandlerLoadError) as caught:
        load_handler(str(path))
    message = caught.value.message
    assert "\n" not in message
    assert "syntax error in" in message and "broken.py" in message
    assert "line 2, column 9" in message
    assert "was never closed" in message
    assert message.endswith("x = (1,")
    error = caught.value.lambda_error
    assert error["errorType"] == "Runtime.UserCodeSyntaxError"
    assert error["errorMessage"].startswith("Syntax error in module 'broken': '(' was never closed")
    assert error["stackTrace"] == [f'  File "{path}" Line 2\n        x = (1,\n']


def test_missing_function_lists_callables_and_suggests(write_handler: WriteHandler) -> None:
    path = write_handler(
        "app.py",
        """
        import json

        def handle(event, context):
            return 1

        def helper():
            return 2
        """,
    )
    with pytest.raises(HandlerLoadError) as caught:
        load_handler(str(path))
    message = caught.value.message
    assert "defines neither 'handler' nor 'lambda_handler'" in message
    assert "did you mean 'handle'?" in message
    assert "(functions in it: handle, helper)" in message
    assert caught.value.lambda_error["errorType"] == "Runtime.HandlerNotFound"
    assert caught.value.lambda_error["errorMessage"] == "Handler 'handler' missing on module 'app'"

    with pytest.raises(HandlerLoadError, match="has no function 'helpr'; did you mean 'helper'"):
        load_handler(f"{path}:helpr")


def test_not_callable(write_handler: WriteHandler) -> None:
    path = write_handler("app.py", "handler = {'statusCode': 200}\n")
    with pytest.raises(HandlerLoadError, match=r"'handler' in .*app\.py is a dict, not a function"):
        load_handler(str(path))


def test_import_error_points_at_the_learners_line(write_handler: WriteHandler) -> None:
    path = write_handler("app.py", "import json\nimport requestz\n\ndef handler(e, c): pass\n")
    with pytest.raises(HandlerLoadError) as caught:
        load_handler(str(path))
    message = caught.value.message
    assert "line 2 (import requestz)" in message
    assert "ModuleNotFoundError: No module named 'requestz'" in message
    assert caught.value.lambda_error == {
        "errorMessage": "Unable to import module 'app': No module named 'requestz'",
        "errorType": "Runtime.ImportModuleError",
        "requestId": "",
        "stackTrace": [],
    }


def test_exception_at_import_time(write_handler: WriteHandler) -> None:
    path = write_handler("app.py", "LIMIT = 10\nRATE = LIMIT / 0\n")
    with pytest.raises(HandlerLoadError) as caught:
        load_handler(str(path))
    assert "line 2 (RATE = LIMIT / 0): ZeroDivisionError: division by zero" in caught.value.message
    error = caught.value.lambda_error
    assert error["errorType"] == "ZeroDivisionError"
    assert error["stackTrace"] == [f'  File "{path}", line 2, in <module>\n    RATE = LIMIT / 0\n']


def test_sibling_modules_import_and_never_leak_between_folders(
    write_handler: WriteHandler,
) -> None:
    one = write_handler("one/app.py", "import helpers\ndef handler(e, c): return helpers.NAME\n")
    write_handler("one/helpers.py", "NAME = 'one'\n")
    two = write_handler("two/app.py", "import helpers\ndef handler(e, c): return helpers.NAME\n")
    write_handler("two/helpers.py", "NAME = 'two'\n")
    path_before = list(sys.path)
    assert load_handler(str(one)).function({}, None) == "one"
    assert load_handler(str(two)).function({}, None) == "two"
    assert sys.path == path_before  # the folder was on sys.path only while importing


def test_each_file_gets_its_own_module(write_handler: WriteHandler) -> None:
    one = load_handler(str(write_handler("a/app.py", "X = 1\ndef handler(e, c): return X\n")))
    two = load_handler(str(write_handler("b/app.py", "X = 2\ndef handler(e, c): return X\n")))
    assert one.module.__name__ != two.module.__name__
    assert (one.function({}, None), two.function({}, None)) == (1, 2)


def test_import_time_output_is_kept_for_the_first_log(
    write_handler: WriteHandler, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_handler("app.py", "print('warming up')\ndef handler(e, c): pass\n")
    assert load_handler(str(path)).init_output == "warming up\n"
    assert capsys.readouterr().out == ""


def test_cache_reloads_when_the_file_changes(write_handler: WriteHandler) -> None:
    path = write_handler("app.py", "def handler(e, c): return 'v1'\n")
    cache = HandlerCache()
    spec = parse_handler_spec(str(path))
    first, cold = cache.get(spec)
    assert cold and first.function({}, None) == "v1"
    again, cold = cache.get(spec)
    assert again is first and not cold
    write_handler("app.py", "def handler(e, c): return 'version 2'\n")
    second, cold = cache.get(spec)
    assert cold and second.function({}, None) == "version 2"


def test_cache_reloads_an_edit_of_the_same_size_in_the_same_second(
    write_handler: WriteHandler,
) -> None:
    path = write_handler("app.py", "def handler(e, c): return 'aa'\n")
    cache = HandlerCache()
    spec = parse_handler_spec(str(path))
    cache.get(spec)
    stat = path.stat()
    path.write_text("def handler(e, c): return 'bb'\n")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert cache.get(spec)[0].function({}, None) == "bb"


def answer(cache: HandlerCache, path: Path) -> object:
    loaded, _ = cache.get(parse_handler_spec(str(path)))
    return loaded.function({}, None)


def handler_source(value: str) -> str:
    return f"def handler(event, context):\n    return {value!r}\n"


def a_tick_later(path: Path, before: os.stat_result) -> None:
    """Date the edit just made a clock tick after `before`, as any edit by hand is: the cache
    does not see a same-size edit within one tick of the file system's clock (which is
    coarse: milliseconds), should it keep the inode too."""
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 10_000_000))


def in_place(path: Path, value: str) -> None:
    before = path.stat()
    path.write_text(handler_source(value))
    a_tick_later(path, before)


def atomic_replace(path: Path, value: str) -> None:
    # How many editors save: a new file renamed over the old one (a new inode).
    spare = path.with_suffix(".tmp")
    spare.write_text(handler_source(value))
    os.replace(spare, path)


def deleted_then_written(path: Path, value: str) -> None:
    before = path.stat()
    path.unlink()
    path.write_text(handler_source(value))  # possibly under the inode number just freed
    a_tick_later(path, before)


def folder_replaced(path: Path, value: str) -> None:
    # The handler's folder itself goes away and a new one takes its name.
    before = path.stat()
    shutil.rmtree(path.parent)
    path.parent.mkdir()
    path.write_text(handler_source(value))
    a_tick_later(path, before)


Edit = Callable[[Path, str], None]
EDITS = [in_place, atomic_replace, deleted_then_written, folder_replaced]


@pytest.mark.parametrize("edit", EDITS, ids=lambda edit: edit.__name__)
def test_every_kind_of_edit_shows_on_the_next_call(tmp_path: Path, edit: Edit) -> None:
    path = tmp_path / "src" / "app.py"
    path.parent.mkdir()
    path.write_text(handler_source("v1"))
    cache = HandlerCache()
    for round_ in range(3):
        assert answer(cache, path) == f"v{round_ + 1}"
        assert answer(cache, path) == f"v{round_ + 1}"
        edit(path, f"v{round_ + 2}")  # the same size each time, as an edit can be
    assert answer(cache, path) == "v4"


def test_a_symlinked_handler_s_target_edits_show(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "real.py"
    target.write_text(handler_source("v1"))
    link = tmp_path / "app.py"
    link.symlink_to(target)
    cache = HandlerCache()
    for _ in range(3):
        assert answer(cache, link) == "v1"
    in_place(target, "v2")
    assert answer(cache, link) == "v2"


def test_a_hard_linked_handler_s_edits_through_the_other_link_show(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    path = tmp_path / "a" / "app.py"
    path.write_text(handler_source("v1"))
    other = tmp_path / "b" / "same.py"
    os.link(path, other)
    cache = HandlerCache()
    for _ in range(3):
        assert answer(cache, path) == "v1"
    with open(other, "r+") as file:  # written through the link in the other folder
        file.write(handler_source("v2"))
    assert answer(cache, path) == "v2"


@pytest.mark.slow
def test_threads_calling_at_once_each_see_the_edits(tmp_path: Path) -> None:
    # `course serve` answers on several threads: each looks at the file before its call.
    path = tmp_path / "app.py"
    path.write_text(handler_source("v0"))
    cache = HandlerCache()
    answer(cache, path)
    failures: list[BaseException] = []
    stop = threading.Event()

    spec = parse_handler_spec(str(path))

    def poll() -> None:
        try:
            while not stop.is_set():
                cache.get(spec)
        except BaseException as error:  # reported by the main thread
            failures.append(error)

    pollers = [threading.Thread(target=poll) for _ in range(2)]
    # Threads take turns at the interpreter often: the file operations below each wait for
    # their turn, and the default 5 ms turns would make this test take half a minute.
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)
    for thread in pollers:
        thread.start()
    try:
        for round_ in range(1, 30):
            # Renamed into place: a poller never loads a half-written file.
            atomic_replace(path, f"v{round_}")
            assert answer(cache, path) == f"v{round_}"  # seen at once, while others poll
    finally:
        stop.set()
        for thread in pollers:
            thread.join()
        sys.setswitchinterval(switch_interval)
    assert failures == []
