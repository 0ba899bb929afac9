"""JSON as the APIs read it: bounded in depth and in numbers, and only text a database can store.

Python's parser recurses once per nesting level, so a 2 KB body of 1,000 brackets raised
RecursionError; a 5,000-digit integer raises ValueError; `\\ud800` parses to a lone surrogate that
no UTF-8 encoder (nor PostgreSQL) accepts; NUL is valid JSON text that PostgreSQL refuses. Each of
those is refused here, before a schema or a database sees the value: malformed JSON with a 400, the
rest with a 422 naming the fields (nested like marshmallow's messages).
"""
from __future__ import annotations

import json
import math
import re
from itertools import accumulate

from flask.json.provider import DefaultJSONProvider

from services.common.errors import BadRequest, Invalid
from services.common.fields import NOT_STORABLE, is_storable

MAX_DEPTH = 32  # the API's documents nest a few levels; far below the interpreter's recursion limit
MIN_INTEGER, MAX_INTEGER = -2 ** 63, 2 ** 63 - 1  # what a database's BIGINT holds
OUT_OF_RANGE = "a number out of range"
KEY_NOT_STORABLE = "a field name contains characters that are not allowed"
REFUSED_VALUES = "the request holds values that cannot be accepted; see errors"

_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
# What may hold a refused value: NUL or half of a surrogate pair (only as escapes in JSON text), an
# integer of 19 digits or more, a float of 3 exponent digits, NaN or Infinity.
_SUSPECT = re.compile(r"\\u(?:0000|[dD][89a-fA-F])|\d{19}|[eE][-+]?\d{3}|NaN|Infinity")


_UNACCEPTABLE = object()  # what NaN and Infinity parse to, to be refused with their field


def parse(data: bytes | str):
    """The JSON value of a request body; BadRequest if it is not JSON, Invalid if it is refused."""
    value, refused = read(data)
    if refused:
        raise Invalid(REFUSED_VALUES, refused)
    return value


def read(data: bytes | str) -> tuple[object, dict | None]:
    """The JSON value of a request body, and the messages about the values it holds that cannot be
    accepted (None if there are none). BadRequest if it is not JSON, Invalid if it nests too deeply."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise BadRequest(f"the body is not UTF-8: {exc.reason} at byte {exc.start}") from None
    if too_deep(text):
        raise Invalid(f"the JSON body nests deeper than {MAX_DEPTH} levels",
                      {"_schema": [f"nested deeper than {MAX_DEPTH} levels"]})
    try:
        value = json.loads(text, parse_constant=lambda _: _UNACCEPTABLE)  # NaN, Infinity: not JSON's
    except json.JSONDecodeError as exc:
        raise BadRequest(f"the body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                         {"_schema": ["not valid JSON"]}) from None
    except ValueError:  # Python converts at most 4,300 digits to an int
        raise Invalid("the JSON body holds a number out of range", {"_schema": [OUT_OF_RANGE]}) from None
    # Walking the value costs more than parsing it: only when the text may hold something to refuse.
    refused = refusals(value) if _SUSPECT.search(text) else None
    return value, (refused if isinstance(refused, dict) or refused is None else {"_schema": refused})


def too_deep(text: str) -> bool:
    """Whether arrays and objects nest deeper than MAX_DEPTH in `text`, counted without recursion
    (brackets inside strings aside)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:  # it cannot nest deeper than it opens
        return False
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0) > MAX_DEPTH


def refusals(value):
    """marshmallow-shaped messages for what `value` holds that cannot be accepted, or None."""
    if isinstance(value, str):
        return None if is_storable(value) else [NOT_STORABLE]
    if value is _UNACCEPTABLE or (isinstance(value, int) and not MIN_INTEGER <= value <= MAX_INTEGER) \
            or (isinstance(value, float) and not math.isfinite(value)):
        return [OUT_OF_RANGE]
    found: dict = {}
    if isinstance(value, dict):
        for key, item in value.items():
            if not is_storable(key):
                found["_schema"] = [KEY_NOT_STORABLE]
            elif (refused := refusals(item)) is not None:
                found[key] = refused
    elif isinstance(value, list):
        found = {i: refused for i, item in enumerate(value) if (refused := refusals(item)) is not None}
    return found or None


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading with `parse`: `request.get_json()` in any view is bounded like the API's
    declared bodies (services.common.request_guard)."""

    def loads(self, s, **kwargs):
        return parse(s)
