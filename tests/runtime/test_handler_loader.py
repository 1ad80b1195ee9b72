"""Loading `file.py[:function]` as Lambda imports a handler, and saying clearly what is wrong."""

from __future__ import annotations

import os
import sys
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
