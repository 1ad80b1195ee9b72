"""`$input` and `$util`, the variables API Gateway adds to every mapping template.

Method names are AWS's (camelCase), because templates call them by those names.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import json
import re
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import quote_plus, unquote_plus

from course_cli.gateway.jsonpath import MISSING, parse_path
from course_cli.gateway.vtl.limits import TEXT_LIMIT, text_too_long
from course_cli.gateway.vtl.values import JsonList, from_json, to_json

_UNPARSED = object()


class TemplateInput:
    """`$input`: the payload (request body, or the backend's answer) and the request's params.
    The body is parsed once per render, so a `#set` into what `path` returned shows in a later
    `json('$')`, as on AWS."""

    __slots__ = ("_document", "_params", "body")
    # What a template may name: API Gateway's documented `$input` members, nothing else.
    TEMPLATE_MEMBERS: ClassVar[frozenset[str]] = frozenset({"body", "json", "params", "path"})

    def __init__(self, body: str, params: Mapping[str, Mapping[str, str]]) -> None:
        # An empty payload reads as `{}` on AWS (recorded: `$input.body` of an empty POST).
        self.body = body if body else "{}"
        self._params = params
        self._document: Any = _UNPARSED

    def _find(self, path: str) -> Any:
        """The value at the JSONPath `path` (a list for wildcards), or `MISSING`."""
        compiled = parse_path(str(path))
        if self._document is _UNPARSED:
            try:
                self._document = from_json(json.loads(self.body))
            except (ValueError, RecursionError):
                # Not JSON, or past Python's digits or depth: every path is null.
                self._document = None
        if self._document is None:
            return MISSING
        found = compiled.find(self._document)
        return found if found is MISSING or compiled.definite else JsonList(found)

    def path(self, path: str) -> Any:
        """The value at the JSONPath `path` (a list for wildcards), or null."""
        found = self._find(path)
        return None if found is MISSING else found

    def json(self, path: str) -> str:
        """The value at `path` as compact JSON text; `""` when nothing matches (unverified)."""
        found = self._find(path)
        return "" if found is MISSING else to_json(found)

    def params(self, name: str | None = None) -> Any:
        """No argument: `{path, querystring, header}` maps. With a name: the first match in the
        path, then the query string, then the headers; `""` when none has it."""
        if name is None:
            return {kind: dict(values) for kind, values in self._params.items()}
        name = str(name)
        for kind in ("path", "querystring", "header"):
            values = self._params.get(kind, {})
            if name in values:
                return values[name]
        lower = name.lower()  # header names are case-insensitive in HTTP
        for header, value in self._params.get("header", {}).items():
            if header.lower() == lower:
                return value
        return ""


def escape_javascript(text: Any) -> Any:
    """Java commons-lang `escapeJavaScript`: note `'` becomes `\\'`, which is not valid JSON.
    In C, not a Python loop: `str.translate`, then `_escape_unicode` for non-ASCII runs."""
    if text is None:
        return None
    text = str(text)
    if _PLAIN_ASCII.fullmatch(text):
        return text
    if len(text) * 12 > TEXT_LIMIT:  # 12: an astral character becomes two \uXXXX escapes
        ascii_only = len(text.encode("ascii", "ignore"))
        smallest = len(text) + 5 * (len(text) - ascii_only)
        if smallest > TEXT_LIMIT:
            raise text_too_long(smallest)  # before building it
    escaped: str = text.translate(_ASCII_ESCAPES)
    return escaped.encode("ascii", _UNICODE_ESCAPES).decode("ascii")


_PLAIN_ASCII = re.compile(r"[^'\"\\/\x00-\x1f\x7f-\U0010ffff]*")
_SHORT_ESCAPES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
_ASCII_ESCAPES = {
    **{code: f"\\u{code:04X}" for code in range(0x20)},
    **{ord(char): escape for char, escape in _SHORT_ESCAPES.items()},
    **{ord(char): "\\" + char for char in "'\"\\/"},
}
_UNICODE_ESCAPES = "course-vtl-java-unicode"
_FOUR = re.compile("....", re.S)


def _escape_unicode(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: a run of non-ASCII characters as Java's `\\uXXXX` escapes, one
    per UTF-16 unit (two for a character past U+FFFF), upper-case hex."""
    assert isinstance(error, UnicodeEncodeError)
    start, end = error.start, error.end
    if end - start == 1 and ord(error.object[start]) < 0x10000:
        return f"\\u{ord(error.object[start]):04X}", end  # one character: the common run
    units = error.object[start:end].encode("utf-16-be", "surrogatepass").hex().upper()
    return "\\u" + "\\u".join(_FOUR.findall(units)), end


codecs.register_error(_UNICODE_ESCAPES, _escape_unicode)


class TemplateUtil:
    """`$util`: AWS's helper functions, with Java's exact encodings."""

    __slots__ = ()
    # What a template may name: API Gateway's documented `$util` functions, nothing else.
    TEMPLATE_MEMBERS: ClassVar[frozenset[str]] = frozenset(
        {"escapeJavaScript", "urlEncode", "urlDecode", "base64Encode", "base64Decode", "parseJson"}
    )

    escapeJavaScript = staticmethod(escape_javascript)  # AWS spells them so

    @staticmethod
    def urlEncode(text: Any) -> Any:
        """Java `URLEncoder` (UTF-8): keeps `a-zA-Z0-9.-*_`, space → `+`, `~` → `%7E`."""
        if text is None:
            return None  # recorded on AWS: urlEncode of a null reference prints nothing
        return quote_plus(str(text), safe="*").replace("~", "%7E")

    @staticmethod
    def urlDecode(text: Any) -> Any:
        """Java `URLDecoder` (UTF-8): `+` → space, `%XX` decoded."""
        return None if text is None else unquote_plus(str(text))

    @staticmethod
    def base64Encode(text: Any) -> Any:
        """Standard, padded base64 of the UTF-8 text."""
        if text is None:
            return None
        return base64.b64encode(str(text).encode("utf-8")).decode("ascii")

    @staticmethod
    def base64Decode(text: Any) -> Any:
        """Decode standard base64 into UTF-8 text."""
        if text is None:
            return None
        try:
            return base64.b64decode(str(text), validate=False).decode("utf-8", "replace")
        except (binascii.Error, ValueError) as error:
            raise ValueError(f"$util.base64Decode: not base64 ({error})") from None

    @staticmethod
    def parseJson(text: Any) -> Any:
        """Parse JSON text into the same objects `$input.path` gives."""
        if text is None:
            return None
        try:
            return from_json(json.loads(str(text)))
        except ValueError as error:
            raise ValueError(f"$util.parseJson: not JSON ({error})") from None


UTIL = TemplateUtil()
