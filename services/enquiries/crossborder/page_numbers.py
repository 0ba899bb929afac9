"""Numbers as people type them in the page's language, for the cross-border forms.

The API's schemas read "2400.50"; a German broker types "2.400,50" or "2400,50", a Hungarian one
"2 400,50". The kernel's form helpers (services.web.forms) do not read locale formats yet, so these
forms turn what was typed into the API's form before the schema loads it. What cannot be read is left
as typed: the schema then says, beside the field and in the page's language, that it is not a number.

A dot that cannot be a group separator ("1.5", "2400.50") is read as a decimal point in every
language, as the API writes numbers; "1.250" in German stays one thousand two hundred and fifty.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import NumberFormatError, parse_decimal

from services.web.i18n import language

_SPACES = re.compile(r"[\s\u00a0\u202f]+")  # group separators typed as a space, a no-break or a thin space
_API_FORM = re.compile(r"[+-]?\d+(\.\d+)?")


def read_decimal(typed: str, locale: str | None = None) -> Decimal | None:
    """The number in `typed`, read in `locale` (the page's language), or None when it is none."""
    text = _SPACES.sub("", typed or "")
    if not text:
        return None
    try:
        value = parse_decimal(text, locale=locale or language(), strict=True)
    except NumberFormatError:
        if not _API_FORM.fullmatch(text):
            return None
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def as_api_numbers(body: dict, decimals=(), integers=()) -> dict:
    """`body` with the named fields read in the page's language: decimals as the API's strings
    ("2400.50"), integers as ints. A field that is no number stays as typed, for the schema to refuse."""
    read = dict(body)
    for name in (*decimals, *integers):
        if not isinstance(read.get(name), str):
            continue
        value = read_decimal(read[name])
        if value is None:
            continue
        if name in integers:
            if value == value.to_integral_value():
                read[name] = int(value)
        else:
            read[name] = f"{value:f}"
    return read
