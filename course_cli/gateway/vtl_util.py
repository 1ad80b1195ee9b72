"""`$input` and `$util`, the variables API Gateway adds to every mapping template.

Method names are AWS's (camelCase), because templates call them by those names.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote_plus, unquote_plus

from course_cli.gateway.jsonpath import MISSING, parse_path
from course_cli.gateway.vtl_values import JsonList, from_json, to_json

_UNPARSED = object()


class TemplateInput:
    """`$input`: the payload (request body, or the backend's answer) and the request's params.

    The body is parsed at most once per render and shared by `path` and `json`, so a `#set`
    that changes what `path` returned shows in a later `json('$')`, as on AWS.
    """

    __slots__ = ("_document", "_params", "body")

    def __init__(self, body: str, params: Mapping[str, Mapping[str, str]]) -> None:
        # An empty payload reads as `{}` on AWS (recorded: `$input.body` of an empty POST).
        self.body = body if body else "{}"
        self._params = params
        self._document: Any = _UNPARSED

    def _parsed(self) -> Any:
        if self._document is _UNPARSED:
            try:
                self._document = from_json(json.loads(self.body))
            except ValueError:
                self._document = None  # not JSON: every path is null
        return self._document

    def path(self, path: str) -> Any:
        """The value at the JSONPath `path` (a list for wildcards), or null."""
        compiled = parse_path(str(path))
        document = self._parsed()
        if document is None:
            return None
        found = compiled.find(document)
        if found is MISSING:
            return None
        return found if compiled.definite else JsonList(found)

    def json(self, path: str) -> str:
        """The value at `path` as compact JSON text; `""` when nothing matches (unverified)."""
        compiled = parse_path(str(path))
        document = self._parsed()
        if document is None:
            return ""
        found = compiled.find(document)
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
    """Java commons-lang `escapeJavaScript`: note `'` becomes `\\'`, which is not valid JSON."""
    if text is None:
        return None
    text = str(text)
    if _PLAIN_ASCII.fullmatch(text):
        return text  # nothing to escape: the common case, without a loop over characters
    out = []
    for char in text:
        code = ord(char)
        if char in "'\"\\/":
            out.append("\\" + char)
        elif char in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[char])
        elif code < 0x20:
            out.append(f"\\u{code:04X}")
        elif code > 0x7F:
            for unit in _utf16_units(code):
                out.append(f"\\u{unit:04X}")
        else:
            out.append(char)
    return "".join(out)


_PLAIN_ASCII = re.compile(r"[^'\"\\/\x00-\x1f\x7f-\U0010ffff]*")
_SHORT_ESCAPES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _utf16_units(code: int) -> tuple[int, ...]:
    if code < 0x10000:
        return (code,)
    code -= 0x10000
    return (0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF))


class TemplateUtil:
    """`$util`: AWS's helper functions, with Java's exact encodings."""

    __slots__ = ()

    @staticmethod
    def escapeJavaScript(text: Any) -> Any:  # AWS spells it so
        """See `escape_javascript`."""
        return escape_javascript(text)

    @staticmethod
    def urlEncode(text: Any) -> Any:  # AWS spells it so
        """Java `URLEncoder` (UTF-8): keeps `a-zA-Z0-9.-*_`, space → `+`, `~` → `%7E`."""
        if text is None:
            return None  # recorded on AWS: urlEncode of a null reference prints nothing
        return quote_plus(str(text), safe="*").replace("~", "%7E")

    @staticmethod
    def urlDecode(text: Any) -> Any:  # AWS spells it so
        """Java `URLDecoder` (UTF-8): `+` → space, `%XX` decoded."""
        return None if text is None else unquote_plus(str(text))

    @staticmethod
    def base64Encode(text: Any) -> Any:  # AWS spells it so
        """Standard, padded base64 of the UTF-8 text."""
        if text is None:
            return None
        return base64.b64encode(str(text).encode("utf-8")).decode("ascii")

    @staticmethod
    def base64Decode(text: Any) -> Any:  # AWS spells it so
        """Decode standard base64 into UTF-8 text."""
        if text is None:
            return None
        try:
            return base64.b64decode(str(text), validate=False).decode("utf-8", "replace")
        except (binascii.Error, ValueError) as error:
            raise ValueError(f"$util.base64Decode: not base64 ({error})") from None

    @staticmethod
    def parseJson(text: Any) -> Any:  # AWS spells it so
        """Parse JSON text into the same objects `$input.path` gives."""
        if text is None:
            return None
        try:
            return from_json(json.loads(str(text)))
        except ValueError as error:
            raise ValueError(f"$util.parseJson: not JSON ({error})") from None


UTIL = TemplateUtil()
