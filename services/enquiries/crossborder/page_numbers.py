"""Numbers as people type them in the page's language, for the cross-border forms.

The reading itself is the kernel's (services.web.numbers), and `forms.load` now reads every number field
of the schema it loads; `as_api_numbers` stays for these forms, which read their numbers before loading.
"""
from __future__ import annotations

from services.web.numbers import in_api_form, read_decimal  # noqa: F401 - read_decimal for the inbox pages


def as_api_numbers(body: dict, decimals=(), integers=()) -> dict:
    """`body` with the named fields read in the page's language: decimals as the API's strings
    ("2400.50"), integers as ints. A field that is no number stays as typed, for the schema to refuse."""
    read = dict(body)
    for name in (*decimals, *integers):
        if isinstance(read.get(name), str):
            value = in_api_form(read[name], whole=name in integers)
            read[name] = read[name] if value is None else value
    return read
