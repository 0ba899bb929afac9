"""services/common/jsonbody.py: JSON bodies bounded in depth and numbers, with only storable text."""
from __future__ import annotations

import pytest

from services.common.errors import BadRequest, Invalid
from services.common.jsonbody import MAX_DEPTH, parse, too_deep

NOT_STORABLE = ["contains characters that are not allowed"]
OUT_OF_RANGE = ["a number out of range"]


def refused(text: str) -> dict:
    with pytest.raises(Invalid) as caught:
        parse(text)
    return caught.value.errors


def test_nesting_is_counted_without_recursion_and_brackets_in_strings_do_not_count():
    assert too_deep("[" * 100_000 + "]" * 100_000)
    assert not too_deep("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert too_deep("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert not too_deep('{"a": "' + "[{" * 100 + '\\"' + "[" * 100 + '"}')
    assert refused("[" * 1000 + "]" * 1000) == {"_schema": [f"nested deeper than {MAX_DEPTH} levels"]}


def test_nul_and_lone_surrogates_are_refused_with_their_field_and_pairs_are_text():
    assert refused('{"username": "\\ud800"}') == {"username": NOT_STORABLE}
    assert refused('{"a": [1, {"b": "x\\u0000"}]}') == {"a": {1: {"b": NOT_STORABLE}}}
    assert refused('{"\\u0000": 1}') == {"_schema": ["a field name contains characters that are not allowed"]}
    assert parse('{"emoji": "\\ud83d\\ude00"}') == {"emoji": "\U0001F600"}


def test_numbers_beyond_a_bigint_infinite_or_not_json_are_refused():
    assert refused('{"after": 9223372036854775808}') == {"after": OUT_OF_RANGE}
    assert refused('{"x": 1e400}') == {"x": OUT_OF_RANGE}
    assert refused("[NaN, Infinity]") == {0: OUT_OF_RANGE, 1: OUT_OF_RANGE}
    assert refused("1" * 5000) == {"_schema": OUT_OF_RANGE}
    assert parse('{"min": -9223372036854775808, "x": 1e300}') == {"min": -2 ** 63, "x": 1e300}


def test_malformed_json_and_bytes_that_are_not_utf8_are_bad_requests():
    for body in (b'{"a": ', b"\xff\xfe", b""):
        with pytest.raises(BadRequest):
            parse(body)
